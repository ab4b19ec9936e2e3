import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../../core/alarms/alarm-spec';
import type { Config } from '../../core/config/schema';
import { AlarmFactory } from '../alarm-factory';
import { alarmStateChanges } from '../constructs/alarm-state-changes';
import { SeverityTopics } from '../constructs/alert-topics';
import { cloudWatchAlarmCount } from '../stack-plan';

/** Props of {@link RegionalStack}. */
export interface RegionalStackProps extends StackProps {
  readonly config: Config;
  /** The alarms of the services running in this stack's region. */
  readonly alarms: readonly AlarmSpec[];
}

/**
 * A serving region outside the home one: the alarms of the services running there, the severity topics they
 * notify (a CloudWatch alarm notifies topics of its own region only), and a rule forwarding their state changes
 * to the home region's default event bus, where the escalation turns them into incidents.
 */
export class RegionalStack extends Stack {
  public readonly topics: SeverityTopics;

  public constructor(scope: Construct, id: string, props: RegionalStackProps) {
    super(scope, id, props);
    const { config } = props;
    const count = props.alarms.reduce((n, spec) => n + cloudWatchAlarmCount(spec), 0);
    // One template holds the region's alarms: past maxAlarmsPerStack it would pass CloudFormation's 500 resources.
    if (count > config.maxAlarmsPerStack) {
      throw new Error(
        `${id}: ${count} alarms in ${this.region}, over maxAlarmsPerStack (${config.maxAlarmsPerStack}); a region's alarms are not split into several stacks yet: run fewer services there or raise maxAlarmsPerStack (at most 450)`,
      );
    }
    this.topics = new SeverityTopics(this, 'Topics', { config });
    // Per-service alarms page no role directly (only the home self-monitoring alarms do): the severity topic is all.
    const factory = new AlarmFactory(this, (spec) => [this.topics.severityTopics[spec.severity].topicArn]);
    props.alarms.forEach((spec) => factory.add(spec));

    const homeBus = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      // In another account than the environment's, the bus is the environment's (`account` is then required).
      this.formatArn({ service: 'events', region: config.region, account: config.account, resource: 'event-bus', resourceName: 'default' }),
    );
    new events.Rule(this, 'ForwardAlarmStateChanges', {
      description: `${config.prefix}: alarm transitions into ALARM and OK, forwarded to the escalation in ${config.region}`,
      eventPattern: alarmStateChanges(config),
      targets: [new targets.EventBus(homeBus)],
    });
  }
}
