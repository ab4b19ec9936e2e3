import { z } from 'zod';
import { ALERT_IDS, CATEGORIES } from '../catalog';
import { isTimeZone } from '../zoned-time';

/**
 * The `silencing` section of the config: recurring weekly windows in which alerts fire and are recorded but
 * page nobody and run no mitigation. Ad-hoc silences (`oncall silence`) live in the audit table, not here.
 * Plain data; no CDK imports.
 */

/** The alert that low-traffic windows apply to: the runbook's "API requests dropped by >50% (not during expected low-traffic period)". */
export const LOW_TRAFFIC_ALERT = 'UsageDrop';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const WINDOW_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const WindowSchema = z
  .strictObject({
    /** Shown in the timeline and the audit record: "silenced by maintenance db-patching until ...". */
    name: z.string().regex(WINDOW_NAME, 'must be lower-case letters, digits and dashes (max 63)'),
    /** ISO weekdays the window starts on: 1 = Monday ... 7 = Sunday. */
    days: z
      .array(z.number().int().min(1, 'must be an ISO weekday, 1 (Monday) to 7 (Sunday)').max(7, 'must be an ISO weekday, 1 (Monday) to 7 (Sunday)'))
      .min(1)
      .refine((days) => new Set(days).size === days.length, 'days must not repeat'),
    /** Local start time, `HH:MM` (24 h). */
    start: z.string().regex(HH_MM, 'must be HH:MM (00:00 to 23:59)'),
    /** Local end time, `HH:MM`, exclusive; earlier than `start` means the window crosses midnight into the next day. */
    end: z.string().regex(HH_MM, 'must be HH:MM (00:00 to 23:59)'),
    /** IANA time zone of `days`, `start` and `end`. @default 'UTC' */
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
    /**
     * Which alerts the window quiets: a listed field must match (an alert id, a service of a per-service alarm, a
     * category); fields together must all match. @default {} (every alert)
     */
    match: z
      .strictObject({
        alerts: z
          .array(z.enum(ALERT_IDS as [string, ...string[]]))
          .min(1)
          .optional(),
        services: z.array(z.string().min(1)).min(1).optional(),
        categories: z.array(z.enum(CATEGORIES)).min(1).optional(),
      })
      .default({}),
    /** Why the window exists, for the timeline and the audit record. @default the kind of window */
    reason: z.string().min(1).max(200).optional(),
  })
  .refine((w) => w.start !== w.end, { message: 'start and end are equal: the window would be empty', path: ['end'] });

export const SilencingSchema = z
  .strictObject({
    /** Planned maintenance, weekly. @default [] */
    maintenanceWindows: z.array(WindowSchema).default([]),
    /**
     * The expected low-traffic periods of the runbook's UsageDrop alert; they quiet UsageDrop only (`match` may
     * narrow them to services). @default []
     */
    lowTrafficWindows: z.array(WindowSchema).default([]),
  })
  .superRefine((silencing, ctx) => {
    for (const kind of ['maintenanceWindows', 'lowTrafficWindows'] as const) {
      const seen = new Set<string>();
      silencing[kind].forEach((window, index) => {
        if (seen.has(window.name)) ctx.addIssue({ code: 'custom', path: [kind, index, 'name'], message: 'duplicate window name', input: window.name });
        seen.add(window.name);
      });
    }
    silencing.lowTrafficWindows.forEach((window, index) => {
      const { alerts, categories } = window.match;
      if (alerts !== undefined && alerts.some((a) => a !== LOW_TRAFFIC_ALERT)) {
        ctx.addIssue({
          code: 'custom',
          path: ['lowTrafficWindows', index, 'match', 'alerts'],
          message: `low-traffic windows apply only to ${LOW_TRAFFIC_ALERT}; narrow them with match.services, or use maintenanceWindows`,
          input: alerts,
        });
      }
      if (categories !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['lowTrafficWindows', index, 'match', 'categories'],
          message: `low-traffic windows apply only to ${LOW_TRAFFIC_ALERT}; narrow them with match.services`,
          input: categories,
        });
      }
    });
  });

/** Reports windows that name a service the config does not have (called from the config's own refinement). */
export function checkWindowServices(silencing: Silencing, services: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  for (const kind of ['maintenanceWindows', 'lowTrafficWindows'] as const) {
    silencing[kind].forEach((window, index) => {
      window.match.services?.forEach((service, i) => {
        if (!services.has(service))
          ctx.addIssue({
            code: 'custom',
            path: ['silencing', kind, index, 'match', 'services', i],
            message: `must name a configured service (${[...services].join(', ')})`,
            input: service,
          });
      });
    });
  }
}

export type Silencing = z.output<typeof SilencingSchema>;
export type SilencingWindow = z.output<typeof WindowSchema>;
