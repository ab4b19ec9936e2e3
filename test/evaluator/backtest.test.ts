import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ENVIRONMENTS } from '../../config';
import { backtest, findAlarm, InputError, parseCsv, parseSeries, resolveAlarmSet } from '../../lib/core/evaluator';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const set = resolveAlarmSet('default', ENVIRONMENTS);

/** A CSV of one column, one row a minute from T0, in the compact notation (`_` is an empty cell). */
const csv = (column: string, notation: string): string =>
  [`timestamp,${column}`, ...parseSeries(notation).map((v, i) => `${new Date(T0 + i * MIN).toISOString()},${Number.isNaN(v) ? '' : v}`)].join('\n');

describe('backtest', () => {
  it('counts fires, time in ALARM, the longest episode and flaps', () => {
    // GIVEN HighCPUUtilization (> 90 for 10 minutes) and three hot stretches: 15, 12 and 11 minutes long,
    // the second 30 minutes after the first ended, the third 2 hours after the second
    const data = parseCsv(csv('CPUUtilization', '50x10 95x15 50x30 95x12 50x120 95x11 50x10'), 'cpu.csv');
    // WHEN
    const result = backtest(findAlarm(set, { alert: 'HighCPUUtilization' }), data.series, data);
    // THEN each stretch fires once and stays in ALARM (length - 9) minutes, from the minute the 10th hot sample is in
    assert.equal(result.fires, 3);
    assert.deepEqual(
      result.episodes.map((e) => [(e.start - T0) / MIN, (e.end - e.start) / MIN]),
      [
        [20, 6],
        [65, 3],
        [197, 2],
      ],
    );
    assert.equal(result.timeInAlarmMs, 11 * MIN);
    assert.equal(result.longestAlarmMs, 6 * MIN);
    // ... and only the return within an hour is a flap
    assert.equal(result.flaps, 1);
    assert.equal(backtest(findAlarm(set, { alert: 'HighCPUUtilization' }), data.series, data, { flapWindowMs: 10 * MIN }).flaps, 0);
  });

  it('reports an episode still open at the end of the data', () => {
    const data = parseCsv(csv('m1', '50x5 95x20'), 'cpu.csv');
    const result = backtest(findAlarm(set, { alert: 'HighCPUUtilization' }), data.series, data);
    assert.deepEqual(
      result.episodes.map((e) => [(e.start - T0) / MIN, (e.end - T0) / MIN, e.ongoing]),
      [[15, 25, true]],
    );
  });

  it('counts time in INSUFFICIENT_DATA when a missing-data alarm loses its data', () => {
    // GIVEN HighCPUUtilization treats missing data as missing: 20 minutes of data, 20 without, 5 with
    const data = parseCsv(csv('m1', '50x20 _x20 50x5'), 'cpu.csv');
    const result = backtest(findAlarm(set, { alert: 'HighCPUUtilization' }), data.series, data);
    // THEN INSUFFICIENT_DATA before the first evaluation, then once 12 empty minutes cleared the range
    assert.equal(result.fires, 0);
    assert.equal(result.timeInsufficientMs, 1 * MIN + 9 * MIN);
    assert.equal(result.evaluationsWithoutData, 20);
  });
});

describe('parseCsv', () => {
  it('reads ISO, epoch-second and epoch-millisecond timestamps, empty cells and comments', () => {
    const data = parseCsv(['# a comment', 'timestamp,a,"b"', '2026-01-05T00:00:00Z,1,', '', '1767571260,2,5', '1767571320000,,6'].join('\n'), 'x.csv');
    assert.deepEqual(data.columns, ['a', 'b']);
    assert.deepEqual(Array.from(data.series.get('a')!.times), [T0, T0 + MIN, T0 + 2 * MIN]);
    assert.deepEqual(Array.from(data.series.get('a')!.values), [1, 2, Number.NaN]);
    assert.deepEqual(Array.from(data.series.get('b')!.values), [Number.NaN, 5, 6]);
    assert.deepEqual([data.first, data.last, data.rows], [T0, T0 + 2 * MIN, 3]);
  });

  const bad: readonly (readonly [string, string, RegExp])[] = [
    ['a header without timestamp', 'time,a\n1,2', /^x\.csv:1: the header must be "timestamp,<metric id or name>,\.\.\."/],
    ['a short row', 'timestamp,a,b\n1,2', /^x\.csv:2: expected 3 cells, received 2/],
    ['a value that is not a number', 'timestamp,a\n1,fast', /^x\.csv:2: column a: "fast" is not a number/],
    ['a timestamp that is not one', 'timestamp,a\nyesterday,1', /^x\.csv:2: timestamp "yesterday" is neither ISO 8601 nor epoch seconds/],
    ['no rows', 'timestamp,a\n', /^x\.csv: no data rows/],
  ];
  for (const [title, text, message] of bad) {
    it(`rejects ${title}`, () => {
      assert.throws(
        () => parseCsv(text, 'x.csv'),
        (e: unknown) => e instanceof InputError && message.test(e.message),
      );
    });
  }
});

describe("DataPipelineStalled follows the job's schedule (config.dataPipeline: daily + 6 hours by default)", () => {
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;
  /**
   * A daily job as CloudWatch would hold it: each run starts at 02:00 give or take up to 50 minutes and publishes
   * RecordsProcessed three times over 20 minutes; between runs it publishes nothing (missing data, not zeros).
   */
  const dailyJob = (days: number, missed: readonly number[] = []) => {
    const rows = ['timestamp,RecordsProcessed'];
    for (let day = 0; day < days; day++) {
      if (missed.includes(day)) continue;
      const start = T0 + day * DAY + 2 * HOUR + (((day * 37) % 101) - 50) * MIN;
      for (let i = 0; i < 3; i++) rows.push(`${new Date(start + i * 10 * MIN).toISOString()},${1200 + day}`);
    }
    const data = parseCsv(rows.join('\n'), 'pipeline.csv');
    // The alarm exists from the first run on (a new alarm over a metric that never had data starts in ALARM with
    // missing data breaching); the backtest runs to the end of the last day, 22 hours after the last run.
    return { series: data.series, range: { first: data.first, last: T0 + days * DAY - MIN } };
  };
  const stalled = (s = set) => findAlarm(s, { alert: 'DataPipelineStalled' });

  it('30 days of a healthy daily job fire nothing', () => {
    const { series, range } = dailyJob(31);
    assert.ok(range.last - range.first >= 30 * DAY);
    const result = backtest(stalled(), series, range);
    assert.equal(result.fires, 0);
    assert.equal(result.timeInAlarmMs, 0);
    assert.ok(result.evaluations >= 29 * 24, `evaluated hourly over 30 days (${result.evaluations})`);
  });

  it('one missed run fires once, 6 hours after the run was due, and clears with the next run', () => {
    // GIVEN the run of day 15 never happens (due at about 02:00 on day 15)
    const { series, range } = dailyJob(31, [15]);
    // WHEN
    const result = backtest(stalled(), series, range);
    // THEN one page, within the allowed delay of the missed run (plus one hourly period of granularity) ...
    assert.equal(result.fires, 1);
    const [episode] = result.episodes;
    const due = T0 + 15 * DAY + 2 * HOUR;
    const late = episode!.start - due;
    assert.ok(late >= 6 * HOUR - HOUR && late <= 6 * HOUR + 2 * HOUR, `paged ${late / HOUR} h after the run was due`);
    // ... and the next day's run ends it
    assert.ok(episode!.end > due + DAY - HOUR && episode!.end <= due + DAY + 2 * HOUR, `cleared ${(episode!.end - due) / HOUR} h after the missed run`);
  });

  it('the window is config: a continuous pipeline (scheduleMinutes 0) pages after 6 hours, so a daily job would page daily', () => {
    const continuous = resolveAlarmSet('default', ENVIRONMENTS, { dataPipeline: { scheduleMinutes: 0 } });
    const { series, range } = dailyJob(31);
    assert.equal(backtest(stalled(continuous), series, range).fires, 31);
  });
});
