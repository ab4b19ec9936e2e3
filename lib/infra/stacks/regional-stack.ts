import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../../core/alarms/alarm-spec';
import type { Config } from '../../core/config/schema';
import { AlarmFactory } from '../alarm-factory';
import { alarmStateChanges } from '../constructs/alarm-state-changes';
import { RegionalTopics } from '../constructs/alert-topics';
import { AuditTable } from '../constructs/audit-table';
import { deadLetterQueue, Responder } from '../constructs/responder';
import { cloudWatchAlarmCount } from '../stack-plan';

/** Props of {@link RegionalStack}. */
export interface RegionalStackProps extends StackProps {
  /**
   * The environment as this region sees it (`configIn`, lib/core/config/regions.ts): its services are those running in this region (and
   * account), named as they are here, and the only targets its responder may act on.
   */
  readonly config: Config;
  /** Set when the stack is in another account than the environment's: the account it is in. */
  readonly otherAccount?: string;
  /** The alarms of the services running in this stack's region. */
  readonly alarms: readonly AlarmSpec[];
}

/**
 * A serving region outside the home one: the alarms of the services running there, the severity topics they
 * notify (a CloudWatch alarm notifies topics of its own region only), a rule forwarding their state changes
 * to the home region's default event bus, where the escalation turns them into incidents, and a responder acting
 * on this region's services only, with its own audit log, so that mitigations go on while the home region is down.
 */
export class RegionalStack extends Stack {
  public readonly topics: RegionalTopics;
  public readonly responder: Responder;

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
    this.topics = new RegionalTopics(this, 'Topics', { config });
    // Per-service alarms page no role directly (only the home self-monitoring alarms do): the severity topic is all.
    const factory = new AlarmFactory(this, (spec) => [this.topics.severityTopics[spec.severity].topicArn]);
    props.alarms.forEach((spec) => factory.add(spec));

    // The responder's IAM (and the config compiled into it) names only the services of this region and account.
    this.responder = new Responder(this, 'Responder', {
      config,
      severityTopics: this.topics.severityTopics,
      announceTopic: this.topics.announceTopic,
      // The guard rails' cooldowns and action windows are per region, like the targets they protect.
      auditTable: new AuditTable(this, 'Audit', { config }).table,
      deadLetterQueue: deadLetterQueue(this, config),
      // The ad-hoc silences are kept in the home region; another account cannot read that table (docs/regions.md).
      ...(props.otherAccount === undefined && { homeSilencesRegion: config.region }),
    });

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
