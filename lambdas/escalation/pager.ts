import { z } from 'zod';
import { findAlert, ROLES } from '../../lib/core/catalog';
import { describeHit, silencedBy } from '../../lib/core/silences';
import type { Incident } from '../shared/storage/incident';
import type { EscalationDeps } from './deps';
import { gatherContext } from '../shared/context';
import { page } from './notify';

/** The input of the pager task: one step of the incident's timetable (the state machine's Map item). */
const StepInput = z.object({
  incidentId: z.string().min(1),
  step: z.object({ index: z.number().int(), at: z.string(), roles: z.array(z.enum(ROLES)), ticket: z.boolean(), cancelledByAck: z.boolean() }),
});

/** What a step did: who was paged, or why nobody was. */
export interface StepResult {
  readonly paged: readonly string[];
  readonly ticket?: 'requested' | 'not-configured';
  readonly skipped?: string;
}

/**
 * One timer of the escalation went off. The incident decides: resolved means nobody is paged (a race with the
 * execution being stopped); an acknowledged incident skips the ack-deadline re-pages but keeps escalating.
 */
export async function pageStep(deps: EscalationDeps, input: unknown): Promise<StepResult> {
  const { incidentId, step } = StepInput.parse(input);
  const incident = await deps.store.get(incidentId);
  const now = deps.now().toISOString();
  if (!incident || incident.status !== 'open') return { paged: [], skipped: 'resolved' };
  if (incident.escalationDeferredUntil !== undefined) {
    // Planned from the end of a silence: a silence extended, or a window that began since, still holds it back.
    const alert = findAlert(incident.alertId)!;
    const hit = silencedBy(
      deps.now(),
      { alertId: alert.id, category: alert.category, service: incident.service },
      await deps.silences.listActive(deps.now()),
      deps.config,
    );
    if (hit) {
      await deps.store.addEvent(incidentId, {
        at: now,
        type: 'skipped-step',
        detail: `step ${step.index} (${step.roles.join(', ') || 'ticket'}) not paged: ${describeHit(hit)}`,
      });
      return { paged: [], skipped: 'silenced' };
    }
  }
  if (step.cancelledByAck && incident.ackedAt) {
    await deps.store.addEvent(incidentId, {
      at: now,
      type: 'skipped-step',
      detail: `step ${step.index} (${step.roles.join(', ')}) not needed: acknowledged at ${incident.ackedAt}`,
    });
    return { paged: [], skipped: 'acknowledged' };
  }
  const ticket = step.ticket ? await requestTicket(deps, incident) : undefined;
  const opened =
    incident.escalationDeferredUntil === undefined ? 'the incident opened' : `still open when its silence ended (${incident.escalationDeferredUntil})`;
  const why =
    step.index === 0
      ? `${incident.policyId}: ${opened}`
      : `${incident.policyId}: step ${step.index} at ${step.at}${step.cancelledByAck ? ' (not acknowledged in time)' : ' (still unresolved)'}`;
  await page(deps, incident, step.roles, why, `${step.index}@${step.at}`);
  return { paged: step.roles, ...(ticket ? { ticket } : {}) };
}

/**
 * A ticket step asks for a ticket: the request goes in the timeline, where the collaboration function (which owns
 * the tracker's credentials, its retries and the one-ticket-per-alert dedup) picks it up. Paging never waits on
 * the tracker. `backlog`: the P4 matrix's "ticket backlog", asked for by the starter, written once per incident
 * however often a retry asks again, and silently nothing without a tracker (the weekly digest is P4's path).
 */
export async function requestTicket(deps: EscalationDeps, incident: Incident, options: { backlog?: boolean } = {}): Promise<'requested' | 'not-configured'> {
  const { incidentId } = incident;
  const at = deps.now().toISOString();
  const tickets = deps.config.integrations.tickets;
  if (!tickets) {
    if (!options.backlog)
      await deps.store.addEvent(incidentId, {
        at,
        type: 'integration-failed',
        detail: 'no ticket opened: integrations.tickets is not configured',
        data: { integration: 'tickets' },
      });
    return 'not-configured';
  }
  // The evidence goes with the request: the ticket is filed from it, as a page is.
  const context = await gatherContext({ clients: deps.clients, config: deps.config, now: deps.now() }, incident, await deps.audit.forIncident(incident));
  const event = {
    at: options.backlog ? incident.openedAt : at,
    type: 'ticket' as const,
    detail: `${options.backlog ? 'backlog ticket' : 'ticket'} requested from ${tickets.provider}`,
    data: { requested: true, context, ...(options.backlog ? { backlog: true } : {}) },
  };
  await deps.store.addEvent(incidentId, event, options.backlog ? 'backlog-ticket' : undefined);
  return 'requested';
}
