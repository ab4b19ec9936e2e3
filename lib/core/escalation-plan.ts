import { createHash } from 'node:crypto';
import { alertSettings } from './config/alert-settings';
import { ESCALATION_POLICIES, type AlertDefinition, type EscalationPolicy, type Role, type Severity } from './catalog';
import type { Config, EscalationConfig } from './config/schema';
import { localParts, zonedToUtc } from './zoned-time';

/**
 * The escalation matrix turned into one incident's timetable. Plain functions, no AWS: the starter Lambda runs
 * them, the tests and the cost benchmark read them.
 */

/** The policy an alert escalates by: config's per-alert choice, else the catalog's (severity-adjusted), with config's steps. */
export function policyFor(alert: AlertDefinition, config: Config): EscalationPolicy {
  const id = config.escalation.alertPolicies[alert.id] ?? alertSettings(alert, config).escalationPolicy;
  const custom = config.escalation.policies[id];
  const builtIn = (ESCALATION_POLICIES as Readonly<Record<string, EscalationPolicy>>)[id];
  if (custom) return { id, description: custom.description ?? builtIn?.description ?? id, steps: custom.steps };
  if (!builtIn) throw new Error(`escalation policy ${id} is not defined`);
  return builtIn;
}

/** One step of an incident's timetable, with its absolute time. */
export interface PlannedStep {
  readonly index: number;
  /** ISO 8601 UTC: the Wait state waits until then. */
  readonly at: string;
  readonly roles: readonly Role[];
  readonly ticket: boolean;
  readonly cancelledByAck: boolean;
}

/**
 * The timetable of an incident opened at `openedAt`. A customer-facing P1 or P2 also tells customer success
 * at its first step (the runbook's P2 "if customer-facing, notify customer success team").
 */
export function planSteps(policy: EscalationPolicy, openedAt: Date, options: { config: Config; severity: Severity; customerFacing: boolean }): PlannedStep[] {
  return policy.steps.map((step, index) => {
    const at = step.nextBusinessDay
      ? nextBusinessDayStart(openedAt, options.config.escalation.businessHours)
      : new Date(openedAt.getTime() + step.afterMinutes * 60_000);
    const tellCustomerSuccess = index === 0 && options.customerFacing && (options.severity === 'P1' || options.severity === 'P2');
    const roles = tellCustomerSuccess && !step.page.includes('customer-success') ? [...step.page, 'customer-success' as const] : step.page;
    return { index, at: at.toISOString(), roles, ticket: step.ticket ?? false, cancelledByAck: step.cancelledByAck };
  });
}

/** Start of business hours on the first business day after the local calendar day of `from`. */
export function nextBusinessDayStart(from: Date, hours: EscalationConfig['businessHours']): Date {
  const local = localParts(from, hours.timezone);
  for (let dayOffset = 1; dayOffset <= 14; dayOffset++) {
    const day = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
    const isoWeekday = ((day.getUTCDay() + 6) % 7) + 1;
    if (hours.days.includes(isoWeekday)) {
      return zonedToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hours.startHour, 0, hours.timezone);
    }
  }
  throw new Error('no business day within two weeks: check escalation.businessHours.days');
}

/** The key of one alarm transition: the responder's idempotency key and the incident's trigger. */
export function transitionKey(alarmName: string, stateChangeTime: string): string {
  return `${alarmName}@${new Date(stateChangeTime).toISOString()}`;
}

/** A transition key read back: its alarm (key) and ISO time; the last `@` ends the alarm, whose key may hold one. */
export function parseTransitionKey(trigger: string): { alarmName: string; at: string } {
  const i = trigger.lastIndexOf('@');
  return i < 0 ? { alarmName: trigger, at: '' } : { alarmName: trigger.slice(0, i), at: trigger.slice(i + 1) };
}

/**
 * A Step Functions execution name for an incident (at most 80 characters of [A-Za-z0-9-_]): readable, and the
 * same for the same alarm transition, so a duplicate start is recognised as one.
 */
export function executionName(incidentId: string, alertId: string, suffix = ''): string {
  const stamp = incidentId
    .slice(incidentId.lastIndexOf('@') + 1)
    .replace(/[-:.]/g, '')
    .slice(0, 15);
  const hash = createHash('sha256').update(incidentId).digest('hex').slice(0, 10);
  return `${alertId.slice(0, 40)}-${stamp}-${hash}${suffix}`.slice(0, 80);
}

/** Severities from most to least severe; re-classification only ever goes up. */
export function isMoreSevere(a: Severity, b: Severity): boolean {
  return a < b;
}
