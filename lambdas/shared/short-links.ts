import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { written } from './dynamo';
import { LinkRejectedError, type LinkAction } from './links';
import { keys } from './storage/table-layout';

/**
 * Short ack links for SMS (one 140-byte part): an opaque random token instead of the signed claims, resolved
 * server side. The table holds only the token's SHA-256 (a table read gives no usable link), the incident, the
 * action and the expiry; redeeming is one conditional write, so a token works once. 16 base64url characters are
 * 96 random bits: guessing one is hopeless even without the endpoint's concurrency cap.
 */

/** The token alphabet (base64url) is in SMS's GSM-7 basic set, so a link never forces a UCS-2 message. */
const TOKEN = /^[A-Za-z0-9_-]{16}$/;

/** What a short link stands for. */
export interface ShortLink {
  readonly incidentId: string;
  readonly action: LinkAction;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

const keyOf = (token: string) => keys.shortLink(createHash('sha256').update(token).digest('base64url'));

export class ShortLinkStore {
  public constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** A new token for `link`; the record expires (DynamoDB TTL) a day after the link does. */
  public async create(link: ShortLink): Promise<string> {
    const token = randomBytes(12).toString('base64url');
    await this.dynamo.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keyOf(token), ...link, expiresAt: link.exp + 86_400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return token;
  }

  /**
   * What a token stands for, without using it (the confirmation page of a GET).
   * @throws LinkRejectedError malformed, forged (no such token), expired, wrong-action or replayed.
   */
  public async peek(token: string, expected: { action: LinkAction; now: Date }): Promise<ShortLink> {
    const { now } = expected;
    if (!TOKEN.test(token)) throw new LinkRejectedError('malformed');
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keyOf(token), ConsistentRead: true }));
    if (!Item) throw new LinkRejectedError('forged');
    const link = { incidentId: Item.incidentId as string, action: Item.action as LinkAction, exp: Item.exp as number };
    if (link.exp * 1000 <= now.getTime()) throw new LinkRejectedError('expired');
    if (link.action !== expected.action) throw new LinkRejectedError('wrong-action');
    if (Item.usedAt !== undefined) throw new LinkRejectedError('replayed');
    return link;
  }

  /**
   * Uses a token: once, before its expiry. The check and the use are one conditional write.
   * @throws LinkRejectedError with the reason.
   */
  public async redeem(token: string, expected: { action: LinkAction; now: Date }): Promise<ShortLink> {
    const { now } = expected;
    const link = await this.peek(token, expected);
    const used = await written(
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keyOf(token),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND #exp > :nowSeconds',
          ExpressionAttributeNames: { '#exp': 'exp' },
          ExpressionAttributeValues: { ':now': now.toISOString(), ':nowSeconds': Math.floor(now.getTime() / 1000) },
        }),
      ),
    );
    // Refused: used (or expired) between the read and the write, a second tap racing the first.
    if (!used) throw new LinkRejectedError('replayed');
    return link;
  }
}
