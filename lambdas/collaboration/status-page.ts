import { IntegrationError } from '../integrations/http';
import { statusPageClient } from '../integrations/statuspage';
import type { Incident } from '../shared/storage/incident';
import { credential, effectKey, isResolution, type Integration, type Session } from './integration';
import type { Signal } from './signal';
import type { StatusPageState } from './state';

type Status = StatusPageState['status'];

/**
 * The public side of a customer-facing P1 or P2. Customers hear of it at the runbook's step 3 ("mitigate:
 * communicate to stakeholders"), once on-call has been paged and mitigation has begun: the first automatic action,
 * the acknowledgement, an escalation or an ineffective mitigation, whichever comes first. An alarm that clears
 * before anyone is paged never reaches the status page. Updated on mitigation, resolved on resolution. What it
 * says is deliberately generic: no alarm names, hosts or internal commands on a public page.
 */
export const statusPage: Integration = {
  name: 'statuspage',
  enabled: (config) => config.integrations.statusPage !== undefined,
  async handle(session, incident, signal) {
    const config = session.config.integrations.statusPage!;
    if (!incident.customerFacing || !config.severities.includes(incident.severity as 'P1' | 'P2')) return;
    // Only these can open the public incident (mitigationBegun) or update it (nextUpdate): no reads for the rest.
    const relevant = signal.kind === 'action' || isResolution(incident, signal) || ['page', 'ack', 'ineffective', 'verified'].includes(signal.event.type);
    if (!relevant) return;
    const state = await session.state.get<StatusPageState>(incident.incidentId, 'STATUSPAGE');
    if (!state?.statusPageId) {
      if (!(await mitigationBegun(session, incident, signal))) return;
      if (!(await session.state.claimSingleton(incident.incidentId, 'STATUSPAGE', session.now()))) return;
      const acted = (await session.audit.forIncident(incident)).some((a) => a.decision === 'acted' && a.outcome !== 'failed');
      const status: Status = acted ? 'identified' : 'investigating';
      const opened = await session.state.creating(incident.incidentId, 'STATUSPAGE', async () =>
        (await client(session)).open({
          name: publicName(incident),
          body: acted ? IDENTIFIED : INVESTIGATING,
          componentId: componentOf(session, incident),
          componentStatus: impactOf(incident),
          status,
        }),
      );
      await session.state.put(incident.incidentId, 'STATUSPAGE', { statusPageId: opened.id, status } satisfies StatusPageState, session.now());
      await session.store.addEvent(incident.incidentId, {
        at: session.now().toISOString(),
        type: 'integration',
        detail: `status page incident opened (${status})${opened.shortlink ? `: ${opened.shortlink}` : ''}`,
        data: { integration: 'statuspage', statusPageId: opened.id },
      });
      return;
    }
    if (state.status === 'resolved') return;
    const next = nextUpdate(incident, signal);
    // The action that opened it, read again, or a second action: customers were already told.
    const news = next && (next.status !== state.status || (signal.kind === 'event' && signal.event.type === 'ineffective'));
    if (!next || !news || !(await session.state.claim(incident.incidentId, `statuspage#${effectKey(incident, signal)}`, session.now()))) return;
    const componentStatus = next.status === 'resolved' ? 'operational' : impactOf(incident);
    await (await client(session)).update(state.statusPageId, {
      status: next.status,
      body: next.body,
      componentId: componentOf(session, incident),
      componentStatus,
    });
    await session.state.update(incident.incidentId, 'STATUSPAGE', { status: next.status });
    await session.store.addEvent(incident.incidentId, {
      at: session.now().toISOString(),
      type: 'integration',
      detail: `status page updated: ${next.status}`,
      data: { integration: 'statuspage' },
    });
  },
};

const INVESTIGATING = 'We are investigating reports of a problem with this service and will post an update shortly.';
const IDENTIFIED = 'We have identified the problem and applied a mitigation. We are watching its effect and will post an update shortly.';

/** The update a signal calls for, if any. */
function nextUpdate(incident: Incident, signal: Signal): { status: Status; body: string } | undefined {
  if (isResolution(incident, signal)) return { status: 'resolved', body: 'This incident has been resolved. Thank you for your patience.' };
  if (signal.kind === 'action') {
    const { action } = signal;
    return action.decision === 'acted' && action.outcome === 'succeeded' && action.evidence.revertOf === undefined
      ? { status: 'identified', body: IDENTIFIED }
      : undefined;
  }
  if (signal.event.type === 'verified')
    return { status: 'monitoring', body: 'A fix has been applied and the service is recovering. We are monitoring the results.' };
  if (signal.event.type === 'ineffective')
    return { status: 'identified', body: 'The first mitigation did not fully resolve the problem. Our engineers are working on it.' };
  return undefined;
}

/**
 * Still open, paged, and then one of: an automatic action, the ack, an escalation, an ineffective mitigation;
 * as of the signal, not of now. The stream is read a little (or, after an outage of this function, a lot) later
 * than it is written: deciding as of each record makes the same story as reading it live, and the status page
 * never runs ahead of the channel (customers hear after on-call does).
 */
async function mitigationBegun(session: Session, incident: Incident, signal: Signal): Promise<boolean> {
  const asOf = signal.kind === 'event' ? signal.event.at : signal.action.updatedAt;
  if (incident.resolvedAt !== undefined && incident.resolvedAt <= asOf) return false;
  const timeline = (await session.store.timeline(incident.incidentId)).filter((e) => e.at <= asOf);
  const pages = timeline.filter((e) => e.type === 'page').length;
  if (pages === 0) return false;
  if (pages > 1 || timeline.some((e) => e.type === 'ack' || e.type === 'ineffective')) return true;
  return (await session.audit.forIncident(incident)).some((a) => a.decision === 'acted' && a.outcome !== 'pending' && a.updatedAt <= asOf);
}

function componentOf(session: Session, incident: Incident): string {
  const { components } = session.config.integrations.statusPage!;
  const id = components[incident.service ?? 'default'] ?? components.default;
  if (id === undefined)
    throw new IntegrationError(
      'statuspage',
      undefined,
      0,
      `no component for service ${incident.service}: add it (or default) to integrations.statusPage.components`,
    );
  return id;
}

const impactOf = (incident: Incident) => (incident.severity === 'P1' ? 'major_outage' : 'degraded_performance');
const publicName = (incident: Incident) => `${incident.severity === 'P1' ? 'Outage' : 'Degraded performance'}: ${incident.service ?? 'all services'}`;

async function client(session: Session) {
  const config = session.config.integrations.statusPage!;
  return statusPageClient(config, await credential(session, 'statuspage', config.apiKeySecretArn), session.http);
}
