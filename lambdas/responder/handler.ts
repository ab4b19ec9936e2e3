import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { severityTopicName } from '../../lib/core/topic-names';
import { SEVERITIES } from '../../lib/core/catalog';
import { InvalidNotificationError } from '../shared/errors';
import { respond, type PipelineDeps } from './pipeline';
import { parseNotification, type AlarmNotification } from './notification';
import { quarantine } from './quarantine';

/** What the handler needs besides the pipeline's dependencies. */
export interface HandlerDeps extends PipelineDeps {
  readonly quarantineQueueUrl: string;
}

/**
 * The responder's Lambda handler: SNS event in, one notification per record. A record that is not a valid
 * alarm notification of this environment is logged with its reason, kept in the dead-letter queue and
 * acknowledged (no retry can fix it). A mitigation that failed makes the invocation fail, so Lambda retries it
 * and then sends the event to the dead-letter queue; the audit log stops the retry from acting twice.
 */
export function createHandler(deps: HandlerDeps): (event: unknown) => Promise<void> {
  const topics = new Set(SEVERITIES.map((s) => `arn:${deps.partition}:sns:${deps.region}:${deps.accountId}:${severityTopicName(deps.config.prefix, s)}`));
  return async (event: unknown) => {
    const records = (event as Partial<SNSEvent> | null)?.Records;
    if (!Array.isArray(records)) {
      await reject(deps, 'not an SNS event: no Records array', event);
      return;
    }
    let failure: unknown;
    for (const record of records) {
      let notification: AlarmNotification;
      try {
        notification = parseRecord(record, deps, topics);
      } catch (error) {
        if (!(error instanceof InvalidNotificationError)) throw error;
        await reject(deps, error.reason, record);
        continue;
      }
      try {
        await respond(deps, notification);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
}

function parseRecord(record: SNSEventRecord, deps: HandlerDeps, topics: ReadonlySet<string>): AlarmNotification {
  if (typeof record !== 'object' || record === null || record.EventSource !== 'aws:sns' || typeof record.Sns !== 'object' || record.Sns === null) {
    throw new InvalidNotificationError('not an SNS record');
  }
  // The whole ARN: a topic with our name in another account or region is not ours.
  if (!topics.has(String(record.Sns.TopicArn))) throw new InvalidNotificationError(`unknown topic: ${String(record.Sns.TopicArn)}`);
  if (typeof record.Sns.Message !== 'string') throw new InvalidNotificationError('SNS message is not a string');
  return parseNotification(record.Sns.Message, {
    config: deps.config,
    accountId: deps.accountId,
    partition: deps.partition,
    region: deps.region,
    now: deps.now(),
  });
}

async function reject(deps: HandlerDeps, reason: string, raw: unknown): Promise<void> {
  deps.logger.warn('notification rejected: no action taken, kept in the dead-letter queue for review', { reason });
  deps.metrics.count('NotificationsRejected', reason.split(':')[0]!);
  await quarantine(deps.clients.sqs, deps.quarantineQueueUrl, reason, raw);
}
