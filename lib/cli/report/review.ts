import type { ActionRecord } from '../../../lambdas/shared/storage/audit-log';
import type { Incident, TimelineEvent } from '../../../lambdas/shared/storage/incident';
import { SEVERITY_LEVELS, type Severity } from '../../core/catalog';
import { formatDuration } from '../../core/evaluator/duration';
import { describeChange } from './actions';
import { parseTransitionKey } from '../../core/escalation-plan';
import { flapsOf } from './hygiene';

/** What a review skeleton is made from. */
export interface ReviewInput {
  readonly incident: Incident;
  /** The incident's timeline (IncidentStore.timeline). */
  readonly timeline: readonly TimelineEvent[];
  /** Audit records; those of the incident's triggers are used. */
  readonly actions: readonly ActionRecord[];
  /**
   * Incidents around this one, to tell whether its alarms flapped (fired again soon after a previous incident).
   * @default none: only repeats inside the incident are seen
   */
  readonly history?: readonly Incident[];
  /** The environment's alarm name prefix. */
  readonly prefix: string;
  readonly now: Date;
}

/** When the runbook's Step 5 wants the review. */
export type ReviewDue =
  | { readonly required: false; readonly severity: Severity }
  | { readonly required: true; readonly severity: Severity; readonly hours: number; readonly at: string; readonly from: 'resolution' | 'now' };

/** reviewDueHours of the severity after resolution; from now while the incident is unresolved. */
export function reviewDue(incident: Incident, now: Date): ReviewDue {
  const hours = SEVERITY_LEVELS[incident.severity].reviewDueHours;
  if (hours === undefined) return { required: false, severity: incident.severity };
  const from = incident.resolvedAt === undefined ? 'now' : 'resolution';
  const start = incident.resolvedAt === undefined ? now.getTime() : Date.parse(incident.resolvedAt);
  return { required: true, severity: incident.severity, hours, at: new Date(start + hours * 3_600_000).toISOString(), from };
}

/** "2026-11-27 13:29Z" */
export const minuteUtc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}Z`;
const secondUtc = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')}Z`;
const human = (ms: number) => formatDuration(Math.round(ms / 1000) * 1000);
const since = (from: string, to: string) => Date.parse(to) - Date.parse(from);
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
const TODO = 'TODO(author):';

/** The review skeleton in Markdown: facts filled in, judgement left to the author behind TODO markers. */
export function renderReview(input: ReviewInput): string {
  const { incident } = input;
  const triggers = new Set(incident.triggers);
  const actions = input.actions
    .filter((a) => triggers.has(a.incidentId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.mitigation.localeCompare(b.mitigation));
  const facts = factsOf(input, actions);
  return [
    `# Post-incident review: ${incident.alertId}${incident.service ? ` on ${incident.service}` : ''} (${incident.severity})`,
    '',
    `Incident \`${incident.incidentId}\``,
    '',
    dueLine(reviewDue(incident, input.now)),
    '',
    ...summary(incident, facts),
    ...impact(incident),
    ...timeline(input, actions),
    ...actionsSection(actions),
    ...worked(facts),
    ...followUps(incident, facts, reviewDue(incident, input.now)),
  ].join('\n');
}

function dueLine(due: ReviewDue): string {
  if (!due.required) return `Due: no review required by the runbook (${due.severity})`;
  const span = due.hours % 168 === 0 ? `${due.hours / 168} week${due.hours === 168 ? '' : 's'}` : `${due.hours} hours`;
  return due.from === 'resolution'
    ? `Due: ${minuteUtc(due.at)} (${span} after resolution, runbook Step 5 for ${due.severity})`
    : `Due: ${minuteUtc(due.at)} (${span} from now: the incident is not resolved yet; the runbook counts from resolution)`;
}

/** What the skeleton derives from the record, used by several sections. */
interface Facts {
  readonly ackTargetMinutes: number | undefined;
  readonly ackMs: number | undefined;
  readonly lateAck: boolean;
  readonly verified: readonly ActionRecord[];
  readonly ineffective: readonly ActionRecord[];
  readonly failed: readonly ActionRecord[];
  /** One line per alarm that fired more than once in the incident or soon after a previous one resolved. */
  readonly flapping: readonly string[];
}

function factsOf(input: ReviewInput, actions: readonly ActionRecord[]): Facts {
  const { incident } = input;
  const ackTargetMinutes = SEVERITY_LEVELS[incident.severity].ackWithinMinutes;
  const ackMs = incident.ackedAt === undefined ? undefined : since(incident.openedAt, incident.ackedAt);
  const waited = ackMs ?? since(incident.openedAt, incident.resolvedAt ?? input.now.toISOString());
  const repeats = new Map<string, number>();
  for (const t of incident.triggers) repeats.set(parseTransitionKey(t).alarmName, (repeats.get(parseTransitionKey(t).alarmName) ?? 0) + 1);
  const others = (input.history ?? []).filter((i) => i.incidentId !== incident.incidentId);
  const flapping = [
    ...[...repeats].filter(([, n]) => n > 1).map(([alarm, n]) => `${alarm} fired ${n} times within this incident`),
    ...flapsOf([...others, incident], input.prefix)
      .filter((f) => f.incidentId === incident.incidentId)
      .map((f) => `${f.alarmName} fired ${human(f.afterSeconds * 1000)} after the previous incident with it (${f.previousIncidentId}) resolved`),
  ];
  return {
    ackTargetMinutes,
    ackMs,
    lateAck: ackTargetMinutes !== undefined && waited > ackTargetMinutes * 60_000,
    verified: actions.filter((a) => a.outcome === 'verified'),
    ineffective: actions.filter((a) => a.outcome === 'ineffective'),
    failed: actions.filter((a) => a.outcome === 'failed' || a.outcome === 'unknown'),
    flapping,
  };
}

function summary(incident: Incident, facts: Facts): string[] {
  const level = SEVERITY_LEVELS[incident.severity];
  const target = facts.ackTargetMinutes === undefined ? 'no ack target' : `target ${human(facts.ackTargetMinutes * 60_000)}`;
  const alarms = incident.triggers.map((t) => parseTransitionKey(t)).map((t) => `\`${t.alarmName}\` at ${secondUtc(t.at)}`);
  return [
    '## Summary',
    '',
    `- Alert: ${incident.alertId}: ${incident.summary}`,
    `- Severity: ${incident.severity} (${level.name}): ${level.definition}`,
    `- Service: ${incident.service ?? '(all)'}`,
    `- Status: ${incident.status}`,
    `- Opened: ${secondUtc(incident.openedAt)}`,
    `- Acknowledged: ${incident.ackedAt ? `${secondUtc(incident.ackedAt)} by ${incident.ackedBy ?? 'unknown'}, ${human(facts.ackMs!)} after opening (${target})` : `never (${target})`}`,
    `- Resolved: ${incident.resolvedAt ? `${secondUtc(incident.resolvedAt)} by ${incident.resolvedBy ?? 'unknown'}, ${human(since(incident.openedAt, incident.resolvedAt))} after opening${incident.resolveNote ? `: ${oneLine(incident.resolveNote)}` : ''}` : 'not yet'}`,
    `- Alarms: ${alarms.join('; ')}`,
    '',
  ];
}

function impact(incident: Incident): string[] {
  return [
    '## Impact',
    '',
    `- Customer-facing: ${incident.customerFacing ? 'yes (the alert is customer-facing in the catalog)' : 'no (the alert is not customer-facing in the catalog)'}`,
    `- Runbook: ${incident.runbookUrl}`,
    `- ${TODO} who and what was affected (users, requests, regions), and for how long.`,
    `- ${TODO} business impact (SLO budget spent, revenue, support tickets, customer communication).`,
    `- ${TODO} root cause, and how it was found.`,
    '',
  ];
}

function timeline(input: ReviewInput, actions: readonly ActionRecord[]): string[] {
  const { incident } = input;
  // The responder's actions are audit records, not timeline events: shown here so the story reads in one place.
  const entries = [
    ...input.timeline.map((e) => ({ at: e.at, type: e.type, detail: e.detail })),
    ...actions
      .filter((a) => a.decision === 'acted' || a.decision === 'dry-run')
      .map((a) => ({
        at: a.createdAt,
        type: a.evidence.revertOf !== undefined ? 'revert' : 'automatic action',
        detail: `${a.mitigation} on ${a.target ?? '-'}: ${a.decision} (${a.mode}), ${describeChange(a)}`,
      })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [
    '## Timeline (UTC, relative to opening)',
    '',
    ...entries.map((e) => {
      // Whole seconds on both sides, so the offset agrees with the clock time printed next to it.
      const offset = since(`${incident.openedAt.slice(0, 19)}Z`, `${e.at.slice(0, 19)}Z`);
      return `- ${secondUtc(e.at)} (T${offset < 0 ? '-' : '+'}${human(Math.abs(offset))}) **${e.type}**: ${oneLine(e.detail)}`;
    }),
    ...(entries.length === 0 ? ['- (no event recorded)'] : []),
    `- ${TODO} add what people did and decided (investigation, communication, the fix).`,
    '',
  ];
}

function actionsSection(actions: readonly ActionRecord[]): string[] {
  if (actions.length === 0) return ['## Automatic actions and their verification', '', 'No automatic mitigation was considered for this incident.', ''];
  return [
    '## Automatic actions and their verification',
    '',
    ...actions.flatMap((a) => [
      `### ${a.mitigation} on ${a.target ?? '-'}`,
      '',
      `- Alarm: \`${a.alarmName}\` at ${secondUtc(a.createdAt)}`,
      `- Decision: ${a.decision} (mode ${a.mode}): ${oneLine(a.reason)}`,
      `- Before -> after: ${describeChange(a)}`,
      `- Outcome: ${outcomeText(a)}`,
      `- Revert: ${a.revertCommand ? `\`${a.revertCommand}\`` : '-'}`,
      '',
    ]),
  ];
}

function outcomeText(a: ActionRecord): string {
  if (a.decision === 'skipped') return 'skipped, nothing changed';
  if (a.decision === 'dry-run') return 'dry-run, nothing changed';
  switch (a.outcome) {
    case 'verified':
      return 'verified: the alarm had cleared when checked after the window';
    case 'ineffective':
      return `ineffective: ${a.error ?? 'the alarm was still in ALARM after the window'}`;
    case 'succeeded':
      return 'succeeded, not verified (the verification did not run or has not yet)';
    case 'failed':
      return `failed: ${a.error ?? 'unknown error'}`;
    case 'unknown':
      return 'unknown: the after-state could not be read; a human must look';
    default:
      return a.outcome ?? 'pending';
  }
}

function worked(facts: Facts): string[] {
  const ack =
    facts.ackTargetMinutes === undefined
      ? undefined
      : facts.ackMs === undefined
        ? facts.lateAck
          ? { good: false, text: `not acknowledged within the ${human(facts.ackTargetMinutes * 60_000)} target` }
          : undefined
        : {
            good: !facts.lateAck,
            text: `acknowledged after ${human(facts.ackMs)}, ${facts.lateAck ? 'later than' : 'within'} the ${human(facts.ackTargetMinutes * 60_000)} target`,
          };
  const good = [...facts.verified.map((a) => `${a.mitigation} on ${a.target ?? '-'}: verified`), ...(ack?.good ? [ack.text] : [])];
  const bad = [
    ...facts.ineffective.map((a) => `${a.mitigation} on ${a.target ?? '-'}: ineffective`),
    ...facts.failed.map((a) => `${a.mitigation} on ${a.target ?? '-'}: ${a.outcome}`),
    ...(ack && !ack.good ? [ack.text] : []),
    ...facts.flapping,
  ];
  return [
    '## What worked / what did not',
    '',
    '### Worked',
    '',
    ...good.map((l) => `- ${l}`),
    `- ${TODO} what else helped (dashboards, runbook steps, people).`,
    '',
    '### Did not work',
    '',
    ...bad.map((l) => `- ${l}`),
    `- ${TODO} what slowed the response or made it worse.`,
    '',
  ];
}

function followUps(incident: Incident, facts: Facts, due: ReviewDue): string[] {
  const items = [
    due.required ? `Write this review by ${minuteUtc(due.at)} (runbook Step 5)` : 'Review optional: the runbook requires none for this severity',
    `Update the runbook based on learnings: ${incident.runbookUrl}`,
    `Implement preventive measures: ${TODO} list them, one owner each`,
    ...facts.ineffective.map(
      (a) => `Find out why ${a.mitigation} on ${a.target ?? '-'} did not clear \`${a.alarmName}\`; fix the mitigation or remove it from the alert`,
    ),
    ...facts.failed.map((a) => `Fix ${a.mitigation} on ${a.target ?? '-'} (${a.outcome}: ${oneLine(a.error ?? 'no error recorded')})`),
    ...(facts.lateAck
      ? [
          `Check routing and paging: ${facts.ackMs === undefined ? 'never acknowledged' : `acknowledged after ${human(facts.ackMs)}`}, the ${incident.severity} target is ${human(facts.ackTargetMinutes! * 60_000)}`,
        ]
      : []),
    ...facts.flapping.map((f) => `Tune the alarm's duration or threshold (flapping: ${f})`),
  ];
  return ['## Follow-ups', '', ...items.map((i) => `- [ ] ${i}`), ''];
}
