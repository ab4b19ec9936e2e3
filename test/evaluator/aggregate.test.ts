import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { aggregate, InputError, parseStatistic } from '../../lib/core/evaluator';

const _ = Number.NaN;
// Two 60 s periods: samples at 0, 20, 40 s (period 0), 60, 80 s (period 1), a gap at 100 s, 130 s outside.
const samples = { times: [0, 20_000, 40_000, 60_000, 80_000, 100_000, 130_000], values: [4, 1, 7, 10, 30, _, 99] };
const grid = { start: 0, stepMs: 60_000, count: 2 };

describe('aggregate: one datapoint per period with the statistic', () => {
  const cases: readonly (readonly [string, readonly number[]])[] = [
    ['Sum', [12, 40]],
    ['Average', [4, 20]],
    ['Minimum', [1, 10]],
    ['Maximum', [7, 30]],
    ['SampleCount', [3, 2]],
    ['p50', [4, 10]],
    ['p95', [7, 30]],
    ['p0.1', [1, 10]],
  ];
  for (const [statistic, expected] of cases) {
    it(`${statistic} -> [${expected.join(', ')}]`, () => {
      // GIVEN raw samples / WHEN aggregated / THEN
      assert.deepEqual(Array.from(aggregate(samples, parseStatistic(statistic), grid)), expected);
    });
  }

  it('gives no datapoint for a period without samples', () => {
    const values = aggregate({ times: [0], values: [5] }, parseStatistic('SampleCount'), { start: 0, stepMs: 60_000, count: 3 });
    assert.deepEqual(Array.from(values), [1, _, _]);
  });

  it('uses the nearest rank for percentiles: p95 of 18 fast and 2 slow requests is the slow one', () => {
    const values = [...Array(18).fill(1), 4.5, 4.5];
    const p95 = aggregate({ times: values.map((_v, i) => i * 3000), values }, parseStatistic('p95'), { start: 0, stepMs: 60_000, count: 1 });
    assert.deepEqual(Array.from(p95), [4.5]);
  });

  // Period-long windows sliding by one step: values 1..6, one per step, windows of 3 steps.
  const sliding = { times: [0, 1, 2, 3, 4, 5].map((i) => i * 60_000), values: [1, 2, 3, 4, 5, 6] };
  const windows: readonly (readonly [string, readonly number[]])[] = [
    ['Sum', [1, 3, 6, 9, 12, 15]],
    ['Average', [1, 1.5, 2, 3, 4, 5]],
    ['Minimum', [1, 1, 1, 2, 3, 4]],
    ['Maximum', [1, 2, 3, 4, 5, 6]],
    ['SampleCount', [1, 2, 3, 3, 3, 3]],
    ['p50', [1, 1, 2, 3, 4, 5]],
  ];
  for (const [statistic, expected] of windows) {
    it(`${statistic} over 3-step sliding windows -> [${expected.join(', ')}]`, () => {
      const values = aggregate(sliding, parseStatistic(statistic), { start: 0, stepMs: 60_000, count: 6 }, 3);
      assert.deepEqual(Array.from(values), expected);
    });
  }

  it('keeps long sliding sums exact enough: a rolling day of one-minute samples', () => {
    // GIVEN 3 days of 0.1 per minute, windows of 1440 steps (the incremental path)
    const n = 3 * 1440;
    const values = Array.from({ length: n }, () => 0.1);
    const sums = aggregate({ times: values.map((_v, i) => i * 60_000), values }, parseStatistic('Sum'), { start: 0, stepMs: 60_000, count: n }, 1440);
    // THEN every full window sums to 144 within a billionth
    for (let b = 1439; b < n; b++) assert.ok(Math.abs(sums[b]! - 144) < 1e-9, `window ending at step ${b}: ${sums[b]}`);
  });

  for (const statistic of ['avg', 'p101', 'P95', 'tm99']) {
    it(`rejects the statistic "${statistic}"`, () => {
      assert.throws(
        () => parseStatistic(statistic),
        (e: unknown) => e instanceof InputError && e.message.includes(`"${statistic}"`),
      );
    });
  }
});
