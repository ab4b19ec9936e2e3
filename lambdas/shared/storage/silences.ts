import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isActive, type Silence, type SilenceMatch } from '../../../lib/silences';
import { isConditionFailure, queryAll, sinceInTimeIndex } from '../dynamo';
import { AlertingError } from '../errors';

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

/** What the responder and the escalation starter read: the silences in force. */
export interface SilenceReader {
  listActive(now: Date): Promise<Silence[]>;
}

const TIME_PARTITION = 'SILENCES';
const key = (id: string) => ({ pk: `SILENCE#${id}`, sk: 'SILENCE' });
const timeKey = (until: string, id: string) => `${until}#${id}`;

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
    for (let attempt = 0; ; attempt++) {
      const silence: Silence = { id: randomBytes(4).toString('hex'), ...fields };
      try {
        await this.dynamo.send(new PutCommand({ TableName: this.table, Item: this.item(silence), ConditionExpression: 'attribute_not_exists(pk)' }));
        return silence;
      } catch (error) {
        // An id collision (one in four billion): draw again.
        if (!isConditionFailure(error) || attempt >= 3) throw error;
      }
    }
  }

  public async get(id: string): Promise<Silence | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return Item && toSilence(Item);
  }

  /**
   * Ends an active silence now, recording who ended it.
   * @throws SilenceNotFoundError for an unknown id; SilenceEndedError when it is already over (nothing changes).
   */
  public async end(id: string, by: string, now: Date): Promise<Silence> {
    const at = now.toISOString();
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key(id),
          UpdateExpression: 'SET #until = :at, endedAt = :at, endedBy = :by, gsi1sk = :sk, expiresAt = :expires',
          ConditionExpression: 'attribute_exists(pk) AND #until > :at',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':at': at, ':by': by, ':sk': timeKey(at, id), ':expires': this.expiry(at) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toSilence(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(id);
      if (!existing) throw new SilenceNotFoundError(id);
      throw new SilenceEndedError(existing);
    }
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
    return (await queryAll(this.dynamo, sinceInTimeIndex(this.table, TIME_PARTITION, from, false))).map(toSilence);
  }

  private item(silence: Silence) {
    return { ...key(silence.id), gsi1pk: TIME_PARTITION, gsi1sk: timeKey(silence.until, silence.id), ...silence, expiresAt: this.expiry(silence.until) };
  }

  private expiry(fromIso: string): number {
    return Math.floor(Date.parse(fromIso) / 1000) + this.retentionDays * 86_400;
  }
}


function toSilence(item: Record<string, unknown>): Silence {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, expiresAt: _e, ...silence } = item;
  return silence as unknown as Silence;
}
