import { ticketTracker, type TicketTracker } from '../integrations/tickets';
import { contextLines, type IncidentContext } from '../shared/context';
import { formatDuration, type Incident, type TimelineEvent } from '../shared/storage/incident';
import { credential, isResolution, type Integration, type Session } from './integration';
import type { TicketState } from './state';

/**
 * The runbook's P3 ticket, in GitHub Issues or Jira: one per alert and service, not per alarm transition. A
 * flapping alarm opens an incident each time it fires; the first files the ticket, the next ones comment on it
 * (or reopen it when it was closed within `reopenWithinMinutes`). Resolution comments and closes it.
 */
export const ticketing: Integration = {
  name: 'tickets',
  enabled: (config) => config.integrations.tickets !== undefined,
  async handle(session, incident, signal) {
    const config = session.config.integrations.tickets!;
    if (!config.severities.includes(incident.severity)) return;
    const scope = `${incident.alertId}#${incident.service ?? '-'}`;
    if (isResolution(incident, signal)) return close(session, incident, scope);
    if (signal.kind === 'event' && signal.event.type === 'ticket' && signal.event.data?.requested === true) return file(session, incident, scope, signal.event);
  },
};

async function file(session: Session, incident: Incident, scope: string, request: TimelineEvent): Promise<void> {
  const now = session.now();
  const reopenAfter = new Date(now.getTime() - session.config.integrations.tickets!.reopenWithinMinutes * 60_000).toISOString();
  const existing = await session.state.get<TicketState>(scope, 'TICKET');
  if (existing?.key) {
    if (existing.incidents.includes(incident.incidentId)) return;
    const recent = existing.state === 'open' || (existing.closedAt ?? '') >= reopenAfter;
    if (recent) {
      if (!(await session.state.claim(scope, `ticket#${incident.incidentId}`, now))) return;
      const tracker = await trackerOf(session);
      const again = `Fired again: incident ${incident.incidentId} at ${incident.openedAt} (${incident.alarmName}).\n\n${body(incident, request)}`;
      const outcome = existing.state === 'open' ? (await tracker.comment(existing, again), 'commented') : await tracker.reopen(existing, again);
      await session.state.update(scope, 'TICKET', {
        state: existing.state === 'open' || outcome === 'reopened' ? 'open' : existing.state,
        incidents: [...existing.incidents, incident.incidentId],
      });
      await record(session, incident, `ticket ${existing.key} ${outcome === 'reopened' ? 'reopened' : 'commented'} (the alert fired again): ${existing.url}`);
      return;
    }
  }
  const claimed = await session.state.claimSingleton(scope, 'TICKET', now, existing?.key ? { attribute: 'closedAt', before: reopenAfter } : undefined);
  if (!claimed) return;
  const title = `[${incident.severity}] ${incident.alertId}${incident.service ? ` (${incident.service})` : ''}: ${incident.summary}`;
  const { tracker, ref } = await session.state.creating(scope, 'TICKET', async () => {
    const tracker = await trackerOf(session);
    return { tracker, ref: await tracker.open({ title, body: body(incident, request) }) };
  });
  await session.state.put(scope, 'TICKET', { key: ref.key, url: ref.url, state: 'open', incidents: [incident.incidentId] } satisfies TicketState, now);
  await record(session, incident, `ticket ${ref.key} opened in ${tracker.provider}: ${ref.url}`);
}

async function close(session: Session, incident: Incident, scope: string): Promise<void> {
  const ticket = await session.state.get<TicketState>(scope, 'TICKET');
  if (!ticket?.key || ticket.state !== 'open' || !ticket.incidents.includes(incident.incidentId)) return;
  if (!(await session.state.claim(scope, `ticket-resolved#${incident.incidentId}`, session.now()))) return;
  const after = incident.timeToResolveSeconds === undefined ? '' : ` after ${formatDuration(incident.timeToResolveSeconds)}`;
  const outcome = await (await trackerOf(session)).close(
    ticket,
    `Resolved by ${incident.resolvedBy ?? 'unknown'}${after} (incident ${incident.incidentId}).${incident.resolveNote ? `\n\n${incident.resolveNote}` : ''}`,
  );
  if (outcome === 'closed') await session.state.update(scope, 'TICKET', { state: 'closed', closedAt: session.now().toISOString() });
  await record(session, incident, `ticket ${ticket.key} ${outcome} on resolution`);
}

/** What a ticket says: the alert, the evidence gathered when it was asked for, where to read more. */
function body(incident: Incident, request: TimelineEvent): string {
  const context = request.data?.context as IncidentContext | undefined;
  return [
    `**${incident.summary}**`,
    '',
    `- Alert: ${incident.alertId} (${incident.severity})${incident.service ? ` on ${incident.service}` : ''}`,
    `- Incident: \`${incident.incidentId}\`, opened ${incident.openedAt}`,
    `- Alarm: \`${incident.alarmName}\``,
    `- Runbook: ${incident.runbookUrl}`,
    `- Timeline: \`npx oncall incident show ${incident.incidentId}\``,
    ...(request.data?.backlog === true ? ['- Backlog: informational (P4); nobody was paged. Review it at the weekly team sync.'] : []),
    ...(context ? ['', '```', ...contextLines(context), '```'] : []),
  ].join('\n');
}

async function trackerOf(session: Session): Promise<TicketTracker> {
  const config = session.config.integrations.tickets!;
  const arn = config.provider === 'github' ? config.tokenSecretArn : config.credentialsSecretArn;
  return ticketTracker(config, await credential(session, 'tickets', arn), session.http);
}

async function record(session: Session, incident: Incident, detail: string): Promise<void> {
  await session.store.addEvent(incident.incidentId, { at: session.now().toISOString(), type: 'integration', detail, data: { integration: 'tickets' } });
}
