import type { Severity } from './types';

/** What a severity promises, from the runbook's "Alert Severity Levels" and "Step 1: Acknowledge". */
export interface SeverityLevel {
  readonly severity: Severity;
  readonly name: 'Critical' | 'High' | 'Medium' | 'Low';
  readonly definition: string;
  /** Time to acknowledge; undefined where the runbook asks for none (P4). */
  readonly ackWithinMinutes: number | undefined;
  /** Post-incident review due, in hours after resolution; undefined where none is required. */
  readonly reviewDueHours: number | undefined;
}

export const SEVERITY_LEVELS: Readonly<Record<Severity, SeverityLevel>> = {
  P1: {
    severity: 'P1',
    name: 'Critical',
    definition: 'System down, major functionality broken, or severe business impact.',
    ackWithinMinutes: 15,
    reviewDueHours: 48,
  },
  P2: {
    severity: 'P2',
    name: 'High',
    definition: 'Significant degradation, but system still functional. Major feature broken.',
    ackWithinMinutes: 60,
    reviewDueHours: 7 * 24,
  },
  P3: {
    severity: 'P3',
    name: 'Medium',
    definition: 'Minor degradation or potential issue. No immediate business impact.',
    ackWithinMinutes: 24 * 60,
    reviewDueHours: undefined,
  },
  P4: {
    severity: 'P4',
    name: 'Low',
    definition: 'Informational alert. No action required immediately.',
    ackWithinMinutes: undefined,
    reviewDueHours: undefined,
  },
};
