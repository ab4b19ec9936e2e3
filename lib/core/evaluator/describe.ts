import type { AlarmSpec } from '../alarms/alarm-spec';
import { describeCondition } from './comparison';

/**
 * An alarm's rule in one line, for reports: `IF(...) > 0.05 for 5 of 5 periods of 60 s, missing data:
 * notBreaching`, or a composite's rule.
 */
export function describeAlarm(spec: AlarmSpec): string {
  if (spec.kind === 'composite') return `composite: ${spec.rule}`;
  const watched = spec.expression ?? `${spec.metrics[0]?.metric.metricName ?? '?'} ${spec.metrics[0]?.metric.statistic ?? ''}`.trim();
  const m = spec.datapointsToAlarm;
  const n = spec.evaluationPeriods;
  return `${watched} ${describeCondition(spec.comparison, spec.threshold)} for ${m} of ${n} periods of ${spec.periodSeconds} s, missing data: ${spec.treatMissingData}`;
}
