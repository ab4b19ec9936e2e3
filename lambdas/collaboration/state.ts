import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { written } from '../shared/dynamo';
import { expiresAfter, keys, withoutLayout, type CollaborationSingleton } from '../shared/storage/table-layout';

/** The Slack channel of an incident. */
export interface ChannelState {
  readonly channelId: string;
  readonly channelName: string;
}

/** The status-page incident of an incident, and what customers were last told. */
export interface StatusPageState {
  readonly statusPageId: string;
  readonly status: 'investigating' | 'identified' | 'monitoring' | 'resolved';
}

/** The ticket of an alert (and service): flapping incidents of one alert share it. */
export interface TicketState {
  readonly key: string;
  readonly url: string;
  readonly state: 'open' | 'closed';
  /** Incidents the ticket covers, oldest first. */
  readonly incidents: readonly string[];
  readonly closedAt?: string;
}

/** Whoever claims first does the work; a claim older than this is presumed dead (the function timed out). */
const STALE_CLAIM_MS = 5 * 60_000;

/**
 * What the integrations did, in the audit table next to the incidents: which effects already happened (the stream
 * delivers at least once, so every effect is claimed before it is made), the Slack channel, the status-page
 * incident and the tickets. Nothing here holds a credential.
 */
export class CollaborationState {
  public constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  /**
   * Claims one effect (a post, an update) for an incident. @returns false when it was claimed before: a
   * redelivered stream record, or the same effect reached by another path.
   */
  public async claim(scope: string, effect: string, now: Date): Promise<boolean> {
    return written(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.collaborationEffect(scope, effect), at: now.toISOString(), expiresAt: this.expiry(now) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  public async get<T>(scope: string, name: CollaborationSingleton): Promise<(T & { claimedAt?: string }) | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.collaborationSingleton(scope, name), ConsistentRead: true }));
    if (!Item) return undefined;
    return withoutLayout(Item) as T & { claimedAt?: string };
  }

  /**
   * Takes the right to create a singleton (the channel, the status-page incident, the ticket). Succeeds when there
   * is none, when a previous claim died, or when `replaceIf` holds for the existing one (a ticket closed long ago).
   */
  public async claimSingleton(scope: string, name: CollaborationSingleton, now: Date, replaceIf?: { attribute: string; before: string }): Promise<boolean> {
    const values: Record<string, unknown> = { ':stale': new Date(now.getTime() - STALE_CLAIM_MS).toISOString() };
    let condition = 'attribute_not_exists(pk) OR (attribute_exists(claimedAt) AND claimedAt < :stale)';
    if (replaceIf) {
      condition += ` OR ${replaceIf.attribute} < :before`;
      values[':before'] = replaceIf.before;
    }
    return written(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.collaborationSingleton(scope, name), claimedAt: now.toISOString(), expiresAt: this.expiry(now) },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  /**
   * Runs the creation of a singleton whose claim was taken; when it fails, the claim is given up at once (made
   * stale), so that the next signal may try again instead of waiting for the claim to expire.
   */
  public async creating<T>(scope: string, name: CollaborationSingleton, create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      await this.update(scope, name, { claimedAt: new Date(0).toISOString() }).catch(() => undefined);
      throw error;
    }
  }

  /** Stores a singleton's state; the claim ends. */
  public async put(scope: string, name: CollaborationSingleton, state: object, now: Date): Promise<void> {
    await this.dynamo.send(
      new PutCommand({ TableName: this.table, Item: { ...state, ...keys.collaborationSingleton(scope, name), expiresAt: this.expiry(now) } }),
    );
  }

  /** Changes fields of a singleton's state. */
  public async update(scope: string, name: CollaborationSingleton, fields: Record<string, unknown>): Promise<void> {
    const names = Object.keys(fields);
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.collaborationSingleton(scope, name),
        UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, fields[n]])),
      }),
    );
  }

  private expiry(now: Date): number {
    return expiresAfter(now.toISOString(), this.retentionDays);
  }
}
