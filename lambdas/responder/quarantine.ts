import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's message limit is 256 KiB; keep room for the envelope. */
const MAX_KEPT_BYTES = 200 * 1024;

/**
 * Keeps a notification the responder refused in the dead-letter queue, with the reason, for on-call to review.
 * The invocation then succeeds: retrying a malformed message cannot fix it, and a retry loop is an outage.
 */
export async function quarantine(sqs: SQSClient, queueUrl: string, reason: string, raw: unknown): Promise<void> {
  let body = JSON.stringify({ reason, receivedAt: new Date().toISOString(), notification: raw });
  if (Buffer.byteLength(body) > MAX_KEPT_BYTES) {
    body = JSON.stringify({ reason, receivedAt: new Date().toISOString(), truncated: true, head: JSON.stringify(raw).slice(0, 4096) });
  }
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
    }),
  );
}
