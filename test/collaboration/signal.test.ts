import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { processRecords } from '../../lambdas/collaboration/collaborator';
import type { CollaborationDeps } from '../../lambdas/collaboration/deps';
import { toSignal } from '../../lambdas/collaboration/signal';
import { recordingLogger } from '../support/responder';

const record = (eventName: 'INSERT' | 'MODIFY', item: Record<string, unknown> | undefined, sequence = '1'): DynamoDBRecord =>
  ({ eventName, dynamodb: { SequenceNumber: sequence, ...(item ? { NewImage: marshall(item, { removeUndefinedValues: true }) } : {}) } }) as DynamoDBRecord;
const event = {
  pk: 'INCIDENT#i1',
  sk: 'EVENT#2026-11-27T03:00:00.000Z#ab12cd34',
  at: '2026-11-27T03:00:00.000Z',
  type: 'page',
  detail: 'paged on-call-primary',
  data: { roles: ['on-call-primary'] },
};
const action = { pk: 'ACTION#a1', sk: 'ACTION', actionId: 'a1', incidentId: 't1', decision: 'acted', outcome: 'succeeded', mitigation: 'ecs-rollback' };

describe('stream records as signals', () => {
  const ROWS: readonly [string, DynamoDBRecord, string][] = [
    ['a new timeline event', record('INSERT', event), 'event page of i1'],
    ['a decided action', record('MODIFY', action), 'action a1'],
    ['a dry-run', record('MODIFY', { ...action, decision: 'dry-run', outcome: undefined }), 'action a1'],
    ['an action still being acted on (its intent)', record('MODIFY', { ...action, outcome: 'pending' }), 'ignored: action a1 is acted/pending'],
    ['a claim', record('INSERT', { ...action, decision: 'evaluating', outcome: undefined }), 'ignored: action a1 is evaluating/undefined'],
    ['a changed timeline event', record('MODIFY', event), 'ignored: timeline event MODIFY'],
    ["the integrations' own bookkeeping", record('INSERT', { pk: 'COLLAB#i1', sk: 'EFFECT#x' }), 'ignored: not an incident event or an action: COLLAB#i1'],
    ['a removal (no new image)', record('MODIFY', undefined), 'ignored: MODIFY without a new image'],
    [
      'a timeline event without a type',
      record('INSERT', { ...event, type: undefined }),
      'malformed: malformed timeline event INCIDENT#i1/EVENT#2026-11-27T03:00:00.000Z#ab12cd34',
    ],
  ];
  for (const [name, input, expected] of ROWS) {
    it(name, () => {
      const signal = toSignal(input);
      const seen =
        'ignored' in signal
          ? `${signal.malformed ? 'malformed' : 'ignored'}: ${signal.ignored}`
          : signal.kind === 'event'
            ? `event ${signal.event.type} of ${signal.incidentId}`
            : `action ${signal.action.actionId}`;
      assert.equal(seen, expected);
    });
  }

  it('a malformed record is logged with its reason, acts on nothing and does not fail the batch', async () => {
    // GIVEN dependencies that fail if anything is read or written
    const logger = recordingLogger();
    const untouchable = new Proxy({}, { get: () => assert.fail('nothing may be touched for a malformed record') });
    const deps = {
      config: { integrations: { http: {} } },
      store: untouchable,
      audit: untouchable,
      state: untouchable,
      secret: untouchable,
      now: () => new Date(),
      logger,
    } as unknown as CollaborationDeps;
    // WHEN
    const result = await processRecords(deps, [record('INSERT', { ...event, type: undefined }, '42')]);
    // THEN
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.deepEqual(logger.lines, [
      {
        level: 'warn',
        message: 'stream record ignored',
        extra: { sequenceNumber: '42', reason: 'malformed timeline event INCIDENT#i1/EVENT#2026-11-27T03:00:00.000Z#ab12cd34' },
      },
    ]);
  });

  it('a record the table cannot serve is reported for retry, and nothing after it is handled (the order holds)', async () => {
    // GIVEN the table throttling every read
    const logger = recordingLogger();
    const reads: string[] = [];
    const store = {
      get: async (id: string) => (reads.push(id), Promise.reject(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }))),
    };
    const deps = { config: { integrations: { http: {} } }, store, logger, now: () => new Date() } as unknown as CollaborationDeps;
    // WHEN a batch of an ignored record and two events
    const result = await processRecords(deps, [
      record('INSERT', { pk: 'COLLAB#x', sk: 'EFFECT#y' }, '1'),
      record('INSERT', event, '2'),
      record('INSERT', { ...event, pk: 'INCIDENT#i2' }, '3'),
    ]);
    // THEN Lambda retries from the second record; the third was not touched
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: '2' }] });
    assert.deepEqual(reads, ['i1']);
    assert.equal(logger.lines[0]!.level, 'error');
  });
});
