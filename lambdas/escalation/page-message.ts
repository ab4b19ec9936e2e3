import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Role, Severity } from '../../lib/core/catalog';
import type { ActionRecord } from '../shared/storage/audit-log';
import { contextLines, type IncidentContext } from '../shared/context';
import type { Incident } from '../shared/storage/incident';

const PAGERDUTY_SEVERITY: Readonly<Record<Severity, 'critical' | 'error' | 'warning' | 'info'>> = { P1: 'critical', P2: 'error', P3: 'warning', P4: 'info' };

/** Everything a page says. */
export interface Page {
  readonly incident: Incident;
  /** Why now: the step of the policy, an ineffective mitigation, a re-classification. */
  readonly why: string;
  readonly roles: readonly Role[];
  /** What the automation already did for this incident. */
  readonly actions: readonly ActionRecord[];
  readonly ackUrl: string;
  readonly resolveUrl: string;
  /** The short ack link the SMS carries (the signed one is ~410 characters). */
  readonly smsAckUrl: string;
  /** Recent changes and the alarm's datapoints; the email shows them, the SMS does not. @default none shown */
  readonly context?: IncidentContext;
}

/**
 * A page as JSON, in the shape of a PagerDuty Events API v2 body (trigger, acknowledge and resolve share the
 * incident's dedup_key). HTTPS subscribers receive it as the `Message` string of SNS's JSON envelope, never as
 * the request body: SNS wraps every HTTP(S) delivery unless raw delivery is on, so PagerDuty itself is reached
 * through integrations.pagerDuty, which sends this body to the Events API.
 */
export function pagerDutyEvent(
  action: 'trigger' | 'acknowledge' | 'resolve',
  incident: Incident,
  details: Record<string, unknown> = {},
  links: { href: string; text: string }[] = [],
): Record<string, unknown> {
  return {
    event_action: action,
    dedup_key: incident.incidentId,
    ...(action === 'trigger'
      ? {
          payload: {
            summary: `[${incident.severity}] ${incident.alertId}${incident.service ? ` (${incident.service})` : ''}: ${incident.summary}`.slice(0, 1024),
            source: incident.alarmName,
            severity: PAGERDUTY_SEVERITY[incident.severity],
            timestamp: incident.openedAt,
            component: incident.service ?? 'environment',
            class: incident.alertId,
            custom_details: details,
          },
          links: [{ href: incident.runbookUrl, text: 'Runbook' }, ...links],
        }
      : {}),
  };
}

/** The text of a page, for email and SMS. */
export function pageText(page: Page): { subject: string; text: string; sms: string } {
  const { incident } = page;
  const subject = `[${incident.severity}] ${incident.alertId}${incident.service ? ` ${incident.service}` : ''}: ${incident.summary}`
    .replace(/[^\x20-\x7e]/g, ' ')
    .slice(0, 99);
  const acted = page.actions.filter((a) => a.decision === 'acted' || a.decision === 'dry-run');
  const text = [
    subject,
    '',
    `Why you:     ${page.why}`,
    `Incident:    ${incident.incidentId} (opened ${incident.openedAt}${incident.ackedAt ? `, acknowledged by ${incident.ackedBy} at ${incident.ackedAt}` : ', not acknowledged'})`,
    `Alarm:       ${incident.alarmName}`,
    `Runbook:     ${incident.runbookUrl}`,
    '',
    'Automation so far:',
    ...(acted.length
      ? acted.map((a) =>
          a.evidence.revertOf !== undefined
            ? `  - ${a.mitigation} on ${a.target}: reverted by a human (${a.reason})`
            : `  - ${a.mitigation} on ${a.target}: ${a.decision}, ${a.outcome ?? 'no outcome'} (${a.reason}); revert: ${a.revertCommand}`,
        )
      : ['  - nothing (no mitigation applies, or its guard rails held it back)']),
    '',
    // The actions are listed above, with their reasons: the context adds the changes around them.
    ...(page.context ? [...contextLines(page.context, { actions: false }), ''] : []),
    `Acknowledge: ${page.ackUrl}`,
    `Resolve:     ${page.resolveUrl}`,
    `Or:          npx oncall ack ${incident.incidentId}`,
    `Dedup key:   ${incident.incidentId}`,
  ].join('\n');
  return { subject, text, sms: smsPage(incident, page.smsAckUrl) };
}

/** One SMS part: SNS splits longer messages into parts of 140 bytes, and a link cut in two does not work. */
export const SMS_MAX_BYTES = 140;

/**
 * The ASCII characters of SMS's GSM-7 basic set. Any other character makes the whole message UCS-2 (70 characters
 * a part), and the extension characters ([ ] { } | ^ ~ \) take two septets each.
 */
const NOT_GSM7_BASIC = /[^A-Za-z0-9 @$!"#%&'()*+,\-./:;<=>?_\n]/g;

/** Text made safe for one GSM-7 SMS: every other character becomes a space. */
export function smsText(text: string): string {
  return text.replace(NOT_GSM7_BASIC, ' ').replace(/ {2,}/g, ' ').trim();
}

/** `P1 ModelAccuracyDrop chatbot-api ack <short link>`: the label is cut to fit, the link never is. */
export function smsPage(incident: Incident, ackUrl: string): string {
  const tail = ` ack ${ackUrl}`;
  const label = smsText(`${incident.severity} ${incident.alertId}${incident.service ? ` ${incident.service}` : ''}`);
  return `${label.slice(0, Math.max(0, SMS_MAX_BYTES - tail.length))}${tail}`;
}

/**
 * Publishes one message per protocol: text for email, short text for SMS, the page's JSON for HTTP(S) (inside SNS's
 * envelope; the config accepts only https endpoints, `http` is the same body for emulators that deliver only there).
 */
export async function publish(
  sns: SNSClient,
  topicArn: string,
  message: { subject: string; text: string; sms: string; https: Record<string, unknown> },
): Promise<void> {
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: message.subject,
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: message.text,
        email: message.text,
        'email-json': message.text,
        sms: message.sms,
        https: JSON.stringify(message.https),
        http: JSON.stringify(message.https),
        sqs: message.text,
      }),
    }),
  );
}
