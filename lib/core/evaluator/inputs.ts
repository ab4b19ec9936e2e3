import type { AlarmSpec, MetricAlarmSpec } from '../alarms/alarm-spec';
import type { MetricSamples } from './aggregate';
import { isBandOperator } from './comparison';
import type { AlarmInput } from './evaluate';
import { InputError } from './errors';

/**
 * Names of input series (test file `series:` keys, CSV columns) and where their samples go:
 *
 * - a metric query id of the alarm (`spec.metrics[].id`, e.g. `requests`, `errors1`, `m1`);
 * - the CloudWatch metric name, when only one of the alarm's metrics has it (e.g. `RequestCount`);
 * - `band.lower` / `band.upper` for an anomaly-detection alarm;
 * - for a composite alarm, `<child>.<key>` where `<child>` is the child's instance (e.g. `us-east-1`) or
 *   its alarm name, and `<key>` one of the above for that child.
 */
export type SeriesTarget =
  | { readonly alarmName: string; readonly kind: 'metric'; readonly id: string }
  | { readonly alarmName: string; readonly kind: 'band'; readonly bound: 'lower' | 'upper' };

/** The keys an alarm accepts, for messages: `requests (RequestCount)`, `band.upper`, ... */
export function describeSeriesKeys(spec: AlarmSpec): string[] {
  if (spec.kind === 'composite') {
    return spec.children.flatMap((child) => describeSeriesKeys(child).map((key) => `${child.instance ?? child.alarmName}.${key}`));
  }
  const keys = spec.metrics.map((q) => `${q.id} (${q.metric.metricName})`);
  return isBandOperator(spec.comparison) ? [...keys, 'band.lower', 'band.upper'] : keys;
}

/**
 * Resolves a series name against an alarm.
 * @throws InputError listing the names the alarm accepts
 */
export function resolveSeriesKey(spec: AlarmSpec, key: string): SeriesTarget {
  const target = spec.kind === 'composite' ? resolveChildKey(spec.children, key) : resolveMetricKey(spec, key);
  if (target === undefined) {
    throw new InputError(`series "${key}" does not belong to ${spec.alarmName}; it reads ${describeSeriesKeys(spec).join(', ')}`);
  }
  return target;
}

function resolveChildKey(children: readonly MetricAlarmSpec[], key: string): SeriesTarget | undefined {
  for (const child of children) {
    for (const prefix of [child.instance, child.alarmName]) {
      if (prefix !== undefined && key.startsWith(`${prefix}.`)) return resolveMetricKey(child, key.slice(prefix.length + 1));
    }
  }
  return undefined;
}

function resolveMetricKey(spec: MetricAlarmSpec, key: string): SeriesTarget | undefined {
  const alarmName = spec.alarmName;
  if ((key === 'band.lower' || key === 'band.upper') && isBandOperator(spec.comparison)) {
    return { alarmName, kind: 'band', bound: key === 'band.lower' ? 'lower' : 'upper' };
  }
  const byId = spec.metrics.find((q) => q.id === key);
  if (byId) return { alarmName, kind: 'metric', id: byId.id };
  const byName = spec.metrics.filter((q) => q.metric.metricName === key);
  if (byName.length === 1) return { alarmName, kind: 'metric', id: byName[0]!.id };
  if (byName.length > 1) throw new InputError(`series "${key}" is ambiguous in ${alarmName}: use one of the ids ${byName.map((q) => q.id).join(', ')}`);
  return undefined;
}

/**
 * Sorts named samples into the inputs of the alarm and, for a composite, of its children.
 * @returns the input of every alarm that receives data, by alarm name
 * @throws InputError for an unknown name, or two names for the same metric
 */
export function bindSeries(spec: AlarmSpec, series: ReadonlyMap<string, MetricSamples>): Record<string, AlarmInput> {
  const inputs: Record<string, { metrics: Record<string, MetricSamples>; band: { lower?: MetricSamples; upper?: MetricSamples } }> = {};
  const seen = new Map<string, string>();
  for (const [key, samples] of series) {
    const target = resolveSeriesKey(spec, key);
    const slot = `${target.alarmName}/${target.kind === 'metric' ? target.id : `band.${target.bound}`}`;
    const earlier = seen.get(slot);
    if (earlier !== undefined) throw new InputError(`series "${key}" and "${earlier}" are the same metric of ${target.alarmName}; give it once`);
    seen.set(slot, key);
    const input = (inputs[target.alarmName] ??= { metrics: {}, band: {} });
    if (target.kind === 'metric') input.metrics[target.id] = samples;
    else input.band[target.bound] = samples;
  }
  return inputs;
}
