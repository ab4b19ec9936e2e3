import type { ActionRecord } from '../../../lambdas/shared/storage/audit-log';
import type { Incident } from '../../../lambdas/shared/storage/incident';
import { findAlert, parseAlarmName, SEVERITY_LEVELS, type Severity } from '../../core/catalog';
import { formatDuration } from '../../core/evaluator/duration';
import { parseTransitionKey } from '../../core/escalation-plan';
import { renderTable } from './table';

/** A fire of an alarm counts as a flap when it comes at most this long after its previous incident resolved. */
export const FLAP_WINDOW_MS = 60 * 60_000;

/** One alarm transition into ALARM (an incident's trigger), with what followed it. */
export interface Fire {
  readonly trigger: string;
  readonly alarmName: string;
  readonly alertId: string;
  readonly at: string;
  readonly incidentId: string;
  /** An automatic mitigation acted on this transition (an audit record with decision `acted`). */
  readonly acted: boolean;
  /** The incident the fire belongs to was acknowledged. */
  readonly acknowledged: boolean;
}

/** A fire of an alarm soon after the previous incident with that alarm resolved. */
export interface Flap {
  readonly alarmName: string;
  readonly alertId: string;
  readonly incidentId: string;
  readonly at: string;
  readonly previousIncidentId: string;
  /** From the previous incident's resolution to this fire. */
  readonly afterSeconds: number;
}

/** Median and 90th percentile of a set of durations; null when there is none. */
export interface Spread {
  readonly count: number;
  readonly medianSeconds: number | null;
  readonly p90Seconds: number | null;
}

/** The figures of one alert over the report's window. */
export interface AlertHygiene {
  readonly alertId: string;
  readonly severity: Severity;
  /** Alarm transitions into ALARM of the alert's alarms (triggers, not incidents). */
  readonly fires: number;
  /** Incidents the alert opened. */
  readonly incidents: number;
  readonly actedFires: number;
  readonly noActionFires: number;
  /** noActionFires / fires, 0..1. */
  readonly noActionShare: number;
  /** Fires whose incident was acknowledged. */
  readonly acknowledgedFires: number;
  /** Opening to acknowledgement, over the incidents the alert opened that were acknowledged. */
  readonly timeToAck: Spread;
  /** Opening to resolution, over the incidents the alert opened that were resolved. */
  readonly timeToResolve: Spread;
  readonly flaps: number;
}

/** A rule of the tuning guidelines, with its threshold: easy to read, easy to change. */
export interface TuningRule {
  readonly id: 'retire-or-downgrade' | 'tune-duration' | 'check-routing';
  /** The runbook guideline behind it. */
  readonly guideline: string;
  readonly threshold: number;
  /** The suggestion for an alert, or undefined when the rule does not apply. */
  readonly check: (alert: AlertHygiene, threshold: number) => string | undefined;
}

const human = (seconds: number) => formatDuration(Math.round(seconds) * 1000);

/** The candidates' rules, in the order they are listed. */
export const TUNING_RULES: readonly TuningRule[] = [
  {
    id: 'retire-or-downgrade',
    guideline: 'Are alerts actionable? (If not, remove or downgrade.) P4 is informational by design and exempt.',
    threshold: 3,
    check: (a, n) =>
      a.severity !== 'P4' && a.fires >= n && a.actedFires === 0 && a.acknowledgedFires === 0
        ? `retire or downgrade: fired ${a.fires} times, never acted on, never acknowledged`
        : undefined,
  },
  {
    id: 'tune-duration',
    guideline: "Use duration conditions (don't alert on transient spikes).",
    threshold: 2,
    check: (a, n) =>
      a.flaps >= n ? `tune duration: flapped ${a.flaps} times (fired again within ${human(FLAP_WINDOW_MS / 1000)} of its incident resolving)` : undefined,
  },
  {
    id: 'check-routing',
    // A multiple of the severity's ack target (Step 1: 15 min P1, 1 h P2, 24 h P3).
    guideline: 'Acknowledge within 15 minutes (P1), 1 hour (P2), 24 hours (P3).',
    threshold: 1,
    check: (a, factor) => {
      const target = SEVERITY_LEVELS[a.severity].ackWithinMinutes;
      const median = a.timeToAck.medianSeconds;
      if (target === undefined || median === null || median <= target * 60 * factor) return undefined;
      return `check routing: median ack ${human(median)} above the ${a.severity} ack target (${human(target * 60)})`;
    },
  },
];

/** A candidate to tune or retire. */
export interface TuningCandidate {
  readonly alertId: string;
  readonly rule: TuningRule['id'];
  readonly suggestion: string;
}

/** The report of `oncall report` (its `--json`). */
export interface HygieneReport {
  readonly since: string;
  readonly until: string;
  /** Alerts that fired, most fires first. */
  readonly alerts: readonly AlertHygiene[];
  readonly candidates: readonly TuningCandidate[];
}

export interface HygieneInput {
  /** The incidents of the window (IncidentStore.listSince). */
  readonly incidents: readonly Incident[];
  /** The audit records of the window (AuditLog.listSince). */
  readonly actions: readonly ActionRecord[];
  readonly since: string;
  readonly until: string;
  /** The environment's alarm name prefix, to tell the alert of a joined alarm. */
  readonly prefix: string;
  /**
   * The alert's severity in the environment (config overrides).
   * @default the catalog's severity, else the severity of its last incident
   */
  readonly severityOf?: (alertId: string) => Severity | undefined;
  /** @default TUNING_RULES */
  readonly rules?: readonly TuningRule[];
}

/** Every fire of the incidents: their triggers, each attributed to its own alarm's alert. */
export function firesOf(incidents: readonly Incident[], actions: readonly ActionRecord[], prefix: string): Fire[] {
  const acted = new Set(actions.filter((a) => a.decision === 'acted').map((a) => a.incidentId));
  return incidents.flatMap((incident) =>
    incident.triggers.map((trigger) => {
      const { alarmName, at } = parseTransitionKey(trigger);
      const alertId = alarmName === incident.alarmName ? incident.alertId : (parseAlarmName(prefix, alarmName)?.alertId ?? incident.alertId);
      return { trigger, alarmName, alertId, at, incidentId: incident.incidentId, acted: acted.has(trigger), acknowledged: incident.ackedAt !== undefined };
    }),
  );
}

/**
 * Flaps: the first fire of an alarm in an incident, coming at most FLAP_WINDOW_MS after the previous incident
 * with that alarm resolved. A re-fire inside the same incident, or one while the previous is open, is not one.
 */
export function flapsOf(incidents: readonly Incident[], prefix: string): Flap[] {
  const byId = new Map(incidents.map((i) => [i.incidentId, i]));
  const firstFires = new Map<string, Fire>();
  for (const fire of firesOf(incidents, [], prefix)) {
    const k = `${fire.alarmName}\u0000${fire.incidentId}`;
    const seen = firstFires.get(k);
    if (!seen || fire.at < seen.at) firstFires.set(k, fire);
  }
  const byAlarm = new Map<string, Fire[]>();
  for (const fire of firstFires.values()) byAlarm.set(fire.alarmName, [...(byAlarm.get(fire.alarmName) ?? []), fire]);
  const flaps: Flap[] = [];
  for (const fires of byAlarm.values()) {
    fires.sort((a, b) => a.at.localeCompare(b.at));
    fires.forEach((fire, i) => {
      const previous = i > 0 ? byId.get(fires[i - 1]!.incidentId) : undefined;
      if (previous?.resolvedAt === undefined) return;
      const after = Date.parse(fire.at) - Date.parse(previous.resolvedAt);
      if (after >= 0 && after <= FLAP_WINDOW_MS) {
        flaps.push({
          alarmName: fire.alarmName,
          alertId: fire.alertId,
          incidentId: fire.incidentId,
          at: fire.at,
          previousIncidentId: previous.incidentId,
          afterSeconds: after / 1000,
        });
      }
    });
  }
  return flaps.sort((a, b) => a.at.localeCompare(b.at));
}

/** Median (mean of the two middle values for an even count) and nearest-rank 90th percentile. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { count: 0, medianSeconds: null, p90Seconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: sorted.length, medianSeconds: median, p90Seconds: sorted[Math.ceil(0.9 * sorted.length) - 1]! };
}

/** Alert hygiene as the runbook's tuning guidelines ask: per-alert figures and the candidates to tune or retire. */
export function hygiene(input: HygieneInput): HygieneReport {
  const fires = firesOf(input.incidents, input.actions, input.prefix);
  const flaps = flapsOf(input.incidents, input.prefix);
  const incidentOf = new Map(input.incidents.map((i) => [i.incidentId, i]));
  const alertIds = [...new Set(fires.map((f) => f.alertId))];
  const alerts = alertIds.map((alertId): AlertHygiene => {
    const own = fires.filter((f) => f.alertId === alertId);
    const opened = input.incidents.filter((i) => i.alertId === alertId);
    const latest = [...own].sort((a, b) => b.at.localeCompare(a.at))[0];
    const severity = input.severityOf?.(alertId) ?? findAlert(alertId)?.severity ?? incidentOf.get(latest!.incidentId)!.severity;
    const actedFires = own.filter((f) => f.acted).length;
    return {
      alertId,
      severity,
      fires: own.length,
      incidents: opened.length,
      actedFires,
      noActionFires: own.length - actedFires,
      noActionShare: (own.length - actedFires) / own.length,
      acknowledgedFires: own.filter((f) => f.acknowledged).length,
      timeToAck: spread(opened.filter((i) => i.ackedAt !== undefined).map((i) => secondsBetween(i.openedAt, i.ackedAt!))),
      timeToResolve: spread(opened.filter((i) => i.resolvedAt !== undefined).map((i) => i.timeToResolveSeconds ?? secondsBetween(i.openedAt, i.resolvedAt!))),
      flaps: flaps.filter((f) => f.alertId === alertId).length,
    };
  });
  alerts.sort((a, b) => b.fires - a.fires || a.alertId.localeCompare(b.alertId));
  const rules = input.rules ?? TUNING_RULES;
  const candidates = rules.flatMap((rule) =>
    alerts.flatMap((a) => {
      const suggestion = rule.check(a, rule.threshold);
      return suggestion === undefined ? [] : [{ alertId: a.alertId, rule: rule.id, suggestion }];
    }),
  );
  return { since: input.since, until: input.until, alerts, candidates };
}

/** The report as on-call reads it: a table per alert, then the candidates. */
export function renderHygiene(report: HygieneReport): string {
  if (report.alerts.length === 0) return `no alert fired since ${report.since}`;
  const pair = (s: Spread) => (s.count === 0 ? '-' : `${human(s.medianSeconds!)} / ${human(s.p90Seconds!)}`);
  const table = renderTable(
    ['ALERT', 'SEV', 'FIRES', 'INCIDENTS', 'NO ACTION', 'ACKED', 'ACK MEDIAN / P90', 'RESOLVE MEDIAN / P90', 'FLAPS'],
    report.alerts.map((a) => [
      a.alertId,
      a.severity,
      String(a.fires),
      String(a.incidents),
      `${a.noActionFires} (${Math.round(a.noActionShare * 100)}%)`,
      String(a.acknowledgedFires),
      pair(a.timeToAck),
      pair(a.timeToResolve),
      String(a.flaps),
    ]),
  );
  const candidates = report.candidates.length === 0 ? ['none'] : report.candidates.map((c) => `- ${c.alertId}: ${c.suggestion}`);
  return [`Alert hygiene since ${report.since} (until ${report.until})`, '', table, '', 'Candidates to tune or retire:', ...candidates].join('\n');
}

function secondsBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 1000;
}
