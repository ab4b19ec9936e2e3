import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { written } from '../dynamo';
import { AlertingError } from '../errors';
import type { LockLimits, StoreOptions } from './store-options';
import { keys } from './table-layout';

/** How long a lock is held at most, and how long a caller waits for it, by default. */
const DEFAULT_TTL_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs `work` holding a lock item (the environment's grouping lock, so that a burst of related alarms opens one
 * incident). The lock expires by itself: a crashed holder cannot block grouping for longer than `ttlMs`.
 *
 * The lock runs on wall-clock time (Date.now), not on the stores' clock: its expiry is compared across processes
 * and its wait is real waiting, which a test's frozen clock would turn into an endless loop.
 */
export async function withLock<T>(options: StoreOptions, name: string, work: () => Promise<T>, limits: LockLimits = {}): Promise<T> {
  const ttl = limits.ttlMs ?? DEFAULT_TTL_MS;
  const timeout = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  const owner = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    const taken = await written(
      options.dynamo.send(
        new PutCommand({
          TableName: options.table,
          Item: { ...keys.lock(name), owner, until: now + ttl, expiresAt: Math.floor((now + ttl) / 1000) + 3600 },
          ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now },
        }),
      ),
    );
    if (taken) break;
    if (Date.now() > deadline) throw new AlertingError(`could not take the ${name} lock within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random())));
  }
  try {
    return await work();
  } finally {
    // Released only if still ours: a holder that outlived its TTL must not free the next holder's lock.
    await options.dynamo
      .send(
        new DeleteCommand({
          TableName: options.table,
          Key: keys.lock(name),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      )
      .catch(() => undefined);
  }
}
