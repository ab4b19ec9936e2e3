/**
 * Evaluation speed of the alarm evaluator (lib/core/evaluator) on a year of one-minute data: how many raw
 * datapoints per second it turns into alarm states, aggregation, metric math and the missing-data state
 * machine included. `run({ quick: true })` uses one month. Standalone: `node --import tsx tools/bench/evaluator.bench.ts [--quick]`.
 */
import { performance } from 'node:perf_hooks';
import type { MetricAlarmSpec } from '../../lib/core/alarms/alarm-spec';
import { ENVIRONMENTS } from '../../config';
import { compileAlarm, evaluateMetricAlarm, findAlarm, resolveAlarmSet, type MetricSamples } from '../../lib/core/evaluator';
import { type BenchRow, runStandalone } from './bench-row';

const MIN = 60_000;
const YEAR_MINUTES = 525_600;
const MONTH_MINUTES = 43_200;

/** Deterministic one-minute samples with a daily shape, noise, incidents and a gap every few days. */
function series(minutes: number, seed: number, shape: (minute: number, noise: number) => number): MetricSamples {
  let state = seed;
  const times = new Float64Array(minutes);
  const values = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    state = (state * 1664525 + 1013904223) % 4294967296;
    times[m] = m * MIN;
    values[m] = m % 4001 < 3 ? Number.NaN : shape(m, state / 4294967296);
  }
  return { times, values };
}

const incident = (m: number): boolean => m % 10_007 < 40;

function measure(alarm: MetricAlarmSpec, metrics: Record<string, MetricSamples>, minutes: number, repeats: number): { seconds: number; transitions: number } {
  const compiled = compileAlarm(alarm);
  const options = { start: 0, end: minutes * MIN };
  let transitions = evaluateMetricAlarm(compiled, { metrics }, options).transitions.length; // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    transitions = evaluateMetricAlarm(compiled, { metrics }, options).transitions.length;
    best = Math.min(best, performance.now() - started);
  }
  return { seconds: best / 1000, transitions };
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const minutes = opts.quick ? MONTH_MINUTES : YEAR_MINUTES;
  const span = opts.quick ? 'one month' : 'one year';
  const repeats = opts.quick ? 2 : 3;
  const set = resolveAlarmSet('default', ENVIRONMENTS);
  const alarm = (alert: string): MetricAlarmSpec => findAlarm(set, { alert }) as MetricAlarmSpec;
  const daily = (m: number): number => 0.5 + 0.5 * Math.sin(((m % 1440) / 1440) * 2 * Math.PI);

  const requests = series(minutes, 1, (m, r) => Math.round(300 + 700 * daily(m) + 50 * r));
  const cases: readonly { name: string; alarm: MetricAlarmSpec; metrics: Record<string, MetricSamples> }[] = [
    {
      name: 'single-metric alarm (HighCPUUtilization: Average, 60 s x 10)',
      alarm: alarm('HighCPUUtilization'),
      metrics: { m1: series(minutes, 2, (m, r) => (incident(m) ? 95 : 40 + 30 * daily(m) + 10 * r)) },
    },
    {
      name: 'metric math alarm (HighAPIErrorRate: IF/FILL over 3 metrics, 60 s x 5)',
      alarm: alarm('HighAPIErrorRate'),
      metrics: {
        requests,
        errors1: series(minutes, 3, (m, r) => Math.round((incident(m) ? 0.08 : 0.01 * r) * 1000)),
        errors2: series(minutes, 4, (_m, r) => (r < 0.05 ? 1 : Number.NaN)),
      },
    },
    {
      name: 'percentile over sliding 5-minute windows (ElevatedAPILatency: p95, 300 s x 3)',
      alarm: alarm('ElevatedAPILatency'),
      metrics: { m1: series(minutes, 5, (m, r) => (incident(m) ? 3.5 : 0.5 + 2 * r)) },
    },
    {
      name: 'rolling 24-hour sum evaluated every minute (DailyBudgetExceeded: Sum, 86400 s x 1)',
      alarm: alarm('DailyBudgetExceeded'),
      metrics: { m1: series(minutes, 6, (m, r) => (incident(m) ? 40 : 0.8 + r)) },
    },
  ];
  return cases.map(({ name, alarm: spec, metrics }) => {
    const points = Object.values(metrics).reduce((n, s) => n + s.times.length, 0);
    const { seconds, transitions } = measure(spec, metrics, minutes, repeats);
    return {
      name: `evaluator: ${name}`,
      value: Math.round(points / seconds),
      unit: 'datapoints/s',
      note: `${span} of one-minute data: ${points.toLocaleString('en-US')} datapoints, ${minutes.toLocaleString('en-US')} evaluations, ${transitions} transitions in ${(seconds * 1000).toFixed(0)} ms (best of ${repeats})`,
    };
  });
}

if (require.main === module) runStandalone(run);
