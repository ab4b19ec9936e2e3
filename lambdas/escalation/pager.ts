import { z } from 'zod';
import { ROLES } from '../../lib/catalog';
import type { EscalationDeps } from './deps';
import { links, page } from './notify';

/** The input of the pager task: one step of the incident's timetable (the state machine's Map item). */
const StepInput = z.object({
  incidentId: z.string().min(1),
  step: z.object({ index: z.number().int(), at: z.string(), roles: z.array(z.enum(ROLES)), ticket: z.boolean(), cancelledByAck: z.boolean() }),
});

/** What a step did: who was paged, or why nobody was. */
export interface StepResult {
  readonly paged: readonly string[];
  readonly ticket?: 'opened' | 'failed' | 'not-configured';
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
  if (step.cancelledByAck && incident.ackedAt) {
    await deps.store.addEvent(incidentId, { at: now, type: 'skipped-step', detail: `step ${step.index} (${step.roles.join(', ')}) not needed: acknowledged at ${incident.ackedAt}` });
    return { paged: [], skipped: 'acknowledged' };
  }
  const ticket = step.ticket ? await openTicket(deps, incidentId) : undefined;
  const why = step.index === 0 ? `${incident.policyId}: the incident opened` : `${incident.policyId}: step ${step.index} at ${step.at}${step.cancelledByAck ? ' (not acknowledged in time)' : ' (still unresolved)'}`;
  await page(deps, incident, step.roles, why);
  return { paged: step.roles, ...(ticket ? { ticket } : {}) };
}

const TICKET_TIMEOUT_MS = 5_000;
const TICKET_ATTEMPTS = 3;

/** POSTs a ticket to the configured webhook, with a timeout and bounded retries; the result goes in the timeline. */
async function openTicket(deps: EscalationDeps, incidentId: string): Promise<'opened' | 'failed' | 'not-configured'> {
  const url = deps.config.escalation.ticketWebhookUrl;
  const at = () => deps.now().toISOString();
  if (!url) {
    await deps.store.addEvent(incidentId, { at: at(), type: 'integration-failed', detail: 'no ticket opened: escalation.ticketWebhookUrl is not configured' });
    return 'not-configured';
  }
  const incident = (await deps.store.get(incidentId))!;
  const { ackUrl } = await links(deps, incidentId);
  const body = JSON.stringify({
    title: `[${incident.severity}] ${incident.alertId}${incident.service ? ` (${incident.service})` : ''}: ${incident.summary}`,
    incidentId,
    severity: incident.severity,
    alarm: incident.alarmName,
    openedAt: incident.openedAt,
    runbook: incident.runbookUrl,
    acknowledge: ackUrl,
  });
  let last = '';
  for (let attempt = 1; attempt <= TICKET_ATTEMPTS; attempt++) {
    try {
      const response = await (deps.fetch ?? fetch)(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(TICKET_TIMEOUT_MS) });
      if (response.ok) {
        await deps.store.addEvent(incidentId, { at: at(), type: 'ticket', detail: `ticket opened (HTTP ${response.status})` });
        return 'opened';
      }
      last = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
  }
  await deps.store.addEvent(incidentId, { at: at(), type: 'integration-failed', detail: `ticket webhook failed after ${TICKET_ATTEMPTS} attempts: ${last}` });
  return 'failed';
}
