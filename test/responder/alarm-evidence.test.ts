import { strict as assert } from 'node:assert';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { describe, it } from 'node:test';
import { readAlarmEvidence } from '../../lambdas/responder/alarm-evidence';
import { treeWindow } from '../../lambdas/responder/tree-window';
import { alarmName } from '../../lib/core/catalog';
import { useResponder } from '../support/responder';

const MINUTE = 60_000;
const T = Date.parse('2026-12-03T08:00:00Z');
const cw = (t: number) => new Date(t).toISOString().replace('Z', '+0000');
/** Reason data as CloudWatch attaches it: newest datapoint first, timestamps at period starts. */
const reason = (minutes: number[], extra: Record<string, unknown> = {}) => ({
  version: '1.0',
  queryDate: cw(T + 20_000),
  startDate: cw(T + (minutes[minutes.length - 1] ?? 0) * MINUTE),
  period: 60,
  recentDatapoints: minutes.map(() => 0.08),
  threshold: 0.05,
  evaluatedDatapoints: minutes.map((m) => ({ timestamp: cw(T + m * MINUTE), value: 0.08 })),
  ...extra,
});
const trigger = { MetricName: 'x', Period: 60, EvaluationPeriods: 5 };

describe('readAlarmEvidence', () => {
  it('reads the window from Trigger and the evaluated datapoints from NewStateReasonData (string or object)', () => {
    for (const data of [JSON.stringify(reason([-3, -4, -5, -6, -7])), reason([-3, -4, -5, -6, -7])]) {
      const e = readAlarmEvidence({ Trigger: trigger, NewStateReasonData: data });
      assert.deepEqual([e.periodSeconds, e.evaluationPeriods, e.problem], [60, 5, undefined]);
      assert.deepEqual(
        e.evaluated!.map((d) => (d.at - T) / MINUTE),
        [-7, -6, -5, -4, -3],
        'oldest first',
      );
      assert.equal(e.queryDate, T + 20_000);
    }
  });

  it('leaves out datapoints listed without a value (missing ones)', () => {
    const data = reason([-3, -4]);
    (data.evaluatedDatapoints as Record<string, unknown>[]).unshift({ timestamp: cw(T - 2 * MINUTE) });
    assert.deepEqual(
      readAlarmEvidence({ Trigger: trigger, NewStateReasonData: data }).evaluated!.map((d) => (d.at - T) / MINUTE),
      [-4, -3],
    );
  });

  // Each row: malformed reason data, and the problem reported. The window from Trigger survives every one.
  const MALFORMED: [string, unknown, RegExp][] = [
    ['not JSON', '{"version":', /not JSON/],
    ['a number', 42, /\(root\)/],
    ['no datapoints', reason([]), /evaluatedDatapoints/],
    [
      'a timestamp that is no instant',
      reason([-3], { evaluatedDatapoints: [{ timestamp: '2026-13-45T99:00:00+0000', value: 1 }] }),
      /evaluatedDatapoints\.0\.timestamp/,
    ],
    ['a value that is a string', reason([-3], { evaluatedDatapoints: [{ timestamp: cw(T), value: 'high' }] }), /evaluatedDatapoints\.0\.value/],
    ['a negative period', reason([-3], { period: -60 }), /period/],
    ['longer than any alarm evaluates (101 datapoints)', reason(Array.from({ length: 101 }, (_, i) => -1 - i)), /evaluatedDatapoints/],
  ];
  for (const [name, data, problem] of MALFORMED) {
    it(`reports reason data that is ${name}, and keeps the Trigger window`, () => {
      const e = readAlarmEvidence({ Trigger: trigger, NewStateReasonData: data });
      assert.match(e.problem ?? '', problem);
      assert.deepEqual([e.evaluated, e.periodSeconds, e.evaluationPeriods], [undefined, 60, 5]);
    });
  }

  it('ignores a Trigger whose Period is not a number', () => {
    assert.deepEqual(readAlarmEvidence({ Trigger: { Period: '60', EvaluationPeriods: 5 } }), { periodSeconds: undefined, evaluationPeriods: 5 });
  });
});

describe('treeWindow', () => {
  const now = T + 30_000;
  it('without the alarm datapoints: the alarm-long window ending a lag before now, on a minute boundary', () => {
    const w = treeWindow(now, 60_000, { periodSeconds: 60, evaluationPeriods: 5 });
    assert.deepEqual([w.source, (w.from - T) / MINUTE, (w.to - T) / MINUTE, (w.baselineFrom - T) / MINUTE], ['complete-periods', -6, -1, -66]);
    assert.equal((treeWindow(now, 0, {}).to - T) / MINUTE, 0, 'no lag: the current minute is still left out');
  });

  it('with them: exactly the periods the alarm evaluated, even when older than the lag allowance asks', () => {
    const w = treeWindow(now, 60_000, readAlarmEvidence({ Trigger: trigger, NewStateReasonData: reason([-4, -5, -6, -7, -8]) }));
    assert.deepEqual([w.source, (w.from - T) / MINUTE, (w.to - T) / MINUTE, (w.baselineFrom - T) / MINUTE], ['alarm', -8, -3, -68]);
  });

  // Each row: alarm datapoints (minutes from T) that must not be trusted as "recent", and why.
  const STALE: [string, number[], number, RegExp][] = [
    ['ending in the future (clock skew)', [1, 0, -1], 60, /end after now/],
    ['wholly before the latest complete periods (a late delivery)', [-12, -13, -14], 60, /before them/],
    ['not on whole minutes (10-second periods)', [-2], 10, /not on whole minutes/],
  ];
  for (const [name, minutes, period, why] of STALE) {
    it(`falls back to the latest complete periods for datapoints ${name}`, () => {
      const w = treeWindow(now, 60_000, readAlarmEvidence({ Trigger: trigger, NewStateReasonData: reason(minutes, { period }) }));
      assert.equal(w.source, 'complete-periods');
      assert.match(w.why, why);
    });
  }
});

describe('malformed reason data in the pipeline', () => {
  const { fresh } = useResponder();
  it('does not stop the responder: the tree falls back, and the problem is logged', async () => {
    // GIVEN a HighAPIErrorRate notification whose NewStateReasonData is not JSON
    const h = await fresh();
    // WHEN it is delivered
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', reasonData: '{"evaluatedDatapoints": [' });
    // THEN every mitigation got its decision, the tree read the latest complete periods, and the reason was logged
    const records = await h.audit.listSince('1970');
    assert.equal(records.length, 4);
    const tree = records[0]!.evidence.decisionTree as Record<string, { facts: Record<string, unknown> }>;
    assert.equal(tree['rate-limit']!.facts.windowSource, 'complete-periods');
    const warning = h.logs.find((l) => l.message.startsWith('alarm reason data not used'));
    assert.match(String(warning?.extra?.problem), /NewStateReasonData is not JSON/);
  });
});

describe("the alarm's stored reason data, when the SNS notification carries none", () => {
  const { fresh } = useResponder();
  const treeFacts = async (h: Awaited<ReturnType<typeof fresh>>) => {
    const records = await h.audit.listSince('1970');
    const tree = records[0]!.evidence.decisionTree as Record<string, { facts: Record<string, unknown> }>;
    return tree['rate-limit']!.facts;
  };
  const storeEvaluation = async (h: Awaited<ReturnType<typeof fresh>>, minutesAgo: number[], now: number) => {
    const name = alarmName(h.config.prefix, 'HighAPIErrorRate', 'chatbot-api');
    await h.clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 5,
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const minute = Math.floor(now / MINUTE) * MINUTE;
    const data = { version: '1.0', period: 60, evaluatedDatapoints: minutesAgo.map((m) => ({ timestamp: cw(minute - m * MINUTE), value: 0.08 })) };
    await h.clients.cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'drill', StateReasonData: JSON.stringify(data) }),
    );
  };

  it('reads the datapoints the alarm evaluated from DescribeAlarms (StateReasonData) while it is in ALARM', async () => {
    // GIVEN the alarm in ALARM, its last evaluation over the 5 complete minutes before the one in progress
    const h = await fresh();
    const now = Date.now();
    await storeEvaluation(h, [6, 5, 4, 3, 2], now);
    // WHEN a notification without reason data is delivered
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(now) });
    // THEN the tree's window is the alarm's own
    const facts = await treeFacts(h);
    assert.equal(facts.windowSource, 'alarm');
    assert.equal(facts.windowFrom, new Date(Math.floor(now / MINUTE) * MINUTE - 6 * MINUTE).toISOString());
  });

  it("ignores a stored evaluation older than the latest complete periods (a previous transition's)", async () => {
    // GIVEN the alarm's stored evaluation is an hour old
    const h = await fresh();
    const now = Date.now();
    await storeEvaluation(h, [66, 65, 64, 63, 62], now);
    // WHEN a notification without reason data is delivered
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(now) });
    // THEN the tree reads the latest complete periods instead
    assert.equal((await treeFacts(h)).windowSource, 'complete-periods');
  });
});
