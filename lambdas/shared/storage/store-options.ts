import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfter } from './table-layout';

/** What every store of the audit table is opened with (see openStores). */
export interface StoreOptions {
  /** The DynamoDB document client (clients.ts: retries, timeouts). */
  readonly dynamo: DynamoDBDocumentClient;
  /** The audit table's name. */
  readonly table: string;
  /** Items expire (DynamoDB TTL) this many days after their time: `automation.auditRetentionDays`. */
  readonly retentionDays: number;
  /**
   * The clock for what the stores time themselves (the expiry of grouping index items); every other time is the
   * caller's, passed with the call. Tests and the drill pass theirs.
   */
  readonly now: () => Date;
  /**
   * How long the grouping lock is held at most and waited for (grouping-lock.ts). Only an emulator needs others: on
   * a loaded test machine moto answers a burst of starters tens of times slower than DynamoDB.
   * @default 10 s held at most, 30 s of waiting
   */
  readonly lockLimits?: LockLimits;
}

/** How long a lock is held at most (`ttlMs`), and how long a caller waits for it (`timeoutMs`). */
export interface LockLimits {
  readonly ttlMs?: number;
  readonly timeoutMs?: number;
}

/** The expiry of an item kept for the retention after `fromIso`. */
export const expiry = (options: StoreOptions, fromIso: string): number => expiresAfter(fromIso, options.retentionDays);
