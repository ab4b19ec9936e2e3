import type { EscalationPolicyId, Severity } from './types';

/** Who can be paged. Each role is an SNS topic with the human subscriptions of the environment's config. */
export const ROLES = [
  'on-call-primary',
  'on-call-secondary',
  'senior-engineer',
  'on-call-manager',
  'vp-engineering',
  'cto',
  'incident-commander',
  'security-team',
  'customer-success',
] as const;
export type Role = (typeof ROLES)[number];

/** One timed step of an escalation policy. */
export interface EscalationStep {
  /** Minutes after the incident opened (fractions allowed: tests run on seconds). */
  readonly afterMinutes: number;
  /**
   * Fire at the start of business hours on the next business day after the incident opened, instead of after
   * `afterMinutes` (which then only documents the nominal delay). @default false
   */
  readonly nextBusinessDay?: boolean;
  /** Roles paged at this step. */
  readonly page: readonly Role[];
  /** Open a ticket through the configured webhook at this step. @default false */
  readonly ticket?: boolean;
  /** Whether an acknowledgement cancels this step (ack-deadline re-pages) or not (escalation of an unresolved incident). */
  readonly cancelledByAck: boolean;
}

/** An escalation policy: the runbook's escalation matrix as data. */
export interface EscalationPolicy {
  /** A built-in id, or the name of a policy defined in the environment's config. */
  readonly id: string;
  readonly description: string;
  readonly steps: readonly EscalationStep[];
}

/**
 * Defaults from the runbook's escalation matrix. Where the runbook disagrees with itself (its P1 section says
 * VP Engineering at 1 hour and CTO at 4 hours; the matrix says senior engineer at 1 hour and VP at 4 hours),
 * the matrix wins: it is the table on-call actually reads, and it keeps the VP one step further from a
 * single missed ack. The CTO role exists for teams that configure the P1 section's chain instead. The P2
 * section says "on-call manager at 4 hours"; the matrix's manager at 1 hour and VP at 4 hours win for the
 * same reason. HighAPIErrorRate follows its own runbook (senior at 30 minutes, VP at 1 hour): the alert-level
 * text is the most specific instruction.
 */

/** The policy an alert gets when a team overrides its severity: the standard chain of the new severity. */
export const STANDARD_POLICY: Readonly<Record<Severity, EscalationPolicyId>> = {
  P1: 'p1-standard',
  P2: 'p2-standard',
  P3: 'p3-ticket',
  P4: 'p4-digest',
};
export const ESCALATION_POLICIES: Readonly<Record<EscalationPolicyId, EscalationPolicy>> = {
  'p1-standard': {
    id: 'p1-standard',
    description: 'P1: page on-call and the incident commander now; ack within 15 min; senior at 1 h; VP at 4 h.',
    steps: [
      { afterMinutes: 0, page: ['on-call-primary', 'incident-commander'], cancelledByAck: false },
      { afterMinutes: 15, page: ['on-call-primary', 'on-call-secondary'], cancelledByAck: true },
      { afterMinutes: 60, page: ['senior-engineer'], cancelledByAck: false },
      { afterMinutes: 240, page: ['vp-engineering'], cancelledByAck: false },
    ],
  },
  'p1-api-errors': {
    id: 'p1-api-errors',
    description: 'HighAPIErrorRate, as its own runbook says: senior engineer at 30 min, VP Engineering at 1 h.',
    steps: [
      { afterMinutes: 0, page: ['on-call-primary', 'incident-commander'], cancelledByAck: false },
      { afterMinutes: 15, page: ['on-call-primary', 'on-call-secondary'], cancelledByAck: true },
      { afterMinutes: 30, page: ['senior-engineer'], cancelledByAck: false },
      { afterMinutes: 60, page: ['vp-engineering'], cancelledByAck: false },
    ],
  },
  'p1-security': {
    id: 'p1-security',
    description: 'P1 security (data leak): as P1, and the security team from the first minute ("notify security team").',
    steps: [
      { afterMinutes: 0, page: ['on-call-primary', 'incident-commander', 'security-team'], cancelledByAck: false },
      { afterMinutes: 15, page: ['on-call-primary', 'on-call-secondary'], cancelledByAck: true },
      { afterMinutes: 60, page: ['senior-engineer'], cancelledByAck: false },
      { afterMinutes: 240, page: ['vp-engineering'], cancelledByAck: false },
    ],
  },
  'p2-standard': {
    id: 'p2-standard',
    description: 'P2: alert on-call now; ack within 1 h; on-call manager at 1 h; VP at 4 h.',
    steps: [
      { afterMinutes: 0, page: ['on-call-primary'], cancelledByAck: false },
      { afterMinutes: 60, page: ['on-call-primary', 'on-call-secondary'], cancelledByAck: true },
      { afterMinutes: 60, page: ['on-call-manager'], cancelledByAck: false },
      { afterMinutes: 240, page: ['vp-engineering'], cancelledByAck: false },
    ],
  },
  'p2-security': {
    id: 'p2-security',
    description: 'P2 security (access, brute force, injection): as P2, with the security team told at once.',
    steps: [
      { afterMinutes: 0, page: ['on-call-primary', 'security-team'], cancelledByAck: false },
      { afterMinutes: 60, page: ['on-call-primary', 'on-call-secondary'], cancelledByAck: true },
      { afterMinutes: 60, page: ['on-call-manager'], cancelledByAck: false },
      { afterMinutes: 240, page: ['vp-engineering'], cancelledByAck: false },
    ],
  },
  'p3-ticket': {
    id: 'p3-ticket',
    description: 'P3: open a ticket; the manager hears of it the next business day.',
    steps: [
      { afterMinutes: 0, page: [], ticket: true, cancelledByAck: false },
      { afterMinutes: 24 * 60, nextBusinessDay: true, page: ['on-call-manager'], cancelledByAck: true },
    ],
  },
  'p4-digest': {
    id: 'p4-digest',
    description: 'P4: no page; listed in the weekly digest.',
    steps: [],
  },
};
