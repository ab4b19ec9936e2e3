import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { actorOf, actorName, type ActionRecord, type Actor } from '../shared/storage/audit-log';

/** The command that undoes an action: every announcement carries it. */
export function revertCommand(actionId: string): string {
  return `npx oncall revert ${actionId}`;
}

/** A message for on-call: what was done (or would have been), why, the evidence, and how to revert it. */
export function announcement(record: ActionRecord): { subject: string; message: string } {
  // A skip is announced only when a guard rail refused a protective action, or a target lacks its tag (pipeline.ts):
  // on-call must act by hand.
  const refused = record.decision === 'skipped';
  const verb = record.decision === 'dry-run' ? 'DRY-RUN, would' : refused ? 'REFUSED to' : record.outcome === 'failed' ? 'FAILED to' : 'did';
  // A revert (revert.ts) is a person's action: it says so, and names the action it undid instead of a revert command.
  const revertOf = typeof record.evidence.revertOf === 'string' ? record.evidence.revertOf : undefined;
  const what = revertOf ? `${record.outcome === 'failed' ? 'FAILED to revert' : 'reverted'} ${record.mitigation}` : `automation ${verb} ${record.mitigation}`;
  const subject = `[${record.severity}] ${what} on ${record.target ?? 'no target'} (${record.alertId})`.slice(0, 99);
  const lines = [
    subject,
    '',
    `Alarm:      ${record.alarmName}`,
    `Incident:   ${record.incidentId}`,
    `Action:     ${record.actionId} (${record.mitigation}, mode ${record.mode})`,
    `By:         ${describeActor(actorOf(record))}`,
    `Why:        ${record.reason}`,
    `Before:     ${JSON.stringify(record.before ?? {})}`,
    ...(refused
      ? []
      : [
          `${`${record.decision === 'dry-run' ? 'Would set' : 'After'}:`.padEnd(12)}${JSON.stringify((record.decision === 'dry-run' ? record.desired : record.after) ?? {})}`,
        ]),
    ...(record.error ? [`Error:      ${record.error}`] : []),
    `Evidence:   ${JSON.stringify(record.evidence)}`,
    '',
    record.decision === 'dry-run'
      ? 'Nothing was changed (automation is in dry-run).'
      : refused
        ? 'Nothing was changed: if the action is still needed, take it by hand.'
        : revertOf
          ? `Reverts:    ${revertOf}`
          : `Revert:     ${record.revertCommand ?? 'n/a'}`,
  ];
  return { subject, message: lines.join('\n') };
}

/** Who acted, and from where: `the automation`, `alice (arn:...) via the oncall CLI`. */
export function describeActor(actor: Actor): string {
  const channels: Record<Extract<Actor, { kind: 'person' }>['via'], string> = { cli: 'the oncall CLI' };
  return actor.kind === 'person' ? `${actorName(actor)} via ${channels[actor.via]}` : actorName(actor);
}

/** Publishes the announcement of a record on the on-call topic. */
export async function announce(sns: SNSClient, topicArn: string, record: ActionRecord): Promise<void> {
  const { subject, message } = announcement(record);
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: subject.replace(/[^\x20-\x7e]/g, ' '),
      Message: message,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: record.severity },
        mitigation: { DataType: 'String', StringValue: record.mitigation },
        decision: { DataType: 'String', StringValue: record.decision },
      },
    }),
  );
}
