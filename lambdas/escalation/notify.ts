import type { Role } from '../../lib/core/catalog';
import { gatherContext } from '../shared/context';
import type { Incident } from '../shared/storage/incident';
import { signLink } from '../shared/links';
import type { EscalationDeps } from './deps';
import { pagerDutyEvent, pageText, publish, smsText } from './page-message';

/** Path of the short links: `<function URL>/s/<token>`. */
export const SHORT_LINK_PATH = 's';

/** The roles already paged for an incident, from its timeline. */
async function pagedRoles(deps: EscalationDeps, incidentId: string): Promise<Role[]> {
  const events = await deps.store.timeline(incidentId);
  return [...new Set(events.filter((e) => e.type === 'page').flatMap((e) => (e.data?.roles as Role[] | undefined) ?? []))];
}

/**
 * Ack and resolve links bound to this incident, expiring after `escalation.linkTtlMinutes`: signed ones for email
 * and HTTPS, and a short ack link for SMS (an opaque token stored in the table, {@link SHORT_LINK_PATH}).
 */
export async function links(deps: EscalationDeps, incidentId: string): Promise<{ ackUrl: string; resolveUrl: string; smsAckUrl: string }> {
  if (!deps.linkBaseUrl) throw new Error('no LINK_BASE_URL: this function does not sign links');
  const key = await deps.linkKey();
  const exp = Math.floor(deps.now().getTime() / 1000) + deps.config.escalation.linkTtlMinutes * 60;
  const base = deps.linkBaseUrl.replace(/\/+$/, '');
  const url = (action: 'ack' | 'resolve') => `${base}/${action}?incident=${encodeURIComponent(incidentId)}&token=${signLink(key, { incidentId, action, exp })}`;
  const short = await deps.shortLinks.create({ incidentId, action: 'ack', exp });
  return { ackUrl: url('ack'), resolveUrl: url('resolve'), smsAckUrl: `${base}/${SHORT_LINK_PATH}/${short}` };
}

/**
 * Pages roles about an incident, with the automation's actions, the context (recent changes, the alarm's
 * datapoints; at most 3 s to gather, never failing the page) and the ack link, and records it in the timeline
 * with that context, which the channel post is made from. With `pageKey` (the escalation step), the page is
 * resumable: each role is marked once SNS accepted its message, and a retry after a partial failure (one topic
 * throttled) reaches only the roles still missing; the page is recorded once every role is reached.
 */
export async function page(deps: EscalationDeps, incident: Incident, roles: readonly Role[], why: string, pageKey?: string): Promise<void> {
  if (roles.length === 0) return;
  const reached = pageKey === undefined ? new Set<string>() : await deps.store.rolesReached(incident.incidentId, pageKey);
  const missing = roles.filter((role) => !reached.has(role));
  const actions = await deps.audit.forIncident(incident);
  const [{ ackUrl, resolveUrl, smsAckUrl }, context] = await Promise.all([
    links(deps, incident.incidentId),
    gatherContext({ clients: deps.clients, config: deps.config, now: deps.now() }, incident, actions),
  ]);
  const text = pageText({ incident, why, roles, actions, ackUrl, resolveUrl, smsAckUrl, context });
  const automation = actions.map((a) => ({ mitigation: a.mitigation, target: a.target, decision: a.decision, outcome: a.outcome, revert: a.revertCommand }));
  const https = pagerDutyEvent('trigger', incident, { why, automation, context }, [
    { href: ackUrl, text: 'Acknowledge' },
    { href: resolveUrl, text: 'Resolve' },
  ]);
  const results = await Promise.allSettled(
    missing.map(async (role) => {
      await publish(deps.clients.sns, deps.roleTopicArn(role), { ...text, https });
      if (pageKey !== undefined) await deps.store.markReached(incident.incidentId, pageKey, role, deps.now().toISOString());
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  // Last, and only once every role is reached: a retry comes only from a failure before it.
  await deps.store.addEvent(incident.incidentId, {
    at: deps.now().toISOString(),
    type: 'page',
    detail: `paged ${roles.join(', ')}: ${why}`,
    data: { roles: [...roles], why, context },
  });
}

/** Tells everyone paged so far that the incident was acknowledged or resolved (same dedup key). */
export async function notifyPaged(deps: EscalationDeps, incident: Incident, action: 'acknowledge' | 'resolve'): Promise<void> {
  const roles = await pagedRoles(deps, incident.incidentId);
  const verb = action === 'acknowledge' ? `acknowledged by ${incident.ackedBy}` : `resolved by ${incident.resolvedBy}`;
  const subject = `[${incident.severity}] ${verb}: ${incident.alertId}`.replace(/[^\x20-\x7e]/g, ' ').slice(0, 99);
  const text = `${subject}\nIncident: ${incident.incidentId}\n${action === 'resolve' ? `Time to resolve: ${incident.timeToResolveSeconds ?? '?'} s` : ''}`;
  await Promise.all(
    roles.map((role) => publish(deps.clients.sns, deps.roleTopicArn(role), { subject, text, sms: smsText(subject), https: pagerDutyEvent(action, incident) })),
  );
}
