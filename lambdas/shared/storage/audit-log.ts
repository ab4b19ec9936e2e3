import { createHash, randomUUID } from 'node:crypto';
import { firstFailedCondition, queryAll, sinceInTimeIndex, transactWrite, written } from '../dynamo';
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { MitigationId, Severity } from '../../../lib/core/catalog';
import type { AutomationMode } from '../../../lib/core/config/schema';
import { AlreadyRecordedError } from '../errors';
import { expiresAfter, keys, TIME_PARTITION, timeIndexed, withoutLayout } from './table-layout';

/** Where an action stands. `evaluating` is the claim; every other status is final or awaits its outcome. */
export type ActionDecision = 'evaluating' | 'skipped' | 'dry-run' | 'acted';
/**
 * `unknown`: the change was applied but its after-state could not be read; a human must look. `ineffective` and
 * `verified` are set by the verification of the action after the runbook's window.
 */
export type ActionOutcome = 'pending' | 'succeeded' | 'failed' | 'unknown' | 'ineffective' | 'verified';

/** One audit record: an automatic mitigation considered for one incident. */
export interface ActionRecord {
  readonly actionId: string;
  readonly incidentId: string;
  readonly alarmName: string;
  readonly alertId: string;
  readonly service: string | undefined;
  readonly severity: Severity;
  readonly mitigation: MitigationId;
  /** `ecs:prod/chatbot-api`, `ssm:/chatbot/fallback-mode`... */
  readonly target: string | undefined;
  readonly mode: AutomationMode | 'unknown';
  readonly decision: ActionDecision;
  readonly reason: string;
  readonly outcome: ActionOutcome | undefined;
  /** Facts that justified the decision (decision-tree branches, alarm reason). */
  readonly evidence: Record<string, unknown>;
  /** The target's state read before acting; absent until read. */
  readonly before?: Record<string, unknown>;
  readonly desired?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  readonly error?: string;
  readonly revertCommand?: string;
  /** When on-call was told; unset until the announcement went out (a retry announces again). */
  readonly announcedAt?: string;
  /** When the last attempt to tell on-call failed: a retry re-announces at once. */
  readonly announceFailedAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Stable per (incident, mitigation): the same notification delivered twice maps to the same action. */
export function actionIdOf(incidentId: string, mitigation: MitigationId): string {
  return createHash('sha256').update(`${incidentId}\u0000${mitigation}`).digest('hex').slice(0, 16);
}

/** Why a reservation was refused. */
export type ReservationRefusal = { readonly refused: 'cooldown'; readonly until: string; /** The action holding it. */ readonly actionId: string | undefined } | { readonly refused: 'rate-limit'; readonly max: number };

/**
 * The audit log and the guard rails' bookkeeping, in DynamoDB. Conditional writes make the guard rails safe
 * under concurrency; DynamoDB errors are translated here so the pipeline never sees SDK error types.
 */
export class AuditLog {
  public constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  /**
   * Claims (incident, mitigation) with a first record. This one conditional write is the idempotency check:
   * a duplicate notification finds the claim and stops.
   * @throws AlreadyRecordedError when the action was claimed before.
   */
  public async claim(record: Omit<ActionRecord, 'decision' | 'outcome' | 'updatedAt'>): Promise<void> {
    // The SDK retries a write whose response was lost; the retry then fails its own condition. The token tells
    // "someone else claimed it" from "my first attempt did".
    const claimToken = randomUUID();
    const claimed = await written(
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.action(record.actionId),
            ...timeIndexed('actions', record.createdAt, record.actionId),
            ...record,
            decision: 'evaluating',
            claimToken,
            updatedAt: record.createdAt,
            expiresAt: this.expiry(record.createdAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (claimed) return;
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.action(record.actionId), ConsistentRead: true }));
    if (Item?.claimToken !== claimToken) throw new AlreadyRecordedError(record.actionId);
  }

  /** Final decision without action: skipped (with the reason) or dry-run (with what would have been done). */
  public async decide(actionId: string, fields: Pick<ActionRecord, 'reason' | 'mode' | 'target'> & Partial<Pick<ActionRecord, 'before' | 'desired' | 'evidence' | 'revertCommand'>> & { decision: 'skipped' | 'dry-run' }, now: string): Promise<void> {
    await this.update(actionId, { ...fields, outcome: undefined, updatedAt: now });
  }

  /**
   * The intent record and the guard rails' reservations, in one transaction: the cooldown of the target, one
   * slot of the action window, and the record saying what is about to be done. Either all hold or none is
   * written, so a refused action consumes no cooldown and no slot.
   *
   * A protective action (`guard.windowExempt`) takes no slot and is never refused by the window.
   * `guard.liftsCooldownOf` names the action whose cooldown the caller found void (a human changed the target
   * since): the cooldown item is replaced if that action still holds it, and refused if another took it since.
   */
  public async reserve(
    actionId: string,
    intent: Pick<ActionRecord, 'reason' | 'mode' | 'target' | 'before' | 'desired' | 'evidence' | 'revertCommand'> & { mitigation: MitigationId },
    guard: {
      readonly cooldownUntil: string;
      readonly windowStart: number;
      readonly windowEnd: string;
      readonly maxActions: number;
      /** @default false: the action takes one slot of the window */
      readonly windowExempt?: boolean;
      /** @default none: only an expired cooldown can be replaced */
      readonly liftsCooldownOf?: string;
    },
    now: string,
  ): Promise<ReservationRefusal | undefined> {
    const updated = this.updateExpression({ ...intent, decision: 'acted', outcome: 'pending', updatedAt: now });
    const lift = guard.liftsCooldownOf;
    const cooldown = {
      Put: {
        TableName: this.table,
        Item: { ...keys.cooldown(intent.mitigation, intent.target!), until: guard.cooldownUntil, actionId, expiresAt: this.expiry(guard.cooldownUntil) },
        ConditionExpression: `attribute_not_exists(pk) OR #until <= :now${lift ? ' OR actionId = :lifted' : ''}`,
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':now': now, ...(lift ? { ':lifted': lift } : {}) },
      },
    };
    const slot = {
      Update: {
        TableName: this.table,
        Key: keys.actionWindow(guard.windowStart),
        UpdateExpression: 'ADD #count :one SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':max': guard.maxActions, ':expires': this.expiry(guard.windowEnd) },
      },
    };
    const record = { Update: { TableName: this.table, Key: keys.action(actionId), ...updated, ConditionExpression: 'decision = :evaluating', ExpressionAttributeValues: { ...updated.ExpressionAttributeValues, ':evaluating': 'evaluating' } } };
    // The cooldown (item 0) or the window's slot (item 1) refuses; a failed condition of the record is an error.
    let refusedBy: number | undefined;
    const refusal = (error: unknown) => (refusedBy = firstFailedCondition(error)) === 0 || (refusedBy === 1 && !guard.windowExempt);
    // Sent again while cancelled only by a conflicting transaction or throttling (dynamo.ts).
    if (await written(transactWrite(this.dynamo, { TransactItems: guard.windowExempt ? [cooldown, record] : [cooldown, slot, record] }), refusal)) return undefined;
    if (refusedBy === 1) return { refused: 'rate-limit', max: guard.maxActions };
    const holder = await this.cooldownHolder(intent.mitigation, intent.target!);
    return { refused: 'cooldown', until: holder?.until ?? 'unknown', actionId: holder?.actionId };
  }

  /** The action holding the cooldown of (mitigation, target), whether or not it has expired. */
  private async cooldownHolder(mitigation: MitigationId, target: string): Promise<{ until: string; actionId: string | undefined } | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.cooldown(mitigation, target), ConsistentRead: true }));
    return Item && { until: String(Item.until), actionId: typeof Item.actionId === 'string' ? Item.actionId : undefined };
  }

  /**
   * The intent record of an action that takes no reservation (a human revert: no cooldown, no action window):
   * `acted`, outcome `pending`, with what is about to be done. Only a claimed record can get here.
   */
  public async intend(actionId: string, intent: Pick<ActionRecord, 'before' | 'desired'>, now: string): Promise<void> {
    const updated = this.updateExpression({ ...intent, decision: 'acted', outcome: 'pending', updatedAt: now });
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.action(actionId),
        ...updated,
        ConditionExpression: 'decision = :evaluating',
        ExpressionAttributeValues: { ...updated.ExpressionAttributeValues, ':evaluating': 'evaluating' },
      }),
    );
  }

  /** The outcome after acting: what the world looks like now, or the error. */
  public async outcome(actionId: string, fields: Pick<ActionRecord, 'outcome'> & Partial<Pick<ActionRecord, 'after' | 'error'>>, now: string): Promise<void> {
    await this.update(actionId, { ...fields, updatedAt: now });
  }

  /**
   * Gives an action that an error interrupted a final state: `skipped/failed` if it never got to act, `failed`
   * if it was acting. A record that is already final is left as it is.
   */
  public async failUnfinished(actionId: string, error: string, now: string): Promise<void> {
    const attempts = [
      { set: { decision: 'skipped', reason: `failed before acting: ${error}`, outcome: 'failed', error, updatedAt: now }, when: ['decision', 'evaluating'] },
      { set: { outcome: 'failed', error, updatedAt: now }, when: ['outcome', 'pending'] },
    ] as const;
    for (const { set, when } of attempts) {
      const update = this.updateExpression(set);
      const changed = await written(
        this.dynamo.send(
          new UpdateCommand({
            TableName: this.table,
            Key: keys.action(actionId),
            ...update,
            ConditionExpression: '#when = :when',
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#when': when[0] },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':when': when[1] },
          }),
        ),
      );
      if (changed) return;
    }
  }

  /** Records that on-call was told about the action. */
  public async announced(actionId: string, now: string): Promise<void> {
    await this.update(actionId, { announcedAt: now, announceFailedAt: undefined });
  }

  /** Records that telling on-call failed, so the retry knows to try again. */
  public async announceFailed(actionId: string, now: string): Promise<void> {
    await this.update(actionId, { announceFailedAt: now });
  }

  public async get(actionId: string): Promise<ActionRecord | undefined> {
    const { Item } = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: keys.action(actionId) }));
    return Item === undefined ? undefined : toRecord(Item);
  }

  /** Actions created at or after `since`, newest first. */
  public async listSince(since: string): Promise<ActionRecord[]> {
    return (await queryAll(this.dynamo, sinceInTimeIndex(this.table, TIME_PARTITION.actions, since, true))).map(toRecord);
  }

  /** The actions taken (or considered) for an incident's alarm transitions, newest first. */
  public async forIncident(incident: { readonly openedAt: string; readonly triggers: readonly string[] }): Promise<ActionRecord[]> {
    // An action may be recorded before its incident opened (the responder and the starter race): an hour of margin.
    const since = new Date(Date.parse(incident.openedAt) - 60 * 60_000).toISOString();
    const triggers = new Set(incident.triggers);
    return (await this.listSince(since)).filter((a) => triggers.has(a.incidentId));
  }

  private async update(actionId: string, fields: Record<string, unknown>): Promise<void> {
    await this.dynamo.send(new UpdateCommand({ TableName: this.table, Key: keys.action(actionId), ...this.updateExpression(fields) }));
  }

  private updateExpression(fields: Record<string, unknown>) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove: string[] = [];
    Object.entries(fields).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      if (value === undefined) remove.push(`#f${i}`);
      else {
        values[`:v${i}`] = value;
        set.push(`#f${i} = :v${i}`);
      }
    });
    const expression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].filter(Boolean).join(' ');
    return { UpdateExpression: expression, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
  }

  private expiry(fromIso: string): number {
    return expiresAfter(fromIso, this.retentionDays);
  }
}


function toRecord(item: Record<string, unknown>): ActionRecord {
  const { claimToken: _t, ...record } = withoutLayout(item);
  return record as unknown as ActionRecord;
}
