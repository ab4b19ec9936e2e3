import { localParts } from '../../lib/core/zoned-time';
import { slackClient } from '../integrations/slack';
import type { Incident } from '../shared/storage/incident';
import { actionEffectKey, credential, isResolution, effectKey, type Integration, type Session } from './integration';
import { actionPost, eventPost, pagePost, resolutionPost } from './messages';
import { isDecided, type Signal } from './signal';
import type { ChannelState } from './state';

/**
 * The runbook's P1 incident channel, `#incident-YYYY-MM-DD`: opened when humans are first paged (or when an
 * incident is re-classified into a severity that has channels), with the on-call group invited; from then on it
 * hears every page, automatic action, ack, escalation, re-classification and the resolution.
 */
export const slackChannel: Integration = {
  name: 'slack',
  enabled: (config) => config.integrations.slack !== undefined,
  async handle(session, incident, signal) {
    const config = session.config.integrations.slack!;
    if (!config.severities.includes(incident.severity as 'P1' | 'P2')) return;
    // Most records (fired, silenced, skipped steps...) neither open a channel nor post: no read for them.
    const text = postFor(incident, signal);
    if (text === undefined && !opensChannel(signal)) return;
    let channel = await session.state.get<ChannelState>(incident.incidentId, 'SLACK');
    const opening = !channel?.channelId;
    if (opening && !opensChannel(signal)) return;
    const client = slackClient(config, await credential(session, 'slack', config.tokenSecretArn), session.http);
    if (opening) {
      if (!(await session.state.claimSingleton(incident.incidentId, 'SLACK', session.now()))) return;
      channel = await session.state.creating(incident.incidentId, 'SLACK', () => openChannel(session, client, incident));
    }
    if (text !== undefined && (await session.state.claim(incident.incidentId, `slack#${effectKey(incident, signal)}`, session.now())))
      await client.post(channel!.channelId, text);
    // Actions recorded before the channel existed (the responder is often faster than the first page).
    if (opening) {
      for (const action of (await session.audit.forIncident(incident)).reverse()) {
        if (isDecided(action) && (await session.state.claim(incident.incidentId, `slack#${actionEffectKey(action.actionId)}`, session.now())))
          await client.post(channel!.channelId, actionPost(action));
      }
    }
  },
};

/** Humans are engaged: a page, or a re-classification into a severity with channels. */
function opensChannel(signal: Signal): boolean {
  return signal.kind === 'event' && (signal.event.type === 'page' || signal.event.type === 'reclassified');
}

async function openChannel(session: Session, client: ReturnType<typeof slackClient>, incident: Incident): Promise<ChannelState> {
  const config = session.config.integrations.slack!;
  const day = localParts(new Date(incident.openedAt), session.config.escalation.businessHours.timezone);
  const date = `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
  const created = await client.createChannel(`${config.channelPrefix}-${date}`);
  const state: ChannelState = { channelId: created.id, channelName: created.name };
  // Stored before anything else can fail: a failed invite must not open a second channel on the next signal.
  await session.state.put(incident.incidentId, 'SLACK', state, session.now());
  const invited = await client.invite(created.id);
  await session.store.addEvent(incident.incidentId, {
    at: session.now().toISOString(),
    type: 'integration',
    detail: `Slack channel #${created.name} opened; invited ${invited.length ? invited.join(', ') : 'nobody'}`,
    data: { integration: 'slack', channel: created.name },
  });
  return state;
}

/** What the channel says about a signal; undefined when nothing. */
function postFor(incident: Incident, signal: Signal): string | undefined {
  if (signal.kind === 'action') return actionPost(signal.action);
  const { event } = signal;
  if (event.type === 'page') return pagePost(incident, event);
  if (event.type === 'resolved') return isResolution(incident, signal) ? resolutionPost(incident) : `:large_green_circle: ${event.detail}`;
  // Its own failures and successes are Slack's business only; the others' are the channel's.
  if ((event.type === 'integration' || event.type === 'integration-failed') && event.data?.integration === 'slack') return undefined;
  return eventPost(event);
}
