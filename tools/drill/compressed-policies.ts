import { ESCALATION_POLICIES } from '../../lib/core/catalog';
import type { ConfigInput } from '../../lib/core/config/schema';

/**
 * The runbook's escalation matrix with every duration compressed so that one hour lasts `secondsPerHour`
 * seconds (15 minutes: 0.5 s at 2 s per hour): the tests run the real timetable in seconds (the drill runs it
 * uncompressed, on its own clock: drill-clock.ts).
 * "Next business day" becomes its nominal 24 hours.
 */
export function compressedPolicies(secondsPerHour: number): NonNullable<NonNullable<ConfigInput['escalation']>['policies']> {
  const factor = secondsPerHour / 3600;
  return Object.fromEntries(
    Object.values(ESCALATION_POLICIES).map((policy) => [
      policy.id,
      {
        description: policy.description,
        steps: policy.steps.map(({ nextBusinessDay: _ignored, ...step }) => ({ ...step, afterMinutes: step.afterMinutes * factor, page: [...step.page] })),
      },
    ]),
  );
}
