import { createHash, randomUUID } from 'node:crypto';
import { firstFailedCondition, queryAll, sinceInTimeIndex, transactWrite, written } from '../dynamo';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/**
 * Who acts: the automation on its own (the responder), or a person through a channel (`oncall revert` today; a
 * Slack button or a webhook would add their channel). Recorded on every action and named in its announcement.
 */
export type Actor =
  | { readonly kind: 'automation' }
  | { readonly kind: 'person' /** As the channel knows them: user and AWS principal for the CLI. */; readonly name: string; readonly via: ActorChannel };
/** Where a person acted from. */
export type ActorChannel = 'cli';

/** One audit record: an automatic mitigation considered for one incident, or a person's revert of one. */
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
  /** Who acts. Absent on records written before it was recorded: read it with {@link actorOf}. */
  readonly actor?: Actor;
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
export type ReservationRefusal =
  | { readonly refused: 'cooldown'; readonly until: string /** The action holding it. */; readonly actionId: string | undefined }
  | { readonly refused: 'rate-limit'; readonly max: number };

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
  public async decide(
    actionId: string,
    fields: Pick<ActionRecord, 'reason' | 'mode' | 'target'> &
      Partial<Pick<ActionRecord, 'before' | 'desired' | 'evidence' | 'revertCommand'>> & { decision: 'skipped' | 'dry-run' },
    now: string,
  ): Promise<void> {
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
    const record = {
      Update: {
        TableName: this.table,
        Key: keys.action(actionId),
        ...updated,
        ConditionExpression: 'decision = :evaluating',
        ExpressionAttributeValues: { ...updated.ExpressionAttributeValues, ':evaluating': 'evaluating' },
      },
    };
    // The cooldown (item 0) or the window's slot (item 1) refuses; a failed condition of the record is an error.
    let refusedBy: number | undefined;
    const refusal = (error: unknown) => (refusedBy = firstFailedCondition(error)) === 0 || (refusedBy === 1 && !guard.windowExempt);
    // Sent again while cancelled only by a conflicting transaction or throttling (dynamo.ts).
    if (await written(transactWrite(this.dynamo, { TransactItems: guard.windowExempt ? [cooldown, record] : [cooldown, slot, record] }), refusal))
      return undefined;
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
   * The intent record of an action that takes no reservation (a person's action: no cooldown, no action window):
   * `acted`, outcome `pending`, with what is about to be done. Only a claimed record can get here.
   */
  public async intend(
    actionId: string,
    intent: Pick<ActionRecord, 'reason' | 'mode' | 'target' | 'before' | 'desired' | 'evidence' | 'revertCommand'>,
    now: string,
  ): Promise<void> {
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

// ----- record builders: every record of an action derives from its claim, here and nowhere else --------------

/** The automation, as the actor of the responder's actions. */
export const AUTOMATION: Actor = { kind: 'automation' };

/** Who took an action. A record from before actors were recorded: a revert named its requester in its evidence. */
export function actorOf(record: ActionRecord): Actor {
  if (record.actor) return record.actor;
  const requestedBy = record.evidence.requestedBy;
  return typeof requestedBy === 'string' ? { kind: 'person', name: requestedBy, via: 'cli' } : AUTOMATION;
}

/** `alice (arn:...)`, or `the automation`. */
export function actorName(actor: Actor): string {
  return actor.kind === 'person' ? actor.name : 'the automation';
}

/** An action's first record, as {@link AuditLog.claim} writes it (decision `evaluating`), with who acts. */
export type ActionClaim = Omit<ActionRecord, 'decision' | 'outcome' | 'updatedAt' | 'actor'> & { readonly actor: Actor };

/** What an action is about, for its claim: the alarm transition, the mitigation, its target, the evidence. */
export type ActionSubject = Pick<
  ActionRecord,
  'actionId' | 'incidentId' | 'alarmName' | 'alertId' | 'service' | 'severity' | 'mitigation' | 'target' | 'mode' | 'evidence'
>;

/**
 * The claim of a mitigation's action on an alarm: by the automation (the pipeline), or by a person (a button in a
 * chat, later); its reason is `evaluating` until the action is decided.
 */
export function actionClaim(subject: ActionSubject, actor: Actor, at: string): ActionClaim {
  const { actionId, incidentId, alarmName, alertId, service, severity, mitigation, target, mode, evidence } = subject;
  return { actionId, incidentId, alarmName, alertId, service, severity, mitigation, target, mode, actor, reason: 'evaluating', evidence, createdAt: at };
}

/**
 * The claim of a revert of `original`: the same incident, mitigation and target; its reason names who asks and
 * why, its evidence the action it undoes (`revertOf`: how every reader tells a revert) and the change it makes.
 */
export function revertClaim(
  original: ActionRecord,
  revert: { readonly actionId: string; readonly actor: Actor; readonly mode: ActionRecord['mode']; readonly why?: string; readonly change: string },
  at: string,
): ActionClaim {
  const { incidentId, alarmName, alertId, service, severity, mitigation, target } = original;
  return {
    actionId: revert.actionId,
    incidentId,
    alarmName,
    alertId,
    service,
    severity,
    mitigation,
    target,
    mode: revert.mode,
    actor: revert.actor,
    reason: `revert of ${original.actionId} by ${actorName(revert.actor)}${revert.why ? `: ${revert.why}` : ''}`,
    evidence: { revertOf: original.actionId, change: revert.change },
    createdAt: at,
  };
}

/** What {@link AuditLog.decide} writes. */
export type DecisionWrite = Parameters<AuditLog['decide']>[1];
/** What {@link AuditLog.reserve} writes with the reservations ({@link AuditLog.intend}: the same, but `mitigation`). */
export type IntentWrite = Parameters<AuditLog['reserve']>[1];
/** What {@link AuditLog.outcome} writes. */
export type OutcomeWrite = Parameters<AuditLog['outcome']>[1];
/** The automation's guard rails reserved with an intent: cooldown and action window ({@link AuditLog.reserve}). */
export type ActionReservation = Parameters<AuditLog['reserve']>[2];

/** One write to an action's record and the record it leaves, built together so that the two cannot disagree. */
export interface RecordStep<W> {
  readonly write: W;
  readonly record: ActionRecord;
}

/** A claimed action that ends without acting: skipped, with the reason and the before-state if it was read. */
export function skippedRecord(
  claim: ActionClaim,
  skip: { readonly reason: string; readonly before?: Record<string, unknown> },
  at: string,
): RecordStep<DecisionWrite> {
  const write: DecisionWrite = {
    decision: 'skipped',
    reason: skip.reason,
    mode: claim.mode,
    target: claim.target,
    ...(skip.before ? { before: skip.before } : {}),
  };
  return { write, record: { ...claim, ...write, outcome: undefined, updatedAt: at } };
}

/** A claimed action in dry-run: what would have been done, and how it would be undone. Nothing changes. */
export function dryRunRecord(
  claim: ActionClaim,
  plan: { readonly reason: string; readonly before: Record<string, unknown>; readonly desired: Record<string, unknown>; readonly revertCommand: string },
  at: string,
): RecordStep<DecisionWrite> {
  const write: DecisionWrite = {
    decision: 'dry-run',
    reason: plan.reason,
    mode: claim.mode,
    target: claim.target,
    before: plan.before,
    desired: plan.desired,
    revertCommand: plan.revertCommand,
  };
  return { write, record: { ...claim, ...write, outcome: undefined, updatedAt: at } };
}

/**
 * The intent: `acted`, outcome `pending`, with the before-state and the desired one, written before the world is
 * changed. `reason` and `evidence` default to the claim's (a revert says why in its claim).
 */
export function intentRecord(
  claim: ActionClaim,
  intent: {
    readonly before: Record<string, unknown>;
    readonly desired: Record<string, unknown>;
    readonly reason?: string;
    readonly evidence?: Record<string, unknown>;
    readonly revertCommand?: string;
  },
  at: string,
): RecordStep<IntentWrite> {
  const write: IntentWrite = {
    mitigation: claim.mitigation,
    reason: intent.reason ?? claim.reason,
    mode: claim.mode,
    target: claim.target,
    before: intent.before,
    desired: intent.desired,
    evidence: intent.evidence ?? claim.evidence,
    ...(intent.revertCommand ? { revertCommand: intent.revertCommand } : {}),
  };
  return { write, record: { ...claim, ...write, decision: 'acted', outcome: 'pending', updatedAt: at } };
}

/** How an action that acted ended: the after-state, or the error of the change (`failed`) or of its read (`unknown`). */
export type ActionEnd =
  | { readonly outcome: 'succeeded'; readonly after: Record<string, unknown> }
  | { readonly outcome: 'failed' | 'unknown'; readonly error: string };

/** The outcome of an action recorded as acting ({@link intentRecord}). */
export function outcomeRecord(acting: ActionRecord, end: ActionEnd, at: string): RecordStep<OutcomeWrite> {
  const write: OutcomeWrite = { ...end };
  return { write, record: { ...acting, ...write, updatedAt: at } };
}
