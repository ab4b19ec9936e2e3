import type { ActionRecord, AuditLog } from '../../lambdas/shared/storage/audit-log';
import type { Incident, Member } from '../../lambdas/shared/storage/incident';
import type { IncidentStore } from '../../lambdas/shared/storage/incident-store';
import { alarmName, findAlert, type MitigationId } from '../../lib/core/catalog';
import { transitionKey } from '../../lib/core/escalation-plan';
import type { AlertHygiene } from '../../lib/cli/report/hygiene';

/**
 * A seeded incident history for `oncall report`: the same history as the store would hold it (pure tests) and
 * written through IncidentStore and AuditLog (emulator tests). Times are minutes after a base time.
 *
 *   HighAPIErrorRate (P1)   I1 0-30 rollback acted, ack +5 | I2 60-100 rollback skipped, ack +20 | I3 130-190 acted, ack +25
 *   HighAPILatency (P2)     joins I3 at 135                | I4 300- scale-out acted, ack +10, open
 *   UnusualErrorRate (P3)   I5 360-370 | I6 480-485 | I7 540- open; never acknowledged, never acted on
 *   ScheduledJobCompleted   I8 600-601 | I9 1200-1201 | I10 1800-1801 (P4)
 */
export const PREFIX = 'chatbot';

interface SeededFire {
  readonly alertId: string;
  readonly instance?: string;
  readonly at: number;
  /** A mitigation recorded for this fire, one minute later, acted or skipped. */
  readonly action?: { readonly mitigation: MitigationId; readonly decision: 'acted' | 'skipped' };
}

interface SeededIncident {
  readonly opener: SeededFire;
  readonly joined?: readonly SeededFire[];
  readonly ackAfter?: number;
  readonly resolveAfter?: number;
}

const API = 'chatbot-api';
export const HISTORY: readonly SeededIncident[] = [
  { opener: { alertId: 'HighAPIErrorRate', instance: API, at: 0, action: { mitigation: 'ecs-rollback', decision: 'acted' } }, ackAfter: 5, resolveAfter: 30 },
  {
    opener: { alertId: 'HighAPIErrorRate', instance: API, at: 60, action: { mitigation: 'ecs-rollback', decision: 'skipped' } },
    ackAfter: 20,
    resolveAfter: 40,
  },
  {
    opener: { alertId: 'HighAPIErrorRate', instance: API, at: 130, action: { mitigation: 'ecs-rollback', decision: 'acted' } },
    joined: [{ alertId: 'HighAPILatency', instance: API, at: 135 }],
    ackAfter: 25,
    resolveAfter: 60,
  },
  { opener: { alertId: 'HighAPILatency', instance: API, at: 300, action: { mitigation: 'ecs-scale-out', decision: 'acted' } }, ackAfter: 10 },
  { opener: { alertId: 'UnusualErrorRateIncrease', instance: API, at: 360 }, resolveAfter: 10 },
  { opener: { alertId: 'UnusualErrorRateIncrease', instance: API, at: 480 }, resolveAfter: 5 },
  { opener: { alertId: 'UnusualErrorRateIncrease', instance: API, at: 540 } },
  { opener: { alertId: 'ScheduledJobCompleted', at: 600 }, resolveAfter: 1 },
  { opener: { alertId: 'ScheduledJobCompleted', at: 1200 }, resolveAfter: 1 },
  { opener: { alertId: 'ScheduledJobCompleted', at: 1800 }, resolveAfter: 1 },
];

const at = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
const member = (base: Date, f: SeededFire): Member => {
  const name = alarmName(PREFIX, f.alertId, f.instance);
  return { alarmName: name, alertId: f.alertId, service: f.instance, trigger: transitionKey(name, at(base, f.at)) };
};

function opened(base: Date, s: SeededIncident): Incident {
  const m = member(base, s.opener);
  const alert = findAlert(s.opener.alertId)!;
  return {
    incidentId: m.trigger,
    alarmName: m.alarmName,
    alertId: alert.id,
    service: m.service,
    severity: alert.severity,
    policyId: alert.escalationPolicy,
    summary: alert.summary,
    runbookUrl: `https://runbooks.example/${alert.id}`,
    customerFacing: alert.customerFacing,
    status: 'open',
    openedAt: at(base, s.opener.at),
    triggers: [m.trigger],
    openAlarms: [m.alarmName],
  };
}

function actionOf(base: Date, f: SeededFire): ActionRecord | undefined {
  if (!f.action) return undefined;
  const m = member(base, f);
  const createdAt = at(base, f.at + 1);
  const acted = f.action.decision === 'acted';
  return {
    actionId: `${f.action.mitigation}-${f.at}`,
    incidentId: m.trigger,
    alarmName: m.alarmName,
    alertId: f.alertId,
    service: f.instance,
    severity: findAlert(f.alertId)!.severity,
    mitigation: f.action.mitigation,
    target: `ecs:prod/${API}`,
    mode: 'enabled',
    decision: f.action.decision,
    reason: acted ? 'seeded' : 'seeded: precondition not met',
    outcome: acted ? 'succeeded' : undefined,
    evidence: {},
    createdAt,
    updatedAt: createdAt,
  };
}

/** The history as the store holds it after {@link seedHistory}. */
export function buildHistory(base: Date): { incidents: Incident[]; actions: ActionRecord[] } {
  const incidents = HISTORY.map((s) => {
    const incident = opened(base, s);
    const joined = (s.joined ?? []).map((f) => member(base, f));
    const ackedAt = s.ackAfter === undefined ? undefined : at(base, s.opener.at + s.ackAfter);
    const resolvedAt = s.resolveAfter === undefined ? undefined : at(base, s.opener.at + s.resolveAfter);
    return {
      ...incident,
      triggers: [...incident.triggers, ...joined.map((j) => j.trigger)],
      openAlarms: [...incident.openAlarms, ...joined.map((j) => j.alarmName)],
      ...(ackedAt ? { ackedAt, ackedBy: 'alice' } : {}),
      ...(resolvedAt ? { status: 'resolved' as const, resolvedAt, resolvedBy: 'bob', timeToResolveSeconds: s.resolveAfter! * 60 } : {}),
    };
  });
  const actions = HISTORY.flatMap((s) => [s.opener, ...(s.joined ?? [])]).flatMap((f) => actionOf(base, f) ?? []);
  return { incidents, actions };
}

/** Writes the history through the store's and the audit log's own APIs, at the chosen times. */
export async function seedHistory(store: IncidentStore, audit: AuditLog, base: Date): Promise<void> {
  for (const s of HISTORY) {
    const incident = opened(base, s);
    const first = member(base, s.opener);
    await store.open(incident, first, at(base, s.opener.at + 10), { at: incident.openedAt, type: 'fired', detail: `${first.alarmName} in ALARM (seeded)` });
    for (const f of s.joined ?? []) {
      const m = member(base, f);
      await store.join(incident.incidentId, m, at(base, f.at + 10), { at: at(base, f.at), type: 'joined', detail: `${m.alarmName} joined (seeded)` });
    }
    if (s.ackAfter !== undefined) await store.acknowledge(incident.incidentId, 'alice', at(base, s.opener.at + s.ackAfter));
    if (s.resolveAfter !== undefined) await store.resolve(incident.incidentId, 'bob', at(base, s.opener.at + s.resolveAfter));
  }
  const { actions } = buildHistory(base);
  for (const a of actions) {
    const { decision: _d, outcome: _o, updatedAt: _u, ...claim } = a;
    await audit.claim(claim);
    if (a.decision === 'skipped') {
      await audit.decide(a.actionId, { decision: 'skipped', reason: a.reason, mode: a.mode, target: a.target }, a.createdAt);
      continue;
    }
    const refused = await audit.reserve(
      a.actionId,
      {
        mitigation: a.mitigation,
        reason: a.reason,
        mode: a.mode,
        target: a.target,
        before: a.before,
        desired: a.desired,
        evidence: a.evidence,
        revertCommand: a.revertCommand,
      },
      { cooldownUntil: a.createdAt, windowStart: Date.parse(a.createdAt), windowEnd: a.createdAt, maxActions: 100 },
      a.createdAt,
    );
    if (refused) throw new Error(`seeding ${a.actionId} was refused: ${JSON.stringify(refused)}`);
    await audit.outcome(a.actionId, { outcome: 'succeeded' }, a.createdAt);
  }
}

/** What a hygiene report of {@link HISTORY} says, computed by hand (derivations in test/cli/report/hygiene.test.ts), most fires first. */
export const HISTORY_HYGIENE: readonly AlertHygiene[] = (() => {
  const none = { count: 0, medianSeconds: null, p90Seconds: null };
  return [
    {
      alertId: 'HighAPIErrorRate',
      severity: 'P1',
      fires: 3,
      incidents: 3,
      actedFires: 2,
      noActionFires: 1,
      noActionShare: 1 / 3,
      acknowledgedFires: 3,
      timeToAck: { count: 3, medianSeconds: 1200, p90Seconds: 1500 },
      timeToResolve: { count: 3, medianSeconds: 2400, p90Seconds: 3600 },
      flaps: 2,
    },
    {
      alertId: 'ScheduledJobCompleted',
      severity: 'P4',
      fires: 3,
      incidents: 3,
      actedFires: 0,
      noActionFires: 3,
      noActionShare: 1,
      acknowledgedFires: 0,
      timeToAck: none,
      timeToResolve: { count: 3, medianSeconds: 60, p90Seconds: 60 },
      flaps: 0,
    },
    {
      alertId: 'UnusualErrorRateIncrease',
      severity: 'P3',
      fires: 3,
      incidents: 3,
      actedFires: 0,
      noActionFires: 3,
      noActionShare: 1,
      acknowledgedFires: 0,
      timeToAck: none,
      timeToResolve: { count: 2, medianSeconds: 450, p90Seconds: 600 },
      flaps: 1,
    },
    {
      alertId: 'HighAPILatency',
      severity: 'P2',
      fires: 2,
      incidents: 1,
      actedFires: 1,
      noActionFires: 1,
      noActionShare: 0.5,
      acknowledgedFires: 2,
      timeToAck: { count: 1, medianSeconds: 600, p90Seconds: 600 },
      timeToResolve: none,
      flaps: 0,
    },
  ];
})();
