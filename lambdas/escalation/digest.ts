import type { EscalationDeps } from './deps';
import { publish } from './page-message';

/**
 * The weekly digest of the runbook's P4 alerts ("review during weekly team sync"): what fired, how often, in
 * the last 7 days, sent to the on-call manager's topic. P4 incidents page nobody; this is where they go.
 */
export async function weeklyDigest(deps: EscalationDeps): Promise<{ incidents: number }> {
  const now = deps.now();
  const since = new Date(now.getTime() - 7 * 86_400_000).toISOString();
  const incidents = (await deps.store.listSince(since)).filter((i) => i.severity === 'P4');
  const byAlert = new Map<string, number>();
  for (const i of incidents) byAlert.set(i.alertId, (byAlert.get(i.alertId) ?? 0) + 1);
  const lines = [...byAlert.entries()].sort((a, b) => b[1] - a[1]).map(([alert, n]) => `  ${String(n).padStart(4)}  ${alert}`);
  const subject = `[P4] weekly digest ${since.slice(0, 10)} to ${now.toISOString().slice(0, 10)}: ${incidents.length} informational alerts`;
  const text = [subject, '', ...(lines.length ? lines : ['  nothing fired']), '', 'Details: npx oncall incidents --json'].join('\n');
  await publish(deps.clients.sns, deps.roleTopicArn('on-call-manager'), {
    subject,
    text,
    sms: subject,
    https: { summary: subject, counts: Object.fromEntries(byAlert) },
  });
  return { incidents: incidents.length };
}
