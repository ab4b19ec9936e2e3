import { z } from 'zod';

/**
 * What a CloudWatch metric alarm's notification says about the data it judged, read leniently: it refines the
 * decision tree's window and is never a reason to refuse a notification.
 *
 * Shapes (sources: the CloudWatch User Guide, "Alarm events and EventBridge", sample state-change events; the
 * Lambda alarm-action sample kept as aws_lambda_events' fixtures/example-cloudwatch-alarm-metric.json; the SNS
 * alarm message sample in aws/aws-lambda-go events/testdata/cloudwatch-alarm-sns-payload-single-metric.json):
 * - `Trigger`: `Period` (s) and `EvaluationPeriods`, beside MetricName/Namespace/Dimensions of a single-metric alarm
 *   or `Metrics` of a metric-math alarm.
 * - reason data: a JSON document `{"version":"1.0","queryDate":"2023-08-04T12:31:29.591+0000","statistic":"Average",
 *   "period":60,"recentDatapoints":[],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2023-08-04T12:30:00.000+0000"},
 *   ...]}` (the Lambda sample, all five datapoints missing); a present datapoint also has `value` (and `sampleCount`
 *   for a single metric), and `startDate` names the oldest period. A datapoint's timestamp is the start of its
 *   period. EventBridge and Lambda alarm actions carry it as `reasonData` (a JSON string); an SNS message carries
 *   it as `NewStateReasonData` only in some deliveries (absent from the SNS sample above), as a string or, in
 *   AWS's log-alarm sample, as an object: both are accepted, and its absence is normal.
 * Not read: the datapoint list inside `NewStateReason`'s text: AWS's own samples print its dates as dd/MM/yy
 * in one place and MM/dd/yy in another, so it cannot be parsed without guessing.
 */
export interface AlarmEvidence {
  /** The alarm's period in seconds, from `Trigger.Period`. */
  readonly periodSeconds?: number;
  /** From `Trigger.EvaluationPeriods`. */
  readonly evaluationPeriods?: number;
  /** The datapoints the alarm evaluated when it changed state, oldest first; absent without reason data. */
  readonly evaluated?: readonly EvaluatedDatapoint[];
  /** When CloudWatch queried the data for that evaluation, epoch ms. */
  readonly queryDate?: number;
  /** Why reason data was present but not used (malformed); logged by the decision tree. */
  readonly problem?: string;
}

/** One datapoint an alarm evaluated: the start of its period (epoch ms) and its value. */
export interface EvaluatedDatapoint {
  readonly at: number;
  readonly value: number;
}

/** CloudWatch's timestamps: `2019-10-01T13:46:00.000+0000` (also accepted: `Z`, `+00:00`). */
const CW_TIME = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/)
  .transform((s) => Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')))
  .refine((ms) => Number.isFinite(ms), 'not a real instant');

const TriggerWindow = z.object({
  Period: z.number().int().positive().max(86_400).optional().catch(undefined),
  EvaluationPeriods: z.number().int().positive().max(100).optional().catch(undefined),
});

const ReasonData = z.object({
  queryDate: CW_TIME.optional(),
  period: z.number().int().positive().max(86_400),
  evaluatedDatapoints: z
    .array(z.object({ timestamp: CW_TIME, value: z.number().finite().optional() }))
    .min(1)
    .max(100),
});

/** Reads the alarm's own evidence from a notification that already passed the shape checks; never throws. */
export function readAlarmEvidence(notification: Record<string, unknown>): AlarmEvidence {
  const trigger = TriggerWindow.safeParse(notification.Trigger ?? {});
  const window = trigger.success ? { periodSeconds: trigger.data.Period, evaluationPeriods: trigger.data.EvaluationPeriods } : {};
  return { ...window, ...reasonDataEvidence(notification.NewStateReasonData, 'NewStateReasonData') };
}

/**
 * The evaluated datapoints of a reason-data document (a JSON string or an object), from a notification or from
 * DescribeAlarms' `StateReasonData`; `{}` when absent, `{ problem }` when malformed. Never throws.
 */
export function reasonDataEvidence(raw: unknown, field: string): Pick<AlarmEvidence, 'periodSeconds' | 'evaluated' | 'queryDate' | 'problem'> {
  if (raw === undefined || raw === null || raw === '') return {};
  let json: unknown = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch {
      return { problem: `${field} is not JSON` };
    }
  }
  const data = ReasonData.safeParse(json);
  if (!data.success) {
    const issue = data.error.issues[0]!;
    return { problem: `${field}: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  const { period, queryDate, evaluatedDatapoints } = data.data;
  const evaluated = evaluatedDatapoints
    .filter((d): d is { timestamp: number; value: number } => d.value !== undefined)
    .map((d) => ({ at: d.timestamp, value: d.value }))
    .sort((a, b) => a.at - b.at);
  return { periodSeconds: period, evaluated, ...(queryDate === undefined ? {} : { queryDate }) };
}
