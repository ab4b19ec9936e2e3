/**
 * Partial answers of DynamoDB, handled once at the storage boundary (lambdas/shared/dynamo.ts): BatchGetItem's
 * UnprocessedKeys and TransactWriteItems cancelled for throttling or a conflicting transaction. These answers are
 * successes or typed cancellations on the wire that the SDK's retry loop does not retry, and moto never produces
 * them: aws-sdk-client-mock answers for DynamoDB here, shaped as the service documents them (a 200 with
 * UnprocessedKeys; a TransactionCanceledException with one CancellationReason per item, `None` for the items that
 * were fine). No BatchWriteItem is sent anywhere in lambdas/ or lib/cli (every write is conditional), so there is
 * nothing of it to test.
 */
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { PARTIAL_ANSWER_RETRY } from '../../lambdas/shared/dynamo';
import { StorageRetryError } from '../../lambdas/shared/errors';
import { type Member } from '../../lambdas/shared/storage/incident';
import type { IncidentStore } from '../../lambdas/shared/storage/incident-store';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { relatedTo } from '../../lib/core/catalog';

const TABLE = 'audit';
const INCIDENT = 'chatbot-HighAPIErrorRate-chatbot-api@2026-12-03T08:00:00.000Z';
const member: Member = {
  alarmName: 'chatbot-HighAPILatency-chatbot-api',
  alertId: 'HighAPILatency',
  service: 'chatbot-api',
  trigger: 'chatbot-HighAPILatency-chatbot-api@2026-12-03T08:01:00.000Z',
};
const openIncident = {
  pk: `INCIDENT#${INCIDENT}`,
  sk: 'INCIDENT',
  incidentId: INCIDENT,
  status: 'open',
  triggers: [INCIDENT],
  openAlarms: new Set(['chatbot-HighAPIErrorRate-chatbot-api']),
};
const event = { at: '2026-12-03T08:01:00.000Z', type: 'joined' as const, detail: 'joined' };

/** What DynamoDB answers when it cancels a transaction: one reason per item, in order. */
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('storage boundary: partial answers', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  let client: DynamoDBDocumentClient;
  let store: IncidentStore;
  beforeEach(() => {
    // Prepare
    client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    dynamo = mockClient(client);
    store = openStores({ dynamo: client, table: TABLE, retentionDays: 30, now: () => new Date() }).incidents;
    dynamo.on(GetCommand).resolves({ Item: openIncident });
  });
  afterEach(() => dynamo.restore());

  describe('BatchGetItem (grouping looks up the open incidents of related alerts)', () => {
    it('asks again for UnprocessedKeys: a throttled partial answer still finds the open incident to join', async () => {
      // Prepare: the first answer has nothing and leaves every key unprocessed; the second has the index item
      dynamo
        .on(BatchGetCommand)
        .callsFakeOnce((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({
          Responses: { [TABLE]: [] },
          UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems[TABLE]!.Keys, ConsistentRead: true } },
        }))
        .resolves({ Responses: { [TABLE]: [{ pk: 'OPENALERT#HighAPIErrorRate#chatbot-api', sk: 'OPEN', incidentId: INCIDENT }] } });
      // Act
      const group = await store.findGroup(member, relatedTo(member.alertId), new Date('2026-12-03T08:01:00Z'));
      // Assess: it joins the open incident instead of opening a duplicate
      assert.equal(group, INCIDENT);
      const calls = dynamo.commandCalls(BatchGetCommand);
      assert.equal(calls.length, 2);
      assert.deepEqual(
        calls[1]!.args[0].input.RequestItems![TABLE]!.Keys,
        calls[0]!.args[0].input.RequestItems![TABLE]!.Keys,
        'the second request asks for the unprocessed keys',
      );
    });

    it('asks only for the keys left unprocessed, and keeps what the first answer had', async () => {
      dynamo
        .on(BatchGetCommand)
        .callsFakeOnce((input: { RequestItems: Record<string, { Keys: Record<string, string>[] }> }) => {
          const keys = input.RequestItems[TABLE]!.Keys;
          return { Responses: { [TABLE]: [{ ...keys[0], incidentId: INCIDENT }] }, UnprocessedKeys: { [TABLE]: { Keys: keys.slice(1) } } };
        })
        .resolves({ Responses: { [TABLE]: [] } });
      assert.equal(await store.findGroup(member, relatedTo(member.alertId), new Date('2026-12-03T08:01:00Z')), INCIDENT);
      const [first, second] = dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems![TABLE]!.Keys!);
      assert.equal(second!.length, first!.length - 1);
    });

    it('gives up after the bounded retries with an error naming what is missing, never "no incident"', async () => {
      dynamo.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({
        Responses: { [TABLE]: [] },
        UnprocessedKeys: { [TABLE]: { Keys: input.RequestItems[TABLE]!.Keys.slice(0, 1) } },
      }));
      await assert.rejects(store.findGroup(member, relatedTo(member.alertId), new Date('2026-12-03T08:01:00Z')), (error: unknown) => {
        assert.ok(error instanceof StorageRetryError);
        assert.match(
          error.message,
          new RegExp(`^BatchGetItem on audit: still incomplete after ${PARTIAL_ANSWER_RETRY.attempts} attempts \\(1 of \\d+ keys unprocessed\\)$`),
        );
        return true;
      });
      // the first attempt, then the retries of the one unprocessed key
      assert.equal(dynamo.commandCalls(BatchGetCommand).length, PARTIAL_ANSWER_RETRY.attempts);
    });
  });

  describe('TransactWriteItems (joining an incident, reserving an action)', () => {
    it('a transaction cancelled by a conflicting transaction is sent again and the alarm joins', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'TransactionConflict', 'None', 'None'))
        .resolves({});
      assert.equal(await store.join(INCIDENT, member, '2026-12-03T08:11:00.000Z', event), 'joined');
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 2);
    });

    it("a failed condition is the caller's answer: not retried, a duplicate trigger is reported as one", async () => {
      dynamo.on(GetCommand).resolves({ Item: { ...openIncident, triggers: [INCIDENT, member.trigger] } });
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None', 'None'));
      assert.equal(await store.join(INCIDENT, member, '2026-12-03T08:11:00.000Z', event), 'duplicate');
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 1);
    });

    it('a condition failure beside a conflict is still a refusal (the condition was evaluated false)', async () => {
      dynamo.on(GetCommand).resolves({ Item: { ...openIncident, status: 'resolved' } });
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'TransactionConflict', 'None', 'None'));
      assert.equal(await store.join(INCIDENT, member, '2026-12-03T08:11:00.000Z', event), 'closed');
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 1);
    });

    it('throttled on every attempt: gives up after the bounded retries with the reasons in the error', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('ThrottlingError', 'None', 'None', 'None'));
      await assert.rejects(store.join(INCIDENT, member, '2026-12-03T08:11:00.000Z', event), (error: unknown) => {
        assert.ok(error instanceof StorageRetryError);
        assert.equal(
          error.message,
          `TransactWriteItems on audit: still incomplete after ${PARTIAL_ANSWER_RETRY.attempts} attempts (cancelled: ThrottlingError, None, None, None)`,
        );
        assert.ok(error.cause instanceof TransactionCanceledException);
        return true;
      });
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, PARTIAL_ANSWER_RETRY.attempts);
    });

    it('a cancellation that no retry can fix (ValidationError) is thrown at once, as DynamoDB gave it', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError', 'None', 'None'));
      await assert.rejects(store.join(INCIDENT, member, '2026-12-03T08:11:00.000Z', event), TransactionCanceledException);
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 1);
    });

    it("the responder's reservation (cooldown, window, intent) survives a conflict, and still reads a refusal by index", async () => {
      const { audit } = openStores({ dynamo: client, table: TABLE, retentionDays: 30, now: () => new Date() });
      const reserve = () =>
        audit.reserve(
          'a1',
          {
            mitigation: 'ecs-rollback',
            target: 'ecs:prod/chatbot-api',
            reason: 'recent deployment',
            mode: 'enabled',
            before: {},
            desired: {},
            evidence: {},
            revertCommand: 'npx oncall revert a1',
          },
          { cooldownUntil: '2026-12-03T08:30:00.000Z', windowStart: 0, windowEnd: '2026-12-03T09:00:00.000Z', maxActions: 3 },
          '2026-12-03T08:00:00.000Z',
        );
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'None', 'TransactionConflict'))
        .resolves({});
      assert.equal(await reserve(), undefined);
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 2);
      dynamo.reset();
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('TransactionConflict', 'None', 'None'))
        .rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
      assert.deepEqual(await reserve(), { refused: 'rate-limit', max: 3 });
      assert.equal(dynamo.commandCalls(TransactWriteCommand).length, 2);
    });
  });
});
