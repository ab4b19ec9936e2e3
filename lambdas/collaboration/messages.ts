import { announcement } from '../responder/announce';
import type { ActionRecord } from '../shared/storage/audit-log';
import { contextLines, type IncidentContext } from '../shared/context';
import { formatDuration, type Incident, type TimelineEvent } from '../shared/storage/incident';

/**
 * What the incident channel says, in Slack mrkdwn. Posts carry no ack/resolve links: those are single-use
 * bearer links for the person paged; the channel gets the CLI commands instead.
 */

const block = (lines: readonly string[]) => (lines.length ? `\n\`\`\`\n${lines.join('\n').replace(/```/g, "'''")}\n\`\`\`` : '');
const title = (incident: Incident) => `[${incident.severity}] ${incident.alertId}${incident.service ? ` (${incident.service})` : ''}`;

/** A page, as the people paged got it (with the recent changes and datapoints), minus their personal links. */
export function pagePost(incident: Incident, event: TimelineEvent): string {
  const context = event.data?.context as IncidentContext | undefined;
  const why = typeof event.data?.why === 'string' ? event.data.why : event.detail;
  const roles = Array.isArray(event.data?.roles) ? (event.data.roles as string[]) : [];
  return (
    [
      `:rotating_light: *Paged ${roles.join(', ') || 'on-call'}*: ${why}`,
      `*${title(incident)}*: ${incident.summary}`,
      `Incident \`${incident.incidentId}\` · alarm \`${incident.alarmName}\` · runbook ${incident.runbookUrl}`,
      `Take it: \`npx oncall ack ${incident.incidentId}\` · timeline: \`npx oncall incident show ${incident.incidentId}\``,
    ].join('\n') + block(context ? contextLines(context) : [])
  );
}

/** An automatic action (or a human revert) with its evidence and the command that undoes it. */
export function actionPost(action: ActionRecord): string {
  const { subject, message } = announcement(action);
  const icon = action.decision === 'dry-run' ? ':test_tube:' : action.outcome === 'failed' ? ':x:' : ':robot_face:';
  return `${icon} *${subject}*${block(message.split('\n').slice(2))}`;
}

/** The resolution, with what comes next. */
export function resolutionPost(incident: Incident): string {
  const after = incident.timeToResolveSeconds === undefined ? '' : ` after ${formatDuration(incident.timeToResolveSeconds)}`;
  const review =
    incident.severity === 'P1' || incident.severity === 'P2'
      ? `\nPost-incident review due (P1: 48 h, P2: 1 week): \`npx oncall review ${incident.incidentId}\``
      : '';
  return `:white_check_mark: *Resolved* by ${incident.resolvedBy ?? 'unknown'}${after}.${incident.resolveNote ? ` ${incident.resolveNote}` : ''}${review}`;
}

const EVENT_ICONS: Partial<Record<TimelineEvent['type'], string>> = {
  joined: ':link:',
  ack: ':eyes:',
  reclassified: ':arrow_double_up:',
  verified: ':white_check_mark:',
  ineffective: ':warning:',
  'integration-failed': ':electric_plug:',
  integration: ':satellite:',
};

/** A one-line post for the other timeline events worth the channel's attention; undefined for the rest. */
export function eventPost(event: TimelineEvent): string | undefined {
  const icon = EVENT_ICONS[event.type];
  return icon && `${icon} ${event.detail}`;
}
