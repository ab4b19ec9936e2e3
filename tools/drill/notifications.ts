import { alertSettings } from '../../lib/core/config/alert-settings';
import { alarmName, findAlert } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';

/** The parts of a CloudWatch alarm notification a drill chooses. */
export interface AlarmChange {
  readonly alertId: string;
  readonly instance?: string;
  readonly newState?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  readonly oldState?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** @default now */
  readonly at?: Date;
  readonly reason?: string;
  readonly accountId?: string;
  readonly region?: string;
  /**
   * `NewStateReasonData`: the datapoints the alarm evaluated (alarm-evidence.ts has the shape); an object is sent
   * as its JSON string, a string as is (malformed ones included). @default absent, as in AWS's SNS sample
   */
  readonly reasonData?: Record<string, unknown> | string;
}

/** The JSON body CloudWatch publishes to SNS when an alarm changes state (metric alarm shape). */
export function alarmNotification(config: Config, change: AlarmChange): Record<string, unknown> {
  const alert = findAlert(change.alertId);
  if (!alert) throw new Error(`unknown alert ${change.alertId}`);
  const name = alarmName(config.prefix, change.alertId, change.instance);
  const accountId = change.accountId ?? '123456789012';
  const region = change.region ?? config.region;
  const settings = alertSettings(alert, config);
  return {
    AlarmName: name,
    AlarmDescription: alert.summary,
    AWSAccountId: accountId,
    AlarmConfigurationUpdatedTimestamp: '2026-11-01T00:00:00.000+0000',
    NewStateValue: change.newState ?? 'ALARM',
    NewStateReason: change.reason ?? `Threshold Crossed: datapoints were breaching for ${alert.id}`,
    StateChangeTime: (change.at ?? new Date()).toISOString().replace('Z', '+0000'),
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
    OldStateValue: change.oldState ?? 'OK',
    OKActions: [],
    AlarmActions: [],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'drill',
      Namespace: config.metrics.namespace,
      StatisticType: 'Statistic',
      Statistic: 'SUM',
      Period: settings.periodSeconds,
      EvaluationPeriods: settings.evaluationPeriods,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    },
    ...(change.reasonData === undefined
      ? {}
      : { NewStateReasonData: typeof change.reasonData === 'string' ? change.reasonData : JSON.stringify(change.reasonData) }),
  };
}

/** The event Lambda receives from an SNS subscription for one message. */
export function snsEvent(topicArn: string, message: string): Record<string, unknown> {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:00000000-0000-0000-0000-000000000000`,
        Sns: {
          Type: 'Notification',
          MessageId: `drill-${Math.random().toString(16).slice(2)}`,
          TopicArn: topicArn,
          Subject: 'ALARM',
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The EventBridge event CloudWatch emits for the same change (what the escalation starter receives). */
export function alarmStateChangeEvent(config: Config, change: AlarmChange): Record<string, unknown> {
  const at = (change.at ?? new Date()).toISOString().replace('Z', '+0000');
  return {
    version: '0',
    id: `drill-${Math.random().toString(16).slice(2)}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: change.accountId ?? '123456789012',
    time: at,
    region: change.region ?? config.region,
    resources: [],
    detail: {
      alarmName: alarmName(config.prefix, change.alertId, change.instance),
      state: { value: change.newState ?? 'ALARM', reason: change.reason ?? 'drill', timestamp: at },
      previousState: { value: change.oldState ?? 'OK', timestamp: at },
    },
  };
}
