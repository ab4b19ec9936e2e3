import type { AlarmSpec, MetricAlarmSpec } from './alarms/alarm-spec';

/**
 * CloudWatch alarm prices, us-east-1, USD per month (https://aws.amazon.com/cloudwatch/pricing/, "Alarms",
 * read 2026-11). Metric math alarms are billed per metric they read; anomaly detection alarms count three
 * metrics per metric (the metric and the two band bounds).
 */
export const PRICE_STANDARD_ALARM_METRIC_USD = 0.1;
export const PRICE_HIGH_RESOLUTION_ALARM_METRIC_USD = 0.3;
export const PRICE_COMPOSITE_ALARM_USD = 0.5;
export const ANOMALY_METRICS_PER_METRIC = 3;

/** Monthly price of one alarm spec (a composite includes its children). */
export function monthlyAlarmCost(spec: AlarmSpec): number {
  if (spec.kind === 'composite') return PRICE_COMPOSITE_ALARM_USD + spec.children.reduce((sum, child) => sum + metricAlarmCost(child), 0);
  return metricAlarmCost(spec);
}

function metricAlarmCost(spec: MetricAlarmSpec): number {
  const perMetric = spec.periodSeconds < 60 ? PRICE_HIGH_RESOLUTION_ALARM_METRIC_USD : PRICE_STANDARD_ALARM_METRIC_USD;
  const metrics = spec.metrics.length * (spec.kind === 'anomaly' ? ANOMALY_METRICS_PER_METRIC : 1);
  return perMetric * metrics;
}
