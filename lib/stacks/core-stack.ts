import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../alarms/alarm-spec';
import { AlarmFactory } from '../alarms/alarm-factory';
import type { Config } from '../config/schema';
import { AlertTopics } from '../constructs/alert-topics';

/** Props of {@link CoreStack}. */
export interface CoreStackProps extends StackProps {
  readonly config: Config;
  /** Environment-wide alarms (not tied to one service). */
  readonly alarms: readonly AlarmSpec[];
}

/** The environment's shared pieces: topics, their key, and the alarms that are not per service. */
export class CoreStack extends Stack {
  public readonly topics: AlertTopics;

  public constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    this.topics = new AlertTopics(this, 'Topics', { config: props.config });
    const factory = new AlarmFactory(this, (spec) => this.topics.severityTopics[spec.severity].topicArn);
    props.alarms.forEach((spec) => factory.add(spec));
  }
}
