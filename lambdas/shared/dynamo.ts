import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StorageRetryError } from './errors';
import { TIME_INDEX, type TIME_PARTITION } from './storage/table-layout';

/** Every item of a query, page after page (DynamoDB returns at most 1 MB per call). */
export async function queryAll(dynamo: DynamoDBDocumentClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The `gsi1pk`/`gsi1sk` time index: items of one kind at or after `since`. */
export function sinceInTimeIndex(
  table: string,
  partition: (typeof TIME_PARTITION)[keyof typeof TIME_PARTITION],
  since: string,
  newestFirst: boolean,
): Omit<QueryCommandInput, 'ExclusiveStartKey'> {
  return {
    TableName: table,
    IndexName: TIME_INDEX,
    KeyConditionExpression: 'gsi1pk = :p AND gsi1sk >= :since',
    ExpressionAttributeValues: { ':p': partition, ':since': since },
    ScanIndexForward: !newestFirst,
  };
}

/**
 * A conditional write refused by its condition. Translated here, at the storage boundary, so the stores speak
 * of "already claimed" or "already open" and no business code imports SDK error types.
 */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** A transaction cancelled because the condition of its item at `index` failed. */
export function transactionConditionFailed(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/** The index of the first item of a cancelled transaction whose condition failed; undefined for any other error. */
export function firstFailedCondition(error: unknown): number | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const index = (error.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed');
  return index < 0 ? undefined : index;
}

/**
 * A conditional write: true when it was written, false when its condition refused it (a duplicate, a claim
 * already taken); any other error is thrown. `refused` says which errors are the condition's. The one way the
 * stores handle a condition: none catches ConditionalCheckFailedException itself. A write that returns values
 * (`ReturnValues: 'ALL_NEW'`) keeps its promise and awaits it again once written.
 */
export async function written(write: Promise<unknown>, refused: (error: unknown) => boolean = isConditionFailure): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (refused(error)) return false;
    throw error;
  }
}

/** For {@link written}: a transaction refused by the condition of its first item. */
export const firstConditionFailed = (error: unknown): boolean => transactionConditionFailed(error, 0);

// ----- partial answers --------------------------------------------------------------------------------------
//
// DynamoDB can answer part of a request and still return 200: BatchGetItem leaves UnprocessedKeys (throttling,
// the 16 MB answer limit), BatchWriteItem leaves UnprocessedItems, and TransactWriteItems is cancelled as a whole
// with one CancellationReason per item (ConditionalCheckFailed, TransactionConflict, ThrottlingError...). The
// SDK's retry loop (clients.ts) sees none of these as errors to retry. They are handled here, once: the rest is
// asked again with bounded, jittered exponential backoff, and a request still incomplete after the last attempt
// fails with StorageRetryError naming what is missing. A condition that failed is the callers' answer ("already
// open", "duplicate") and is never retried. No code here writes with BatchWriteItem: the tables' writes are
// conditional, which BatchWriteItem cannot express.

/** Attempts and backoff for partial answers: full jitter, `baseMs * 2^n` capped at `maxMs` (worst case ~2.6 s in all). */
export const PARTIAL_ANSWER_RETRY = { attempts: 8, baseMs: 25, maxMs: 1_000 } as const;

const backoff = (retry: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(PARTIAL_ANSWER_RETRY.maxMs, PARTIAL_ANSWER_RETRY.baseMs * 2 ** retry)));

/**
 * The items of `keys` that exist (in no particular order): BatchGetItem 100 keys at a time, unprocessed keys asked
 * again. @throws StorageRetryError when some keys are still unprocessed after the last attempt: a missing item
 * must never be taken for an absent one (an absent grouping index opens a duplicate incident).
 */
export async function batchGetAll(
  dynamo: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100);
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > PARTIAL_ANSWER_RETRY.attempts)
        throw new StorageRetryError('BatchGetItem', table, PARTIAL_ANSWER_RETRY.attempts, `${pending.length} of ${keys.length} keys unprocessed`);
      if (attempt > 1) await backoff(attempt - 2);
      const { Responses, UnprocessedKeys } = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: options.consistentRead } } }),
      );
      found.push(...(Responses?.[table] ?? []));
      pending = (UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}

/** Cancellation reasons that say "not now" (another transaction, throttling), not "no": the transaction is sent again. */
const RETRYABLE_CANCELLATIONS: ReadonlySet<string> = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/**
 * A TransactWriteItems that is sent again while it is cancelled only for retryable reasons (a conflicting
 * transaction, throttling). A cancellation with a failed condition is thrown as is, for the caller to translate
 * with {@link transactionConditionFailed}; any other reason (ValidationError, item collection too large) is
 * thrown as is too. @throws StorageRetryError when still cancelled for retryable reasons after the last attempt.
 */
export async function transactWrite(dynamo: DynamoDBDocumentClient, input: TransactWriteCommandInput): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo.send(new TransactWriteCommand(input));
      return;
    } catch (error) {
      const codes = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None') : [];
      const retryable = codes.some((c) => RETRYABLE_CANCELLATIONS.has(c)) && codes.every((c) => c === 'None' || RETRYABLE_CANCELLATIONS.has(c));
      if (!retryable) throw error;
      if (attempt >= PARTIAL_ANSWER_RETRY.attempts) {
        const table = [...new Set((input.TransactItems ?? []).map((i) => (i.Put ?? i.Update ?? i.Delete ?? i.ConditionCheck)?.TableName))].join(', ');
        throw new StorageRetryError('TransactWriteItems', table, attempt, `cancelled: ${codes.join(', ')}`, { cause: error });
      }
      await backoff(attempt - 1);
    }
  }
}
