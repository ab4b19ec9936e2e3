import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { MetricAlarmSpec } from '../../lib/core/alarms/alarm-spec';
import type { MissingDataTreatment } from '../../lib/core/catalog';
import { decide, evaluateMetricAlarm, type AlarmState } from '../../lib/core/evaluator';

/**
 * AWS's tables of how alarms evaluate missing data ("Configuring how CloudWatch alarms treat missing data",
 * CloudWatch user guide), one row per case. Data points are oldest first, most recent on the right; the
 * evaluation range is 5; `0` is not breaching, `X` breaching, `-` missing. `keep` is "Retain current state".
 */
type Expected = AlarmState | 'keep';
interface Row {
  readonly data: string;
  readonly m: number;
  readonly missing: Expected;
  readonly ignore: Expected;
  readonly breaching: Expected;
  readonly notBreaching: Expected;
  readonly source: string;
}

const AWS_TABLE: readonly Row[] = [
  // Table 1: Datapoints to Alarm = Evaluation Periods = 3.
  { data: '0 - X - X', m: 3, missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK', source: 'table 1 row 1' },
  { data: '0 - - - -', m: 3, missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK', source: 'table 1 row 2' },
  { data: '- - - - -', m: 3, missing: 'INSUFFICIENT_DATA', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'table 1 row 3' },
  { data: '0 X X - X', m: 3, missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM', source: 'table 1 row 4' },
  { data: '- - X - -', m: 3, missing: 'ALARM', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'table 1 row 5 (premature alarm state)' },
  // Table 2: 2 out of 3.
  { data: '0 - X - X', m: 2, missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM', source: 'table 2 row 1' },
  { data: '0 0 X 0 X', m: 2, missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM', source: 'table 2 row 2' },
  { data: '0 - X - -', m: 2, missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK', source: 'table 2 row 3' },
  { data: '- - - - 0', m: 2, missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK', source: 'table 2 row 4' },
  { data: '- - - X -', m: 2, missing: 'ALARM', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'table 2 row 5 (premature alarm state)' },
];

/** Rows of earlier editions of the same page, and the examples of "Avoiding premature transitions to alarm state". */
const EARLIER_AND_PROSE: readonly Row[] = [
  { data: '- - - - X', m: 3, missing: 'INSUFFICIENT_DATA', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'earlier edition, table 1' },
  { data: 'X - - - -', m: 3, missing: 'ALARM', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'earlier edition, table 1' },
  { data: '- - - - X', m: 2, missing: 'INSUFFICIENT_DATA', ignore: 'keep', breaching: 'ALARM', notBreaching: 'OK', source: 'earlier edition, table 2' },
  {
    data: '- - - X -',
    m: 3,
    missing: 'INSUFFICIENT_DATA',
    ignore: 'keep',
    breaching: 'ALARM',
    notBreaching: 'OK',
    source: 'prose: "- - - X -" does not alarm at once',
  },
];

const TREATMENTS: readonly MissingDataTreatment[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
const CODES: Readonly<Record<string, number>> = { '0': 0, X: 1, '-': -1 };

function spec(m: number, treatMissingData: MissingDataTreatment): MetricAlarmSpec {
  return {
    alarmName: 'table-alarm',
    alertId: 'Table',
    instance: undefined,
    service: undefined,
    severity: 'P3',
    category: 'infrastructure',
    summary: 'table',
    description: 'table',
    runbookUrl: 'https://example.com',
    mitigations: [],
    escalationPolicy: 'p3-ticket',
    customerFacing: false,
    notifies: true,
    alsoNotifies: [],
    kind: 'metric',
    metrics: [{ id: 'm1', metric: { namespace: 'Test', metricName: 'Value', dimensions: {}, statistic: 'Maximum' } }],
    expression: undefined,
    label: undefined,
    comparison: 'GreaterThanThreshold',
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: m,
    treatMissingData,
    logFilters: [],
  };
}

for (const [title, rows] of [
  ['AWS table', AWS_TABLE],
  ['earlier editions and prose', EARLIER_AND_PROSE],
] as const) {
  describe(`missing data: ${title}`, () => {
    for (const row of rows) {
      for (const treatment of TREATMENTS) {
        const expected = row[treatment];
        it(`${row.data} (${row.m} of 3), ${treatment} -> ${expected === 'keep' ? 'current state' : expected}  [${row.source}]`, () => {
          // GIVEN the row's datapoints, oldest first, in an evaluation range of 5
          const classes = row.data.split(' ').map((c) => CODES[c]!);
          for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
            // WHEN the decision alone is taken ...
            const decided = decide(classes, 4, 5, { evaluationPeriods: 3, datapointsToAlarm: row.m, treatMissingData: treatment }, current).state;
            // ... and when the whole evaluator replays the same datapoints from the given state
            const series = row.data.split(' ').map((c) => (c === '-' ? Number.NaN : c === 'X' ? 2 : 0));
            const timeline = evaluateMetricAlarm(
              spec(row.m, treatment),
              { metrics: { m1: { times: series.map((_, i) => i * 60_000), values: series } } },
              { start: 0, end: 5 * 60_000, evaluationRange: 5, initialState: current },
            );
            // THEN both give the table's state
            const want = expected === 'keep' ? current : expected;
            assert.equal(decided, want, `decide() from ${current}`);
            assert.equal(timeline.stateAt(5 * 60_000), want, `evaluator from ${current}`);
          }
        });
      }
    }
  });
}

describe('missing data: the evaluation range', () => {
  it('keeps a non-breaching datapoint in view: 3 of 3 breaching alarm goes to ALARM after 5 silent periods, not 3', () => {
    // GIVEN healthy data, then silence, treated as breaching ("0 - - - -" row and the text under the table)
    const values = [0, 0, 0, 0, 0];
    const timeline = evaluateMetricAlarm(
      spec(3, 'breaching'),
      { metrics: { m1: { times: values.map((_, i) => i * 60_000), values } } },
      { start: 0, end: 10 * 60_000 },
    );
    // WHEN / THEN: OK while the last real datapoint is in the 5-period range, ALARM once it leaves
    assert.equal(timeline.stateAt(9 * 60_000), 'OK');
    assert.equal(timeline.stateAt(10 * 60_000), 'ALARM');
  });

  it('uses the most recent real datapoints when there are enough, ignoring the treatment', () => {
    // GIVEN "X - X - X": three real breaching datapoints among gaps
    const classes = [1, -1, 1, -1, 1];
    for (const treatMissingData of TREATMENTS) {
      // WHEN / THEN
      assert.equal(decide(classes, 4, 5, { evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData }, 'OK').state, 'ALARM', treatMissingData);
    }
  });
});
