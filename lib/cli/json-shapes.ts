import { z } from 'zod';
import { MITIGATION_IDS, SEVERITIES } from '../core/catalog';

/**
 * The documented shapes of `oncall ... --json`. Scripts may rely on these fields; tests hold every command's
 * output to its shape, so a change here is a deliberate, visible change of the contract.
 */
const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const state = z.record(z.string(), z.unknown());

export const ActionJson = z.strictObject({
  actionId: z.string(),
  incidentId: z.string(),
  alarmName: z.string(),
  alertId: z.string(),
  service: z.string().optional(),
  severity: z.enum(SEVERITIES),
  mitigation: z.enum(MITIGATION_IDS),
  target: z.string().optional(),
  mode: z.enum(['enabled', 'dry-run', 'disabled', 'unknown']),
  /** Absent on records written before the actor was recorded. */
  actor: z
    .union([z.strictObject({ kind: z.literal('automation') }), z.strictObject({ kind: z.literal('person'), name: z.string(), via: z.enum(['cli']) })])
    .optional(),
  decision: z.enum(['evaluating', 'skipped', 'dry-run', 'acted']),
  reason: z.string(),
  outcome: z.enum(['pending', 'succeeded', 'failed', 'unknown', 'ineffective', 'verified']).optional(),
  evidence: state,
  before: state.optional(),
  desired: state.optional(),
  after: state.optional(),
  error: z.string().optional(),
  revertCommand: z.string().optional(),
  announcedAt: iso.optional(),
  announceFailedAt: iso.optional(),
  createdAt: iso,
  updatedAt: iso,
  /** The region whose responder recorded it: set by `oncall actions`, which reads every region's audit log. */
  region: z.string().optional(),
});
/** `oncall actions --json`: newest first. */
export const ActionsJson = z.array(ActionJson);

export const IncidentJson = z.strictObject({
  incidentId: z.string(),
  alarmName: z.string(),
  alertId: z.string(),
  service: z.string().optional(),
  severity: z.enum(SEVERITIES),
  policyId: z.string(),
  summary: z.string(),
  runbookUrl: z.url(),
  customerFacing: z.boolean(),
  status: z.enum(['open', 'resolved']),
  openedAt: iso,
  triggers: z.array(z.string()),
  openAlarms: z.array(z.string()),
  executionName: z.string().optional(),
  executionArn: z.string().optional(),
  /** Set when a re-classification replaced the escalation: the alert whose policy it follows, from when. */
  reclassifiedBy: z.strictObject({ alertId: z.string(), at: iso }).optional(),
  /** While the escalation waits for a silence to end. */
  escalationDeferredUntil: iso.optional(),
  ackedAt: iso.optional(),
  ackedBy: z.string().optional(),
  resolvedAt: iso.optional(),
  resolvedBy: z.string().optional(),
  resolveNote: z.string().optional(),
  timeToResolveSeconds: z.number().optional(),
});
/** `oncall incidents --json`: newest first. */
export const IncidentsJson = z.array(IncidentJson);

/** `oncall incident show ID --json`. */
export const IncidentShowJson = z.strictObject({
  incident: IncidentJson,
  timeline: z.array(z.strictObject({ at: iso, type: z.string(), detail: z.string(), data: state.optional() })),
  actions: ActionsJson,
});

/** `oncall automation status --json`: changes newest first. */
const switchChanges = z.array(z.strictObject({ version: z.number(), mode: z.string(), at: iso.optional(), by: z.string(), reason: z.string() }));
/** `oncall automation status --json`: the first region's switch at the top, every region's in `regions`. */
export const AutomationStatusJson = z.strictObject({
  parameter: z.string(),
  mode: z.string(),
  changes: switchChanges,
  regions: z.array(z.strictObject({ region: z.string(), parameter: z.string(), mode: z.string(), changes: switchChanges })).min(1),
});

const spread = z.strictObject({ count: z.number().int().min(0), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() });
const count = z.number().int().min(0);
/** `oncall report --json` (HygieneReport in lib/cli/report/hygiene.ts): alerts most fires first. */
export const ReportJson = z.strictObject({
  since: iso,
  until: iso,
  alerts: z.array(
    z.strictObject({
      alertId: z.string(),
      severity: z.enum(SEVERITIES),
      fires: count,
      incidents: count,
      actedFires: count,
      noActionFires: count,
      noActionShare: z.number().min(0).max(1),
      acknowledgedFires: count,
      timeToAck: spread,
      timeToResolve: spread,
      flaps: count,
    }),
  ),
  candidates: z.array(z.strictObject({ alertId: z.string(), rule: z.enum(['retire-or-downgrade', 'tune-duration', 'check-routing']), suggestion: z.string() })),
});

const silenceMatch = z.union([z.strictObject({ alertId: z.string() }), z.strictObject({ service: z.string() }), z.strictObject({ category: z.string() })]);
/** A silence as `oncall silence --json` prints it (Silence in lib/core/silences.ts). */
export const SilenceJson = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{8}$/),
  match: silenceMatch,
  until: iso,
  createdAt: iso,
  createdBy: z.string(),
  reason: z.string(),
  endedAt: iso.optional(),
  endedBy: z.string().optional(),
});
/** `oncall silences --json`: silences ending latest first, and the config windows in force now. */
export const SilencesJson = z.strictObject({
  silences: z.array(SilenceJson.extend({ state: z.enum(['active', 'expired', 'ended']) })),
  windows: z.array(z.record(z.string(), z.unknown())),
});
