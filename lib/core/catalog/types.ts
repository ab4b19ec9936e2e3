/**
 * The alert catalog's vocabulary. Plain data only: this module (and everything under lib/core/catalog)
 * imports nothing from aws-cdk-lib, so the stack, the Lambda responders and the on-call CLI share it.
 */

/** Severity labels of the runbook: P1 critical .. P4 informational. */
export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The runbook's six alert categories, the informational P4 events, and the stack watching itself. */
export const CATEGORIES = ['infrastructure', 'model-performance', 'data-quality', 'business', 'cost', 'security', 'informational', 'self-monitoring'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Ids of the automatic mitigations a responder can run (implemented in lambdas/). */
export const MITIGATION_IDS = ['ecs-rollback', 'fallback-mode', 'rate-limit', 'ai-kill-switch', 'rds-scale-up', 'ecs-scale-out'] as const;
export type MitigationId = (typeof MITIGATION_IDS)[number];

/** CloudWatch alarm comparison operators, as CloudFormation spells them. */
export const COMPARISON_OPERATORS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** How an alarm treats periods with no datapoint (CloudWatch's four treatments). */
export const MISSING_DATA_TREATMENTS = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
export type MissingDataTreatment = (typeof MISSING_DATA_TREATMENTS)[number];

/** Where a metric comes from. Resolved against the environment's config into namespace + dimensions. */
export type MetricSource =
  /** The AI service's own custom metrics: `config.metrics.namespace` with `config.metrics.dimensions`. */
  | 'ai'
  /** The service's API front door (ALB, API Gateway or custom metrics, per `services[].api`). */
  | 'api'
  /** ECS service metrics (AWS/ECS, ClusterName + ServiceName). */
  | 'ecs'
  /** ECS Container Insights metrics (ECS/ContainerInsights, ClusterName + ServiceName). */
  | 'ecs-insights'
  /** RDS instance metrics (AWS/RDS, DBInstanceIdentifier). */
  | 'rds'
  /** ACM certificate metrics (AWS/CertificateManager, CertificateArn). */
  | 'acm'
  /** Per-region health metrics of the AI service (custom namespace, `Region` dimension). */
  | 'region'
  /** The responder Lambda of this stack (AWS/Lambda, FunctionName). */
  | 'responder-function'
  /** The responders' dead-letter queue (AWS/SQS, QueueName). */
  | 'dead-letter-queue'
  /** The escalation's starter and pager functions (AWS/Lambda, one metric each, summed). */
  | 'escalation-functions'
  /** The escalation and verification state machines (AWS/States, StateMachineArn, one metric each, summed). */
  | 'escalation-state-machines';

/**
 * Logical names for the API front door's metrics. Each API source kind (alb, apigateway, custom) maps
 * these to its real metric names and units, so a catalog entry never names a vendor metric.
 */
export type ApiMetric = 'requests' | 'serverErrors' | 'latency';

/** One metric an alarm reads. */
export interface MetricRef {
  /** Where the metric lives; decides namespace and dimensions. */
  readonly source: MetricSource;
  /** Metric name; for source `api`, one of the logical {@link ApiMetric} names. */
  readonly name: string;
  /** CloudWatch statistic: Sum, Average, Maximum, Minimum, SampleCount or a percentile such as p95. */
  readonly statistic: string;
}

/**
 * How an alert is measured. The four kinds map one-to-one onto CloudWatch constructs.
 */
export type Measurement =
  /** A single metric compared with the threshold. */
  | { readonly kind: 'metric'; readonly metric: MetricRef }
  /**
   * A metric math expression over named metrics (ids are lower camel case, as CloudWatch requires).
   * The alarm watches the expression's value.
   */
  | {
      readonly kind: 'math';
      readonly expression: string;
      readonly metrics: Readonly<Record<string, MetricRef>>;
      /** Label shown for the expression in the console and in notifications. */
      readonly label: string;
    }
  /**
   * An anomaly-detection band around a metric or metric math expression; the threshold is the band
   * width in standard deviations.
   */
  | {
      readonly kind: 'anomaly';
      readonly expression: string;
      readonly metrics: Readonly<Record<string, MetricRef>>;
      readonly label: string;
    }
  /**
   * Log events matching a filter pattern are counted into a custom metric by a metric filter on the
   * configured log group; the alarm watches that count.
   */
  | {
      readonly kind: 'log';
      /** Which configured log group the filter reads (a key of `config.logGroups`). */
      readonly logGroup: LogGroupKey;
      /** Named filter patterns; `config.logPatterns` may replace them per alert. */
      readonly patterns: Readonly<Record<string, string>>;
      /** Name of the metric the filters increment. */
      readonly metricName: string;
    }
  /**
   * A composite alarm over per-region child alarms: fires when some but not all regions are unhealthy.
   * Children are generated from `config.regions`, watch `child` with the alert's threshold, comparison and
   * duration, and carry no actions of their own (only the composite pages).
   */
  | { readonly kind: 'composite-regions'; readonly child: MetricRef };

export const LOG_GROUP_KEYS = ['modelOutput', 'access', 'application'] as const;
export type LogGroupKey = (typeof LOG_GROUP_KEYS)[number];

/**
 * A threshold that depends on the environment. Numbers are used as they are; the other forms are
 * multiplied by a config value at synth time, so "2x the SLA" stays true when a team changes its SLA.
 */
export type ThresholdSpec =
  | number
  | { readonly times: number; readonly of: 'slaSeconds' | 'dailyBudgetUsd' | 'expectedLlmCallsPerMinute' | 'rdsMaxConnections' };

/** Where an alert is instantiated. */
export type Scope =
  /** Once per environment. */
  | 'global'
  /** Once per configured service. */
  | 'service'
  /** Once per configured service that has an RDS instance. */
  | 'service-rds'
  /** Once per configured ACM certificate. */
  | 'certificate';

/** One alert of the runbook. */
export interface AlertDefinition {
  /** Stable PascalCase id; part of the alarm name, the runbook file name and every audit record. */
  readonly id: string;
  readonly category: Category;
  readonly severity: Severity;
  /** One line: what is wrong, with the runbook's numbers. */
  readonly summary: string;
  /** The runbook's words this entry stands for (used by tests to prove nothing was dropped). */
  readonly runbookWording: readonly string[];
  readonly scope: Scope;
  readonly measurement: Measurement;
  readonly comparison: ComparisonOperator;
  readonly threshold: ThresholdSpec;
  /** Seconds per evaluation period (10, 20, 30 or a multiple of 60). */
  readonly periodSeconds: number;
  /** N of "M out of N". */
  readonly evaluationPeriods: number;
  /**
   * Where the alarm's duration comes from config instead of `evaluationPeriods`: N = M = that many minutes of
   * periods. `dataPipelineWindow` is `dataPipeline.scheduleMinutes + dataPipeline.allowedDelayMinutes`. An alert
   * override's `durationMinutes` still wins. @default the catalog's evaluationPeriods
   */
  readonly durationFrom?: 'dataPipelineWindow';
  /** M of "M out of N". */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingDataTreatment;
  /** Mitigations the responders may run when this alarm enters ALARM (may be empty). */
  readonly mitigations: readonly MitigationId[];
  /** Id of the escalation policy (see escalation.ts) that pages humans for this alert. */
  readonly escalationPolicy: EscalationPolicyId;
  /** Ids of alerts that describe the same incident from another angle (grouped into one incident). */
  readonly relatedAlerts: readonly string[];
  /**
   * Whether the alert affects customers directly (drives the customer-success notice and status page).
   */
  readonly customerFacing: boolean;
  /**
   * Where the runbook contradicts itself about this alert: the choice made and why. Rendered into the
   * alert's runbook page.
   */
  readonly decision?: string;
}

export const ESCALATION_POLICY_IDS = ['p1-standard', 'p1-api-errors', 'p1-security', 'p2-standard', 'p2-security', 'p3-ticket', 'p4-digest'] as const;
export type EscalationPolicyId = (typeof ESCALATION_POLICY_IDS)[number];
