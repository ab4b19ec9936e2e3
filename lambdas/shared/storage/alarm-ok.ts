import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { written } from '../dynamo';
import { expiry, type StoreOptions } from './store-options';
import { keys } from './table-layout';

/**
 * When each alarm last went OK. EventBridge delivers state changes in any order: an ALARM older than the alarm's
 * last OK describes a state it has left, and the starter ignores it.
 */

/** Records that an alarm went OK at `at` (ISO 8601 UTC), kept only if newer than the one stored. */
export async function recordOk(options: StoreOptions, alarmName: string, at: string): Promise<void> {
  await written(
    options.dynamo.send(
      new PutCommand({
        TableName: options.table,
        Item: { ...keys.lastOk(alarmName), at, expiresAt: expiry(options, at) },
        ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':at': at },
      }),
    ),
  );
}

/** When the alarm last went OK, as far as the starter has seen (ISO 8601 UTC). */
export async function lastOk(options: StoreOptions, alarmName: string): Promise<string | undefined> {
  const { Item } = await options.dynamo.send(new GetCommand({ TableName: options.table, Key: keys.lastOk(alarmName), ConsistentRead: true }));
  return Item?.at as string | undefined;
}
