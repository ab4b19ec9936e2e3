import { z } from 'zod';
import { findAlert, parseAlarmName, type AlertDefinition } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { alarmKey } from '../../lib/core/alarm-source';
import { transitionKey } from '../../lib/core/escalation-plan';
import { InvalidNotificationError } from '../shared/errors';
import { readAlarmEvidence, type AlarmEvidence } from './alarm-evidence';

/** CloudWatch alarm states. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** Larger than any CloudWatch alarm notification (a few KiB); anything bigger is not one. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const ALARM_ARN = /^arn:(aws[a-z-]*):cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;
/** Clock skew tolerated for a state change time in the future. */
const MAX_FUTURE_MS = 5 * 60_000;

/** The fields of a CloudWatch alarm notification the responders rely on (SNS message body, JSON). */
const CommonShape = z.object({
  AlarmName: z.string().min(1).max(255),
  AWSAccountId: z.string().regex(/^\d{12}$/),
  NewStateValue: z.enum(ALARM_STATES),
  OldStateValue: z.enum(ALARM_STATES),
  NewStateReason: z.string().max(10_000),
  StateChangeTime: z.string().regex(ISO_TIME),
  AlarmArn: z.string().regex(ALARM_ARN),
});
// Trigger and NewStateReasonData are read field by field in alarm-evidence.ts, leniently: what they say only refines
// the decision tree's window, so a malformed one falls back there instead of refusing the alarm.
const MetricAlarmShape = CommonShape.extend({ Trigger: z.object({}).loose() });
const CompositeAlarmShape = CommonShape.extend({ AlarmRule: z.string().min(1) });

/** A notification that passed every check: it is about one of this environment's alarms. */
export interface AlarmNotification {
  readonly alarmName: string;
  readonly alert: AlertDefinition;
  /** Service, certificate or region of the alarm, if it is per instance. */
  readonly instance: string | undefined;
  readonly newState: AlarmState;
  readonly oldState: AlarmState;
  readonly reason: string;
  /** When the alarm changed state, ISO 8601 UTC. */
  readonly stateChangeTime: string;
  /** One incident per alarm transition: the same notification delivered twice has the same id. */
  readonly incidentId: string;
  readonly accountId: string;
  readonly region: string;
  /** What the alarm says about the data it judged (its window, its evaluated datapoints); `{}` for composites. */
  readonly evidence: AlarmEvidence;
}

/** Where a notification must come from to be acted on. */
export interface Expected {
  readonly config: Config;
  /** The account, partition and region the stack is deployed in. */
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Now, for the freshness check: a replayed notification must not act on today's world. */
  readonly now: Date;
}

/**
 * Checks an SNS message body from end to end: JSON, the CloudWatch alarm shape, our account and region, our
 * alarm naming scheme, a catalog alert that is enabled here. Anything else throws InvalidNotificationError
 * with the reason; nothing about a rejected message is trusted.
 */
export function parseNotification(body: string, expected: Expected): AlarmNotification {
  if (Buffer.byteLength(body) > MAX_NOTIFICATION_BYTES)
    throw new InvalidNotificationError(`oversized: ${Buffer.byteLength(body)} bytes > ${MAX_NOTIFICATION_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidNotificationError('not JSON', { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidNotificationError('not a JSON object');

  const composite = 'AlarmRule' in json;
  const shape = (composite ? CompositeAlarmShape : MetricAlarmShape).safeParse(json);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    throw new InvalidNotificationError(`wrong shape: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const n = shape.data;
  const [, arnPartition, arnRegion, arnAccount, arnName] = ALARM_ARN.exec(n.AlarmArn)!;
  const foreign = [n.AWSAccountId, arnAccount].find((account) => account !== expected.accountId);
  if (foreign !== undefined) throw new InvalidNotificationError(`foreign account: ${foreign} (expected ${expected.accountId})`);
  if (arnPartition !== expected.partition) throw new InvalidNotificationError(`foreign partition: ${arnPartition} (expected ${expected.partition})`);
  if (arnRegion !== expected.region) throw new InvalidNotificationError(`foreign region: ${arnRegion} (expected ${expected.region})`);
  if (arnName !== n.AlarmName) throw new InvalidNotificationError(`AlarmArn names ${arnName}, AlarmName is ${n.AlarmName}`);

  const { config } = expected;
  const parsed = parseAlarmName(config.prefix, n.AlarmName);
  const alert = parsed && findAlert(parsed.alertId);
  if (!parsed || !alert) throw new InvalidNotificationError(`unknown alarm: ${n.AlarmName} is not one of the ${config.prefix} catalog alarms`);
  if (config.alerts[alert.id]?.enabled === false) throw new InvalidNotificationError(`unknown alarm: ${alert.id} is disabled in this environment`);
  if (composite !== (alert.measurement.kind === 'composite-regions')) {
    throw new InvalidNotificationError(`${composite ? 'composite' : 'metric'}-alarm shape for ${alert.id}, which is a ${alert.measurement.kind} alarm`);
  }
  if (!instanceExists(config, alert, parsed.instance))
    throw new InvalidNotificationError(`unknown alarm: no ${alert.scope} "${parsed.instance ?? ''}" for ${alert.id}`);

  const stateChangeTime = checkedTime(n.StateChangeTime, expected.now, config.automation.maxNotificationAgeMinutes);
  return {
    alarmName: n.AlarmName,
    alert,
    instance: parsed.instance,
    newState: n.NewStateValue,
    oldState: n.OldStateValue,
    reason: n.NewStateReason,
    stateChangeTime,
    // The key the home region's incident store gives this transition (another region's alarm carries its region).
    incidentId: transitionKey(alarmKey(config, { alarmName: n.AlarmName, account: n.AWSAccountId, region: arnRegion! }), stateChangeTime),
    accountId: n.AWSAccountId,
    region: arnRegion!,
    evidence: composite ? {} : readAlarmEvidence(json as Record<string, unknown>),
  };
}

function instanceExists(config: Config, alert: AlertDefinition, instance: string | undefined): boolean {
  switch (alert.scope) {
    case 'global':
      return instance === undefined;
    case 'service':
      return config.services.some((s) => s.name === instance);
    case 'service-rds':
      return config.services.some((s) => s.name === instance && s.rds !== undefined);
    case 'certificate':
      return config.certificates.some((c) => c.name === instance);
  }
}

/**
 * A real instant (no month 13, no 30 February, no +99:99 offset), not from the future beyond clock skew, and not
 * older than the freshness limit: a notification replayed a day later describes a world that has moved on.
 */
function checkedTime(text: string, now: Date, maxAgeMinutes: number): string {
  const [, y, mo, d, h, mi, s, offset] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(text) ?? [];
  const offsetMatch = /^([+-])(\d{2}):?(\d{2})$/.exec(offset ?? '');
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
  const calendar = new Date(Date.UTC(fields[0]!, fields[1]! - 1, fields[2]!, fields[3]!, fields[4]!, fields[5]!));
  const valid =
    calendar.getUTCMonth() === fields[1]! - 1 &&
    calendar.getUTCDate() === fields[2] &&
    fields[3]! < 24 &&
    fields[4]! < 60 &&
    fields[5]! < 60 &&
    (offset === 'Z' || (offsetMatch !== null && Number(offsetMatch[2]) <= 14 && Number(offsetMatch[3]) < 60));
  if (!valid) throw new InvalidNotificationError(`invalid StateChangeTime: ${text}`);
  const normalized = new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const age = now.getTime() - normalized.getTime();
  if (age < -MAX_FUTURE_MS) throw new InvalidNotificationError(`stale: StateChangeTime ${text} is in the future`);
  if (age > maxAgeMinutes * 60_000) throw new InvalidNotificationError(`stale: StateChangeTime ${text} is more than ${maxAgeMinutes} minutes old`);
  return normalized.toISOString();
}
