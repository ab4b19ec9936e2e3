import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isActive, type Silence, type SilenceMatch } from '../../../lib/core/silences';
import { queryAll, sinceInTimeIndex, written } from '../dynamo';
import { AlertingError } from '../errors';
import { expiresAfter, keys, TIME_PARTITION, timeIndexed, timeSortKey, withoutLayout } from './table-layout';

/** No silence has this id. */
export class SilenceNotFoundError extends AlertingError {
  public constructor(public readonly silenceId: string) {
    super(`no silence ${silenceId}`);
  }
}

/** The silence is over already (expired or ended); it is left as it is. */
export class SilenceEndedError extends AlertingError {
  public constructor(public readonly silence: Silence) {
    super(`silence ${silence.id} already ${silence.endedAt ? `ended at ${silence.endedAt} by ${silence.endedBy}` : `expired at ${silence.until}`}`);
  }
}

/** Draws of a fresh id before giving up. */
const ID_ATTEMPTS = 4;

/** What the responder and the escalation starter read: the silences in force. */
export interface SilenceReader {
  listActive(now: Date): Promise<Silence[]>;
}

/**
 * Ad-hoc silences, in the audit table. The record is the audit trail (who, why, until when; who ended it and
 * when): ending a silence early moves its `until` to that moment and keeps it. Items sit in the time index under
 * their end, so the active ones are one query (`until >= now`), and expire by TTL `auditRetentionDays` after it.
 */
export class SilenceStore implements SilenceReader {
  public constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  /** Creates a silence with a fresh short id. */
  public async create(fields: { match: SilenceMatch; until: string; createdBy: string; reason: string; createdAt: string }): Promise<Silence> {
    // An id collision (one in four billion) draws again; four in a row mean something else is wrong.
    for (let attempt = 1; attempt <= ID_ATTEMPTS; attempt++) {
      const silence: Silence = { id: randomBytes(4).toString('hex'), ...fields };
      if (await written(this.dynamo.send(new PutCommand({ TableName: this.table, Item: this.item(silence), ConditionExpression: 'attribute_not_exists(pk)' }))))
        return silence;
    }
    throw new AlertingError(`no free silence id in ${ID_ATTEMPTS} draws`);
  }

  public async get(id: string): Promise<Silence | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.silence(id), ConsistentRead: true }));
    return Item && toSilence(Item);
  }

  /**
   * Ends an active silence now, recording who ended it.
   * @throws SilenceNotFoundError for an unknown id; SilenceEndedError when it is already over (nothing changes).
   */
  public async end(id: string, by: string, now: Date): Promise<Silence> {
    const at = now.toISOString();
    const update = this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.silence(id),
        UpdateExpression: 'SET #until = :at, endedAt = :at, endedBy = :by, gsi1sk = :sk, expiresAt = :expires',
        ConditionExpression: 'attribute_exists(pk) AND #until > :at',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':at': at, ':by': by, ':sk': timeSortKey(at, id), ':expires': this.expiry(at) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (await written(update)) return toSilence((await update).Attributes!);
    const existing = await this.get(id);
    if (!existing) throw new SilenceNotFoundError(id);
    throw new SilenceEndedError(existing);
  }

  /** Silences in force at `now`, ending soonest first. */
  public async listActive(now: Date): Promise<Silence[]> {
    return (await this.query(now.toISOString())).filter((s) => isActive(s, now));
  }

  /** Silences in force at or after `since` (active ones, and those that expired or were ended since), ending latest first. */
  public async listSince(since: string): Promise<Silence[]> {
    return (await this.query(since)).reverse();
  }

  private async query(from: string): Promise<Silence[]> {
    return (await queryAll(this.dynamo, sinceInTimeIndex(this.table, TIME_PARTITION.silences, from, false))).map(toSilence);
  }

  private item(silence: Silence) {
    return { ...keys.silence(silence.id), ...timeIndexed('silences', silence.until, silence.id), ...silence, expiresAt: this.expiry(silence.until) };
  }

  private expiry(fromIso: string): number {
    return expiresAfter(fromIso, this.retentionDays);
  }
}

function toSilence(item: Record<string, unknown>): Silence {
  return withoutLayout(item) as unknown as Silence;
}
