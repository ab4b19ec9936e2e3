import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { CompositeAlarmSpec, MetricAlarmSpec } from '../../lib/core/alarms/alarm-spec';
import { ENVIRONMENTS } from '../../config';
import {
  compileAlarm,
  evaluateComposite,
  evaluateMetricAlarm,
  ExpressionError,
  findAlarm,
  InputError,
  parseRule,
  parseSeries,
  resolveAlarmSet,
  type MetricSamples,
} from '../../lib/core/evaluator';

const MIN = 60_000;
const set = resolveAlarmSet('default', ENVIRONMENTS);
const metricAlarm = (alert: string): MetricAlarmSpec => {
  const spec = findAlarm(set, { alert });
  assert.notEqual(spec.kind, 'composite');
  return spec as MetricAlarmSpec;
};
/** Samples every `interval` ms from 0, in the compact notation. */
const samples = (notation: string, interval = MIN): MetricSamples => {
  const values = parseSeries(notation);
  return { times: values.map((_, i) => i * interval), values };
};

describe('evaluateMetricAlarm', () => {
  it('fires at the end of the period that completes M of N and records why', () => {
    // GIVEN HighCPUUtilization: CPU > 90 for 10 of 10 one-minute periods
    const spec = metricAlarm('HighCPUUtilization');
    // WHEN CPU is 50 for 5 minutes, then 95 for 10
    const timeline = evaluateMetricAlarm(spec, { metrics: { m1: samples('50x5 95x10') } }, { start: 0, end: 15 * MIN });
    // THEN the alarm is OK from the first evaluation, and ALARM exactly 10 breaching minutes later
    assert.deepEqual(
      timeline.transitions.map((t) => [t.at / MIN, t.from, t.to]),
      [
        [1, 'INSUFFICIENT_DATA', 'OK'],
        [15, 'OK', 'ALARM'],
      ],
    );
    assert.match(timeline.transitions[1]!.reason, /^10 of the last 10 datapoints breaching \(> 90\), 10 needed \[95, 95/);
    assert.equal(timeline.stateAt(14 * MIN + 59_999), 'OK');
    assert.equal(timeline.stateAt(0), 'INSUFFICIENT_DATA', 'before the first evaluation');
  });

  it('counts M of N, not consecutive datapoints', () => {
    // GIVEN a 2-of-3 variant of HighCPUUtilization (> 90, one-minute periods)
    const spec: MetricAlarmSpec = { ...metricAlarm('HighCPUUtilization'), evaluationPeriods: 3, datapointsToAlarm: 2 };
    // WHEN every other minute is hot
    const timeline = evaluateMetricAlarm(spec, { metrics: { m1: samples('95 50 95 50 50') } }, { start: 0, end: 5 * MIN });
    // THEN two breaching of the last three fire; one of three recovers
    assert.equal(timeline.stateAt(3 * MIN), 'ALARM');
    assert.equal(timeline.stateAt(4 * MIN), 'OK');
  });

  it('slides period-long windows every minute by default, and aligns them to the clock with wallClock', () => {
    // GIVEN SchemaViolation (> 0 in each of two 5-minute periods) and violations at 10m and 16m only
    const spec = metricAlarm('SchemaViolation');
    const input = { metrics: { m1: samples('0x10 1 0x5 1 0x8') } };
    // WHEN evaluated with CloudWatch's default sliding window, and with a wall-clock window
    const sliding = evaluateMetricAlarm(spec, input, { start: 0, end: 25 * MIN });
    const wallClock = evaluateMetricAlarm(spec, input, { start: 0, end: 25 * MIN, evaluationWindow: 'wallClock' });
    // THEN sliding: windows [12m, 17m) and [7m, 12m) both hold a violation at 17m
    assert.equal(sliding.stepMs, MIN);
    assert.deepEqual(
      sliding.transitions.map((t) => [t.at / MIN, t.to]),
      [
        [1, 'OK'],
        [17, 'ALARM'],
        [21, 'OK'],
      ],
    );
    // ... wall clock: periods [10m, 15m) and [15m, 20m), evaluated at 20m
    assert.equal(wallClock.stepMs, 5 * MIN);
    assert.deepEqual(
      wallClock.transitions.map((t) => [t.at / MIN, t.to]),
      [
        [5, 'OK'],
        [20, 'ALARM'],
        [25, 'OK'],
      ],
    );
  });

  it('aggregates raw samples with the statistic of the metric (p95 per minute)', () => {
    // GIVEN HighAPILatency (p95 > 4 s for 10 minutes) and 20 requests per minute, 2 of them slow
    const spec = metricAlarm('HighAPILatency');
    const timeline = evaluateMetricAlarm(spec, { metrics: { m1: samples('(1x18 4.5x2)x10', 3000) } }, { start: 0, end: 10 * MIN });
    // THEN p95 is 4.5 s every minute and the alarm fires after 10 minutes
    assert.deepEqual(Array.from(timeline.values), Array(10).fill(4.5));
    assert.equal(timeline.stateAt(10 * MIN), 'ALARM');
  });

  it('compares anomaly alarms with the band given as input', () => {
    // GIVEN UsageDrop: requests below the band's lower bound for 6 of 6 five-minute periods
    const spec = metricAlarm('UsageDrop');
    const band = { lower: samples('500x12', 5 * MIN) };
    // WHEN traffic drops from 1000 to 200 per period
    const timeline = evaluateMetricAlarm(spec, { metrics: { requests: samples('1000x6 200x6', 5 * MIN) }, band }, { start: 0, end: 60 * MIN });
    // THEN it fires once six 5-minute windows, 5 minutes apart, each hold a low sample (from 30m on)
    assert.equal(timeline.stateAt(55 * MIN), 'OK');
    assert.equal(timeline.stateAt(56 * MIN), 'ALARM');
  });

  it('treats a period without the band bound as missing, and refuses a band alarm without a band', () => {
    const spec = metricAlarm('UnusualErrorRateIncrease');
    const metrics = { requests: samples('1000x3', 5 * MIN), errors1: samples('100x3', 5 * MIN) };
    // GIVEN a band with a hole in the second period
    const timeline = evaluateMetricAlarm(spec, { metrics, band: { upper: samples('0.02 _ 0.02', 5 * MIN) } }, { start: 0, end: 15 * MIN });
    assert.deepEqual(Array.from(timeline.classes), [...Array(5).fill(1), ...Array(5).fill(-1), ...Array(5).fill(1)]);
    // WHEN no band at all / THEN the error names the series to give
    assert.throws(() => evaluateMetricAlarm(spec, { metrics }, { start: 0, end: 3 * MIN }), /give the series band\.upper/);
  });

  it('rejects an expression that reads a metric the alarm does not define', () => {
    const spec: MetricAlarmSpec = { ...metricAlarm('HighDiskUsage'), expression: '100 * used / total' };
    assert.throws(
      () => compileAlarm(spec),
      (e: unknown) => e instanceof ExpressionError && /reads total, which the alarm does not define/.test(e.message),
    );
  });
});

describe('composite alarms', () => {
  const composite = findAlarm(set, { alert: 'PartialRegionOutage' }) as CompositeAlarmSpec;
  const [east, west] = composite.children;
  const inputs = (eastNotation: string, westNotation: string) => ({
    [east!.alarmName]: { metrics: { m1: samples(eastNotation) } },
    [west!.alarmName]: { metrics: { m1: samples(westNotation) } },
  });

  const cases: readonly (readonly [string, string, string, string])[] = [
    ['one region down, the other serving', '1x5 0x5', '1x10', 'ALARM'],
    ['every region down (the P1 alerts page instead)', '1x5 0x5', '1x5 0x5', 'OK'],
    ['every region healthy', '1x10', '1x10', 'OK'],
  ];
  for (const [title, eastData, westData, expected] of cases) {
    it(`${title} -> ${expected}`, () => {
      // GIVEN the resolved rule "(ALARM(east) OR ALARM(west)) AND NOT (ALARM(east) AND ALARM(west))"
      // WHEN
      const timeline = evaluateComposite(composite, inputs(eastData, westData), { start: 0, end: 10 * MIN });
      // THEN
      assert.equal(timeline.stateAt(10 * MIN), expected);
    });
  }

  it('stays INSUFFICIENT_DATA while every child is', () => {
    const timeline = evaluateComposite(composite, {}, { start: 0, end: 3 * MIN, initialState: 'INSUFFICIENT_DATA' });
    // Children treat missing data as breaching, so they go to ALARM: with both in ALARM the rule is false.
    assert.equal(timeline.stateAt(0), 'INSUFFICIENT_DATA');
    assert.equal(timeline.stateAt(MIN), 'OK');
  });

  it('parses every rule function and operator', () => {
    const rule = parseRule('ALARM(a) AND NOT (OK("b c") OR INSUFFICIENT_DATA(d)) OR TRUE AND FALSE');
    assert.deepEqual(rule, {
      kind: 'or',
      left: {
        kind: 'and',
        left: { kind: 'state', state: 'ALARM', alarm: 'a' },
        right: {
          kind: 'not',
          operand: { kind: 'or', left: { kind: 'state', state: 'OK', alarm: 'b c' }, right: { kind: 'state', state: 'INSUFFICIENT_DATA', alarm: 'd' } },
        },
      },
      right: { kind: 'and', left: { kind: 'constant', value: true }, right: { kind: 'constant', value: false } },
    });
    assert.throws(() => parseRule('ALARM(a) AND'), /ends too early/);
    assert.throws(() => parseRule('ALARM(a) XOR ALARM(b)'), /column 10/);
  });

  it('refuses a rule that names an alarm outside its children', () => {
    const broken: CompositeAlarmSpec = { ...composite, rule: 'ALARM("somewhere-else")' };
    assert.throws(
      () => evaluateComposite(broken, {}, { start: 0, end: 1 * MIN }),
      (e: unknown) => e instanceof InputError && /names somewhere-else/.test(e.message),
    );
  });
});
