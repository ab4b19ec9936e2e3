import type { Category, ComparisonOperator, EscalationPolicyId, MissingDataTreatment, MitigationId, Role, Severity } from '../catalog';
import type { ResolvedMetric } from './metric-sources';

/**
 * A fully resolved alarm: the catalog entry with the environment's config, overrides, names and metrics
 * applied. Plain data, so the CDK factory, the alarm evaluator (backtests) and the CLI all read the same thing.
 */
interface AlarmSpecBase {
  /** `<prefix>-<AlertId>[-<instance>]` */
  readonly alarmName: string;
  readonly alertId: string;
  /** Service, certificate or region name the alarm watches, if the alert is instantiated per instance. */
  readonly instance: string | undefined;
  /** The service this alarm belongs to (drives stack placement and mitigation targets). */
  readonly service: string | undefined;
  readonly severity: Severity;
  readonly category: Category;
  readonly summary: string;
  /** Alarm description: summary, severity, runbook link. */
  readonly description: string;
  readonly runbookUrl: string;
  readonly mitigations: readonly MitigationId[];
  readonly escalationPolicy: EscalationPolicyId;
  readonly customerFacing: boolean;
  /** Whether ALARM/OK actions notify the severity topic (false for the children of a composite). */
  readonly notifies: boolean;
  /**
   * Role topics the alarm also notifies directly, around the escalation: the stack's self-monitoring alarms, which
   * must reach a human even when the escalation itself is what broke.
   */
  readonly alsoNotifies: readonly Role[];
}

/** One MetricStat of a math alarm, with the id the expression uses. */
export interface MetricQuery {
  readonly id: string;
  readonly metric: ResolvedMetric;
}

/** A metric filter that counts matching log events into the alarm's metric. */
export interface LogFilterSpec {
  readonly logGroupName: string;
  /** Unique per log group. */
  readonly filterName: string;
  readonly pattern: string;
  readonly metricNamespace: string;
  readonly metricName: string;
}

export interface MetricAlarmSpec extends AlarmSpecBase {
  /**
   * `metric`: one metric and a statistic; `math`: `expression` over `metrics`; `anomaly`: an anomaly band of
   * `threshold` standard deviations around `expression`.
   */
  readonly kind: 'metric' | 'math' | 'anomaly';
  readonly metrics: readonly MetricQuery[];
  /** For math and anomaly alarms: the expression the alarm watches (or the band is built around). */
  readonly expression: string | undefined;
  readonly label: string | undefined;
  readonly comparison: ComparisonOperator;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingDataTreatment;
  readonly logFilters: readonly LogFilterSpec[];
}

export interface CompositeAlarmSpec extends AlarmSpecBase {
  readonly kind: 'composite';
  /** CloudWatch composite alarm rule over the children's names. */
  readonly rule: string;
  readonly children: readonly MetricAlarmSpec[];
}

export type AlarmSpec = MetricAlarmSpec | CompositeAlarmSpec;
