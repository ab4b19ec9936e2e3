import { Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../../core/alarms/alarm-spec';
import { AlarmFactory } from '../alarm-factory';
import type { Config } from '../../core/config/schema';
import { roleTopicName, severityTopicName } from '../../core/topic-names';

/** Props of {@link AlarmStack}. */
export interface AlarmStackProps extends StackProps {
  readonly config: Config;
  readonly alarms: readonly AlarmSpec[];
}

/** One shard of per-service alarms. Notifies the core stack's topics by their fixed names. */
export class AlarmStack extends Stack {
  public constructor(scope: Construct, id: string, props: AlarmStackProps) {
    super(scope, id, props);
    const factory = new AlarmFactory(this, (spec) => [
      this.formatArn({ service: 'sns', resource: severityTopicName(props.config.prefix, spec.severity) }),
      ...spec.alsoNotifies.map((role) => this.formatArn({ service: 'sns', resource: roleTopicName(props.config.prefix, role) })),
    ]);
    props.alarms.forEach((spec) => factory.add(spec));
  }
}
