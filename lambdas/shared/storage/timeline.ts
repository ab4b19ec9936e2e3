import { createHash, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../dynamo';
import type { TimelineEvent } from './incident';
import { expiry, type StoreOptions } from './store-options';
import { keys, ranges } from './table-layout';

/**
 * An incident's timeline and page receipts: items in the incident's own partition, so the whole timeline (or
 * what one page reached) is one consistent query.
 */

/** The timeline, oldest first (events sort by their time). */
export async function readTimeline(options: StoreOptions, incidentId: string): Promise<TimelineEvent[]> {
  const items = await queryRange(options, ranges.timeline(incidentId));
  return items.map((i) => ({
    at: i.at as string,
    type: i.type as TimelineEvent['type'],
    detail: i.detail as string,
    ...(i.data ? { data: i.data as Record<string, unknown> } : {}),
  }));
}

/**
 * The item of a timeline event. With `onceKey`, its key is derived from (event time, key), so a retry that adds
 * it again overwrites it instead of adding a second one; without, a random suffix keeps events of one instant apart.
 */
export function eventItem(options: StoreOptions, incidentId: string, event: TimelineEvent, onceKey?: string) {
  const suffix = onceKey === undefined ? randomUUID().slice(0, 8) : createHash('sha256').update(onceKey).digest('hex').slice(0, 8);
  return { ...keys.timelineEvent(incidentId, event.at, suffix), ...event, expiresAt: expiry(options, event.at) };
}

/** Adds an event to the timeline (see {@link eventItem} for `onceKey`). */
export async function addEvent(options: StoreOptions, incidentId: string, event: TimelineEvent, onceKey?: string): Promise<void> {
  await options.dynamo.send(new PutCommand({ TableName: options.table, Item: eventItem(options, incidentId, event, onceKey) }));
}

/** Roles one page of an incident already reached. */
export async function rolesReached(options: StoreOptions, incidentId: string, pageKey: string): Promise<ReadonlySet<string>> {
  return new Set((await queryRange(options, ranges.pageReceipts(incidentId, pageKey))).map((i) => i.role as string));
}

/** Records that a page reached a role. */
export async function markReached(options: StoreOptions, incidentId: string, pageKey: string, role: string, at: string): Promise<void> {
  await options.dynamo.send(
    new PutCommand({ TableName: options.table, Item: { ...keys.pageReceipt(incidentId, pageKey, role), role, at, expiresAt: expiry(options, at) } }),
  );
}

function queryRange(options: StoreOptions, range: { pk: string; skPrefix: string }): Promise<Record<string, unknown>[]> {
  return queryAll(options.dynamo, {
    TableName: options.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': range.pk, ':prefix': range.skPrefix },
    ConsistentRead: true,
  });
}
