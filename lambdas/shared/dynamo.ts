import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** The table's index of items by time (actions, incidents, silences), one partition per kind. */
export const TIME_INDEX = 'byTime';

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
export function sinceInTimeIndex(table: string, partition: string, since: string, newestFirst: boolean): Omit<QueryCommandInput, 'ExclusiveStartKey'> {
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

/**
 * A conditional write: true when it was written, false when its condition refused it (a duplicate, a claim
 * already taken); any other error is thrown. `refused` says which errors are the condition's.
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
