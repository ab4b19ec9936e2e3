import { pagerDutyEvent } from '../escalation/page-message';
import { pagerDutyClient } from '../integrations/pagerduty';
import { credential, effectKey, isResolution, type Integration } from './integration';

/**
 * PagerDuty Events API v2: every page triggers (one alert per incident: the dedup key is the incident id, so an
 * escalation's page adds to it), the ack acknowledges, the resolution resolves. Acknowledging in PagerDuty does
 * not acknowledge here: that needs PagerDuty's webhooks, which this stack does not receive.
 */
export const pagerDuty: Integration = {
  name: 'pagerduty',
  enabled: (config) => config.integrations.pagerDuty !== undefined,
  async handle(session, incident, signal) {
    const config = session.config.integrations.pagerDuty!;
    if (!config.severities.includes(incident.severity)) return;
    const type = signal.kind === 'event' ? signal.event.type : undefined;
    const action = isResolution(incident, signal) ? 'resolve' : type === 'page' ? 'trigger' : type === 'ack' ? 'acknowledge' : undefined;
    if (action === undefined || !(await session.state.claim(incident.incidentId, `pagerduty#${effectKey(incident, signal)}`, session.now()))) return;
    const data = signal.kind === 'event' ? signal.event.data : undefined;
    const details =
      action === 'trigger' ? { why: data?.why ?? (signal.kind === 'event' ? signal.event.detail : ''), roles: data?.roles, context: data?.context } : {};
    const client = pagerDutyClient(config, await credential(session, 'pagerduty', config.routingKeySecretArn), session.http);
    await client.send(pagerDutyEvent(action, incident, details));
  },
};
