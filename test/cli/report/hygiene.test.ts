import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Incident } from '../../../lambdas/shared/storage/incident';
import { flapsOf, hygiene, renderHygiene, spread, TUNING_RULES, type AlertHygiene } from '../../../lib/cli/report/hygiene';
import { buildHistory, HISTORY_HYGIENE, PREFIX } from '../../support/history';

const BASE = new Date('2026-10-01T00:00:00.000Z');
const SINCE = '2026-09-01T00:00:00.000Z';
const UNTIL = '2026-10-10T00:00:00.000Z';

describe('spread', () => {
  const cases: { values: number[]; median: number | null; p90: number | null }[] = [
    { values: [], median: null, p90: null },
    { values: [42], median: 42, p90: 42 },
    { values: [600, 300], median: 450, p90: 600 }, // even: mean of the middle two; p90 rank ceil(1.8) = 2
    { values: [1500, 300, 1200], median: 1200, p90: 1500 }, // rank ceil(2.7) = 3
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], median: 5.5, p90: 9 }, // rank ceil(9) = 9
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], median: 6, p90: 10 }, // rank ceil(9.9) = 10
  ];
  for (const c of cases) {
    it(`[${c.values.join(', ')}] -> median ${c.median}, p90 ${c.p90}`, () => {
      assert.deepEqual(spread(c.values), { count: c.values.length, medianSeconds: c.median, p90Seconds: c.p90 });
    });
  }
});

describe('flapsOf', () => {
  const alarm = `${PREFIX}-HighAPIErrorRate-chatbot-api`;
  const incident = (id: string, openedAt: string, resolvedAt?: string, extra: string[] = []): Incident => ({
    incidentId: id,
    alarmName: alarm,
    alertId: 'HighAPIErrorRate',
    service: 'chatbot-api',
    severity: 'P1',
    policyId: 'p1-api-errors',
    summary: '',
    runbookUrl: '',
    customerFacing: true,
    status: resolvedAt ? 'resolved' : 'open',
    openedAt,
    triggers: [`${alarm}@${openedAt}`, ...extra.map((t) => `${alarm}@${t}`)],
    openAlarms: [alarm],
    ...(resolvedAt ? { resolvedAt } : {}),
  });
  const t = (m: number) => new Date(BASE.getTime() + m * 60_000).toISOString();
  const cases: { name: string; second: (first: Incident) => Incident; first?: Incident; flap: boolean }[] = [
    { name: '30 min after the previous resolved', second: () => incident('b', t(60)), flap: true },
    { name: 'exactly 1 h after', second: () => incident('b', t(90)), flap: true },
    { name: '61 min after', second: () => incident('b', t(91)), flap: false },
    { name: 'while the previous is unresolved', first: incident('a', t(0)), second: () => incident('b', t(60)), flap: false },
    { name: 'a re-fire inside the same incident', first: incident('a', t(0), t(200), [t(20)]), second: () => incident('b', t(1000)), flap: false },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.flap ? 'a flap' : 'no flap'}`, () => {
      const first = c.first ?? incident('a', t(0), t(30));
      const flaps = flapsOf([first, c.second(first)], PREFIX);
      assert.equal(flaps.length, c.flap ? 1 : 0);
    });
  }
});

describe('TUNING_RULES', () => {
  const base: AlertHygiene = {
    alertId: 'X',
    severity: 'P2',
    fires: 3,
    incidents: 3,
    actedFires: 1,
    noActionFires: 2,
    noActionShare: 2 / 3,
    acknowledgedFires: 3,
    timeToAck: { count: 3, medianSeconds: 600, p90Seconds: 900 },
    timeToResolve: { count: 3, medianSeconds: 600, p90Seconds: 900 },
    flaps: 0,
  };
  const cases: { name: string; alert: Partial<AlertHygiene>; rules: string[] }[] = [
    { name: 'healthy', alert: {}, rules: [] },
    { name: '3 fires, never acted on, never acknowledged', alert: { actedFires: 0, acknowledgedFires: 0 }, rules: ['retire-or-downgrade'] },
    { name: '2 fires, never acted on, never acknowledged', alert: { fires: 2, actedFires: 0, acknowledgedFires: 0 }, rules: [] },
    { name: 'never acted on but acknowledged', alert: { actedFires: 0, acknowledgedFires: 1 }, rules: [] },
    {
      name: 'P4, never acted on, never acknowledged (informational by design)',
      alert: { severity: 'P4', actedFires: 0, acknowledgedFires: 0, timeToAck: { count: 0, medianSeconds: null, p90Seconds: null } },
      rules: [],
    },
    { name: '2 flaps', alert: { flaps: 2 }, rules: ['tune-duration'] },
    { name: '1 flap', alert: { flaps: 1 }, rules: [] },
    { name: 'P2 median ack 61 min', alert: { timeToAck: { count: 1, medianSeconds: 3660, p90Seconds: 3660 } }, rules: ['check-routing'] },
    { name: 'P2 median ack exactly 1 h', alert: { timeToAck: { count: 1, medianSeconds: 3600, p90Seconds: 3600 } }, rules: [] },
    { name: 'P1 median ack 16 min', alert: { severity: 'P1', timeToAck: { count: 1, medianSeconds: 960, p90Seconds: 960 } }, rules: ['check-routing'] },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.rules.join(', ') || 'no candidate'}`, () => {
      const alert = { ...base, ...c.alert };
      assert.deepEqual(
        TUNING_RULES.filter((r) => r.check(alert, r.threshold) !== undefined).map((r) => r.id),
        c.rules,
      );
    });
  }

  it('a threshold is data: raising it changes the verdict', () => {
    const alert = { ...base, flaps: 2 };
    const stricter = TUNING_RULES.map((r) => (r.id === 'tune-duration' ? { ...r, threshold: 3 } : r));
    assert.equal(hygiene({ incidents: [], actions: [], since: SINCE, until: UNTIL, prefix: PREFIX, rules: stricter }).candidates.length, 0);
    assert.equal(stricter.find((r) => r.id === 'tune-duration')!.check(alert, 3), undefined);
  });
});

describe('hygiene of the seeded history', () => {
  // Hand-computed from test/support/history.ts (minutes after BASE):
  // HighAPIErrorRate: I1 0 (acted) ack 5 res 30 | I2 60 (skipped) ack 20 res 100 | I3 130 (acted) ack 25 res 190.
  //   fires 3, acted 2, no action 1 (a skipped record is no action); acks 300/1200/1500 s -> median 1200, p90
  //   1500; resolves 1800/2400/3600 s -> median 2400, p90 3600; flaps: I2 30 min after I1, I3 30 min after I2.
  // HighAPILatency: joins I3 at 135 (no action, I3 acked) + I4 300 (acted, ack 10, open): fires 2, 1 incident;
  //   I4 comes 110 min after I3 resolved: no flap.
  // UnusualErrorRateIncrease (P3): I5 360-370, I6 480-485, I7 540 open; never acked: resolves 600/300 -> median
  //   450, p90 600; I7 55 min after I6 resolved: 1 flap.
  // ScheduledJobCompleted (P4): three incidents 10 h apart, resolved after 1 min each.
  const { incidents, actions } = buildHistory(BASE);
  const report = hygiene({ incidents, actions, since: SINCE, until: UNTIL, prefix: PREFIX });
  const expected = HISTORY_HYGIENE;
  for (const e of expected) {
    it(`${e.alertId}: fires ${e.fires}, no action ${e.noActionFires}, flaps ${e.flaps}`, () => {
      assert.deepEqual(
        report.alerts.find((a) => a.alertId === e.alertId),
        e,
      );
    });
  }

  it('lists alerts most fires first, and the candidates rule by rule', () => {
    assert.deepEqual(
      report.alerts.map((a) => a.alertId),
      expected.map((e) => e.alertId),
    );
    assert.deepEqual(report.candidates, [
      {
        alertId: 'UnusualErrorRateIncrease',
        rule: 'retire-or-downgrade',
        suggestion: 'retire or downgrade: fired 3 times, never acted on, never acknowledged',
      },
      { alertId: 'HighAPIErrorRate', rule: 'tune-duration', suggestion: 'tune duration: flapped 2 times (fired again within 1h of its incident resolving)' },
      { alertId: 'HighAPIErrorRate', rule: 'check-routing', suggestion: 'check routing: median ack 20m above the P1 ack target (15m)' },
    ]);
  });

  it('an environment severity override drives the rules (HighAPIErrorRate as P2: its median ack is within 1 h)', () => {
    const overridden = hygiene({
      incidents,
      actions,
      since: SINCE,
      until: UNTIL,
      prefix: PREFIX,
      severityOf: (id) => (id === 'HighAPIErrorRate' ? 'P2' : undefined),
    });
    assert.deepEqual(
      overridden.candidates.map((c) => c.rule),
      ['retire-or-downgrade', 'tune-duration'],
    );
  });

  it('renders a table per alert and the candidate list', () => {
    const text = renderHygiene(report);
    assert.match(text, /HighAPIErrorRate +P1 +3 +3 +1 \(33%\) +3 +20m \/ 25m +40m \/ 1h +2/);
    assert.match(text, /HighAPILatency +P2 +2 +1 +1 \(50%\) +2 +10m \/ 10m +- +0/);
    assert.match(text, /Candidates to tune or retire:\n- UnusualErrorRateIncrease: retire or downgrade: fired 3 times/);
    assert.equal(renderHygiene(hygiene({ incidents: [], actions: [], since: SINCE, until: UNTIL, prefix: PREFIX })), `no alert fired since ${SINCE}`);
  });
});
