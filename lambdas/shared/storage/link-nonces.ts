import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { written } from '../dynamo';
import type { StoreOptions } from './store-options';
import { keys } from './table-layout';

/**
 * Marks a signed link's nonce as used: one conditional put, so a link works once however many taps race.
 * The item outlives the link by a day (`expiresAtSeconds`: the link's expiry). @returns false on a replay.
 */
export async function consumeNonce(options: StoreOptions, nonce: string, expiresAtSeconds: number): Promise<boolean> {
  return written(
    options.dynamo.send(
      new PutCommand({
        TableName: options.table,
        Item: { ...keys.linkNonce(nonce), expiresAt: expiresAtSeconds + 86_400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}
