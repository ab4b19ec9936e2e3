import { CfnTag, Fn } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AlarmSpec, MetricAlarmSpec } from '../core/alarms/alarm-spec';

/** The ARNs of the topics an alarm notifies: its severity's topic and any role topic it pages directly. */
export type TopicArnsFor = (spec: AlarmSpec) => string[];

/**
 * Turns resolved alarm specs into CloudFormation alarms. The specs already hold every decision (names,
 * thresholds, metrics); this factory only wires them, so what a test reads in a spec is what is deployed.
 * L1 constructs keep the metric ids of the spec verbatim, which the backtest evaluator relies on.
 */
export class AlarmFactory {
  public constructor(
    private readonly scope: Construct,
    private readonly topicArnsFor: TopicArnsFor,
  ) {}

  /** Adds the alarm (and its metric filters or children) to the scope. */
  public add(spec: AlarmSpec): void {
    if (spec.kind === 'composite') {
      const children = spec.children.map((child) => this.metricAlarm(child));
      const composite = new cloudwatch.CfnCompositeAlarm(this.scope, constructId(spec.alarmName), {
        alarmName: spec.alarmName,
        alarmDescription: spec.description,
        alarmRule: spec.rule,
        actionsEnabled: true,
        alarmActions: this.topicArnsFor(spec),
        okActions: this.topicArnsFor(spec),
        tags: tagsOf(spec),
      });
      children.forEach((child) => composite.addResourceDependency(child));
      return;
    }
    this.metricAlarm(spec);
  }

  private metricAlarm(spec: MetricAlarmSpec): cloudwatch.CfnAlarm {
    const actions = spec.notifies ? this.topicArnsFor(spec) : undefined;
    const alarm = new cloudwatch.CfnAlarm(this.scope, constructId(spec.alarmName), {
      alarmName: spec.alarmName,
      alarmDescription: spec.description,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      actionsEnabled: spec.notifies,
      alarmActions: actions,
      okActions: actions,
      tags: tagsOf(spec),
      ...measurement(spec),
    });
    spec.logFilters.forEach((filter) => {
      const metricFilter = new logs.CfnMetricFilter(this.scope, constructId(filter.filterName), {
        filterName: filter.filterName,
        logGroupName: filter.logGroupName,
        filterPattern: filter.pattern,
        metricTransformations: [{ metricNamespace: filter.metricNamespace, metricName: filter.metricName, metricValue: '1', unit: 'Count' }],
      });
      alarm.addResourceDependency(metricFilter);
    });
    return alarm;
  }
}

function measurement(spec: MetricAlarmSpec): Partial<cloudwatch.CfnAlarmProps> {
  const stats = spec.metrics.map(
    (q): cloudwatch.CfnAlarm.MetricDataQueryProperty => ({
      id: q.id,
      returnData: false,
      metricStat: {
        metric: {
          namespace: q.metric.namespace,
          metricName: q.metric.metricName,
          dimensions: dimensionsOf(q.metric.dimensions),
        },
        period: spec.periodSeconds,
        stat: q.metric.statistic,
      },
    }),
  );
  switch (spec.kind) {
    case 'metric': {
      const metric = spec.metrics[0]!.metric;
      const percentile = /^p\d/.test(metric.statistic);
      return {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: dimensionsOf(metric.dimensions),
        period: spec.periodSeconds,
        ...(percentile ? { extendedStatistic: metric.statistic } : { statistic: metric.statistic }),
        threshold: spec.threshold,
      };
    }
    case 'math':
      return {
        threshold: spec.threshold,
        metrics: [...stats, { id: 'expr', expression: spec.expression, label: spec.label, returnData: true }],
      };
    case 'anomaly':
      // The band is the threshold: the alarm compares the expression with ANOMALY_DETECTION_BAND(expr, N).
      return {
        thresholdMetricId: 'band',
        metrics: [
          ...stats,
          { id: 'expr', expression: spec.expression, label: spec.label, returnData: true },
          { id: 'band', expression: `ANOMALY_DETECTION_BAND(expr, ${spec.threshold})`, label: `${spec.label} (expected band)`, returnData: true },
        ],
      };
  }
}

function dimensionsOf(dimensions: Readonly<Record<string, string>>): cloudwatch.CfnAlarm.DimensionProperty[] {
  return Object.entries(dimensions).map(([name, value]) => ({ name, value: dimensionValue(value) }));
}

/** A value naming a pseudo parameter (`${AWS::AccountId}`: a state machine's ARN) becomes an Fn::Sub. */
export function dimensionValue(value: string): string {
  return value.includes('${AWS::') ? Fn.sub(value) : value;
}

function tagsOf(spec: AlarmSpec): CfnTag[] {
  const tags: CfnTag[] = [
    { key: 'AlertId', value: spec.alertId },
    { key: 'Severity', value: spec.severity },
    { key: 'Category', value: spec.category },
  ];
  if (spec.service !== undefined) tags.push({ key: 'Service', value: spec.service });
  return tags;
}

/** Construct ids from names: stable across synths, so CloudFormation logical ids never churn. */
function constructId(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}
