import type { Severity } from '../../../lib/core/catalog';
import { AlertingError } from '../errors';
import { withoutLayout } from './table-layout';

/** Where an incident stands. */
export type IncidentStatus = 'open' | 'resolved';
/** One incident: alarms of one problem, grouped, with one escalation. */
export interface Incident {
  readonly incidentId: string;
  /** The alarm that opened it, and its alert. */
  readonly alarmName: string;
  readonly alertId: string;
  readonly service: string | undefined;
  readonly severity: Severity;
  readonly policyId: string;
  readonly summary: string;
  readonly runbookUrl: string;
  readonly customerFacing: boolean;
  readonly status: IncidentStatus;
  readonly openedAt: string;
  /** Every alarm transition that is part of the incident (the responder's action keys). */
  readonly triggers: readonly string[];
  /**
   * Alarms of the incident still in ALARM; it resolves when the last one returns to OK. Stored as a DynamoDB string
   * set changed only with ADD and DELETE (absent when empty), so concurrent joins and clears never overwrite each
   * other; items written before that hold a list, read as well and turned into a set before their first change.
   */
  readonly openAlarms: readonly string[];
  /**
   * The escalation execution's name, recorded with the incident before the execution is started: set without
   * `executionArn`, the start did not finish, and a retry of the starter starts it (same name, same input).
   */
  readonly executionName?: string;
  /** The execution started under `executionName`; one of an earlier name is the escalation being replaced. */
  readonly executionArn?: string;
  /**
   * Set when a re-classification replaced the escalation: the alert whose policy it follows, from `at`. Absent,
   * it follows the opening alert's from the opening (or the silence's end).
   */
  readonly reclassifiedBy?: { readonly alertId: string; readonly at: string };
  /**
   * Set while the escalation waits for a silence to end (every alarm so far was silenced): its timetable starts
   * then, and each step pages only if the incident is still open and no longer silenced. Cleared when an
   * unsilenced alarm joins and the escalation starts at once.
   */
  readonly escalationDeferredUntil?: string;
  readonly ackedAt?: string;
  readonly ackedBy?: string;
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
  readonly resolveNote?: string;
  readonly timeToResolveSeconds?: number;
}

/** What happened to an incident, in order: the timeline on-call and the post-incident review read. */
export interface TimelineEvent {
  readonly at: string;
  /** `integration`: an integration did something (channel created, status page opened, ticket filed); `data.integration` names it. */
  readonly type:
    | 'fired'
    | 'joined'
    | 'page'
    | 'ticket'
    | 'ack'
    | 'reclassified'
    | 'action'
    | 'verified'
    | 'ineffective'
    | 'resolved'
    | 'silenced'
    | 'integration'
    | 'integration-failed'
    | 'skipped-step';
  readonly detail: string;
  readonly data?: Record<string, unknown>;
}

/** An incident changed underneath the caller (resolved already, acked already). */
export class IncidentStateError extends AlertingError {
  public constructor(
    public readonly incidentId: string,
    public readonly reason: string,
  ) {
    super(`incident ${incidentId}: ${reason}`);
  }
}

/** What joining an incident did: joined it, found the trigger already in it, or found it no longer open. */
export type JoinOutcome = 'joined' | 'duplicate' | 'closed';

/** An alarm's entry in the index of open alarms: its incident, and the transition that made it a member. */
export interface Membership {
  readonly incidentId: string;
  /** Absent on entries written before it was recorded. */
  readonly trigger?: string;
}

/** A member of an incident, as the grouping rules see it. */
export interface Member {
  readonly alarmName: string;
  readonly alertId: string;
  readonly service: string | undefined;
  /** transitionKey(alarmName, stateChangeTime) */
  readonly trigger: string;
}

/** An incident item as the store hands it out: the open alarms as a sorted list. */
export function toIncident(item: Record<string, unknown>): Incident {
  const { openAlarms, ...incident } = withoutLayout(item);
  // A string set (absent when empty), or a list on items written before the set.
  const alarms = openAlarms instanceof Set ? [...(openAlarms as Set<string>)].sort() : Array.isArray(openAlarms) ? (openAlarms as string[]) : [];
  return { ...incident, openAlarms: alarms } as unknown as Incident;
}

/** The open alarms as a string set; no attribute when there are none (DynamoDB stores no empty set). */
export function alarmSet(alarms: readonly string[]): { openAlarms?: Set<string> } {
  return alarms.length ? { openAlarms: new Set(alarms) } : {};
}

/** 5400 -> "1h30m" */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${s ? `${String(s).padStart(2, '0')}s` : ''}` : `${s}s`;
}
