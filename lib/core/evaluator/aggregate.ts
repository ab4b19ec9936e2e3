import { InputError } from './errors';

/** Raw samples of one metric: parallel arrays of epoch milliseconds and values (NaN: no sample). */
export interface MetricSamples {
  readonly times: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/**
 * The evaluation steps: `count` steps of `stepMs`, the first starting at `start` (epoch ms). Step `b` covers
 * `[start + b * stepMs, start + (b + 1) * stepMs)`; the alarm is evaluated at the end of each step.
 */
export interface StepGrid {
  readonly start: number;
  readonly stepMs: number;
  readonly count: number;
}

/** A CloudWatch statistic, parsed. */
export type Statistic = { readonly kind: 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' } | { readonly kind: 'percentile'; readonly p: number };

const SIMPLE = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'] as const;

/** Windows up to this many steps are summed directly (exact and order-stable); longer ones incrementally. */
const DIRECT_SUM_STEPS = 64;

/**
 * Reads `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount` or a percentile `pNN` / `pNN.NN`.
 * @throws InputError naming the statistic received
 */
export function parseStatistic(text: string): Statistic {
  const simple = SIMPLE.find((s) => s === text);
  if (simple) return { kind: simple };
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(text);
  if (percentile) return { kind: 'percentile', p: Number(percentile[1]) };
  throw new InputError(`unsupported statistic "${text}": use Sum, Average, Minimum, Maximum, SampleCount or pNN`);
}

/**
 * One datapoint per step, as CloudWatch computes a MetricStat: the statistic over the samples of the
 * `windowSteps` steps ending with that step (a period-long window that slides by one step). With
 * `windowSteps` 1 the windows are the steps themselves. A window without samples has no datapoint (NaN);
 * samples outside the grid are ignored.
 *
 * Percentiles use the nearest-rank method on the raw samples. CloudWatch computes them from its own
 * compressed distribution, so values can differ slightly when a window holds few samples.
 */
export function aggregate(samples: MetricSamples, statistic: Statistic, grid: StepGrid, windowSteps = 1): Float64Array {
  const buckets = bucketIndex(samples, grid);
  switch (statistic.kind) {
    case 'Sum':
    case 'Average':
    case 'SampleCount':
      return sums(samples, buckets, grid.count, windowSteps, statistic.kind);
    case 'Minimum':
    case 'Maximum':
      return extremes(samples, buckets, grid.count, windowSteps, statistic.kind === 'Maximum');
    case 'percentile':
      return percentiles(samples, buckets, grid.count, windowSteps, statistic.p);
  }
}

/** Step of each sample, or -1 for a missing value or a time outside the grid. */
function bucketIndex(samples: MetricSamples, grid: StepGrid): Int32Array {
  const { times, values } = samples;
  const out = new Int32Array(times.length);
  const end = grid.start + grid.count * grid.stepMs;
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    out[i] = Number.isNaN(values[i]!) || t < grid.start || t >= end ? -1 : Math.floor((t - grid.start) / grid.stepMs);
  }
  return out;
}

function sums(samples: MetricSamples, buckets: Int32Array, count: number, k: number, kind: 'Sum' | 'Average' | 'SampleCount'): Float64Array {
  const sum = new Float64Array(count);
  const n = new Float64Array(count);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b < 0) continue;
    sum[b] = sum[b]! + samples.values[i]!;
    n[b] = n[b]! + 1;
  }
  const out = new Float64Array(count);
  const finish = (b: number, s: number, c: number): void => {
    out[b] = c === 0 ? Number.NaN : kind === 'Sum' ? s : kind === 'Average' ? s / c : c;
  };
  if (k <= DIRECT_SUM_STEPS) {
    for (let b = 0; b < count; b++) {
      let s = 0;
      let c = 0;
      for (let j = Math.max(0, b - k + 1); j <= b; j++) {
        s += sum[j]!;
        c += n[j]!;
      }
      finish(b, s, c);
    }
    return out;
  }
  // Long windows (a one-day period evaluated every minute): running sums with Neumaier compensation.
  let s = 0;
  let compensation = 0;
  let c = 0;
  const add = (v: number): void => {
    const t = s + v;
    compensation += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  };
  for (let b = 0; b < count; b++) {
    add(sum[b]!);
    c += n[b]!;
    if (b >= k) {
      add(-sum[b - k]!);
      c -= n[b - k]!;
    }
    finish(b, c === 0 ? 0 : s + compensation, c);
  }
  return out;
}

function extremes(samples: MetricSamples, buckets: Int32Array, count: number, k: number, max: boolean): Float64Array {
  const best = new Float64Array(count).fill(Number.NaN);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b < 0) continue;
    const v = samples.values[i]!;
    const current = best[b]!;
    if (Number.isNaN(current) || (max ? v > current : v < current)) best[b] = v;
  }
  if (k === 1) return best;
  // Sliding window minimum/maximum: a monotonic queue of step indices.
  const out = new Float64Array(count);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  for (let b = 0; b < count; b++) {
    const v = best[b]!;
    if (!Number.isNaN(v)) {
      while (tail > head && (max ? best[queue[tail - 1]!]! <= v : best[queue[tail - 1]!]! >= v)) tail -= 1;
      queue[tail++] = b;
    }
    while (tail > head && queue[head]! <= b - k) head += 1;
    out[b] = tail > head ? best[queue[head]!]! : Number.NaN;
  }
  return out;
}

function percentiles(samples: MetricSamples, buckets: Int32Array, count: number, k: number, p: number): Float64Array {
  // Values grouped by step (counting sort), each group sorted once.
  const starts = new Int32Array(count + 1);
  for (const b of buckets) if (b >= 0) starts[b + 1] = starts[b + 1]! + 1;
  for (let b = 0; b < count; b++) starts[b + 1] = starts[b + 1]! + starts[b]!;
  const grouped = new Float64Array(starts[count]!);
  const next = starts.slice(0, count);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (b < 0) continue;
    grouped[next[b]!] = samples.values[i]!;
    next[b] = next[b]! + 1;
  }
  for (let b = 0; b < count; b++) grouped.subarray(starts[b]!, starts[b + 1]!).sort();
  const out = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const from = starts[Math.max(0, b - k + 1)]!;
    const to = starts[b + 1]!;
    const n = to - from;
    if (n === 0) {
      out[b] = Number.NaN;
      continue;
    }
    // Consecutive steps are contiguous in `grouped`: sort the window's slice only when it spans several steps.
    const window = k === 1 ? grouped.subarray(from, to) : grouped.slice(from, to).sort();
    out[b] = window[Math.min(n, Math.max(1, Math.ceil((p / 100) * n))) - 1]!;
  }
  return out;
}
