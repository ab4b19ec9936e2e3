/**
 * The one path that changes the world. Whoever acts (the automation through the guard-rail pipeline, a person
 * through `oncall revert`, later a Slack button or a webhook) decides by its own policy, then hands the action to
 * this executor, which runs the guarded sequence:
 *   1. claim the action's record, a conditional write with the actor in it: a redelivered or concurrent caller
 *      finds the claim and stops ({@link claimAction});
 *   2. record the intent (with the automation's reservations of cooldown and action window, when it asks for them);
 *   3. apply the mitigation's change, with the mitigation's own clients only (its scope);
 *   4. read the after-state; 5. record the outcome; 6. announce on the on-call topic.
 * Each step is written before the next is taken, so a failure at any step leaves a record that says how far the
 * action got: a retry finds it and never acts twice, and the caller finishes what is left (the pipeline's retry
 * announces an action whose announcement failed).
 */
import {
  dryRunRecord,
  intentRecord,
  outcomeRecord,
  skippedRecord,
  type ActionClaim,
  type ActionEnd,
  type ActionRecord,
  type ActionReservation,
  type AuditLog,
  type DecisionWrite,
  type RecordStep,
  type IntentWrite,
  type ReservationRefusal,
} from '../shared/storage/audit-log';
import type { AwsClients } from '../shared/clients';
import { AlreadyRecordedError } from '../shared/errors';
import type { Log } from '../shared/observability';
import { announce } from './announce';
import type { Mitigation, MitigationClient, MitigationScope, State, Target } from './mitigations/mitigation';

/** What the executor needs; the pipeline's and the revert's dependencies both provide it. */
export interface ExecutorDeps {
  /** The on-call topic's client. The mitigations' own clients come with each action's scope. */
  readonly clients: Pick<AwsClients, 'sns'>;
  readonly audit: AuditLog;
  /** The on-call topic every action is announced on. */
  readonly announceTopicArn: string;
  readonly now: () => Date;
  readonly logger: Log;
}

/** What an action does: the mitigation's change of its target, from the before-state read to the desired one. */
export interface ActionPlan<C extends MitigationClient> {
  readonly mitigation: Mitigation<C>;
  /** The mitigation's scope, holding its own clients only (`scopeFor`). */
  readonly scope: MitigationScope<C>;
  readonly target: Target;
  readonly before: State;
  readonly desired: State;
  /** Why, recorded with the intent. @default the claim's reason */
  readonly reason?: string;
  /** @default the claim's evidence */
  readonly evidence?: Record<string, unknown>;
  /** The command that undoes it, for the record and the announcement. @default none (a revert is not reverted) */
  readonly revertCommand?: string;
}

/** An action carried out to its outcome. */
export interface Executed {
  readonly status: 'executed';
  /** The final record: outcome `succeeded`, `failed` (the change threw) or `unknown` (applied, after-state unreadable). */
  readonly record: ActionRecord;
  /** What the change or the after-read threw, when the outcome is not `succeeded`. */
  readonly error?: Error;
  /**
   * Telling on-call failed after the outcome was recorded. The action stands as recorded; the failure is recorded
   * too (`announceFailedAt`), so that a retry announces it.
   */
  readonly announceError?: Error;
}

/** The guard rails refused the reservation: nothing was written or changed, and the claim is still open. */
export interface Refused {
  readonly status: 'refused';
  readonly refusal: ReservationRefusal;
}

/** Either this caller holds the claim and ran its part, or someone claimed the action first. */
export type ClaimResult<T> =
  | { readonly claimed: true; readonly result: T }
  | { readonly claimed: false /** The record of whoever claimed it (undefined if it expired since). */; readonly existing: ActionRecord | undefined };

/** How far a claimed action got: `final` once its record holds a decision without action, or an outcome. */
export type ActionPhase = 'claimed' | 'acting' | 'final';

/**
 * Claims an action (step 1) and runs `use` with it: between the claim and the action, the caller's own policy
 * (skip, dry-run, act). Only one caller ever holds a claim: a duplicate gets `claimed: false` with the record that
 * holds it, and must not act. If `use` throws before the record is final, the record is closed as failed
 * (`failUnfinished`): a retry then finds a final record, never an action in progress that nobody is running.
 * @throws what the claim's write or `use` threw
 */
export async function claimAction<T>(deps: ExecutorDeps, claim: ActionClaim, use: (action: ClaimedAction) => Promise<T>): Promise<ClaimResult<T>> {
  try {
    await deps.audit.claim(claim);
  } catch (error) {
    if (!(error instanceof AlreadyRecordedError)) throw error;
    return { claimed: false, existing: await deps.audit.get(claim.actionId) };
  }
  const action = new ClaimedAction(deps, claim);
  try {
    return { claimed: true, result: await use(action) };
  } catch (error) {
    if (action.phase !== 'final') {
      await deps.audit
        .failUnfinished(claim.actionId, (error as Error).message, deps.now().toISOString())
        .catch((e: unknown) => deps.logger.error('could not record the failure', { actionId: claim.actionId, error: String(e) }));
    }
    throw error;
  }
}

/** Announces a record on the on-call topic, then marks it announced; a failure is marked too, for the retry. */
export async function announceAction(deps: ExecutorDeps, record: ActionRecord): Promise<void> {
  try {
    await announce(deps.clients.sns, deps.announceTopicArn, record);
  } catch (error) {
    await deps.audit.announceFailed(record.actionId, deps.now().toISOString()).catch(() => undefined);
    throw error;
  }
  await deps.audit.announced(record.actionId, deps.now().toISOString());
}

/** A claimed action: its caller ends it without acting ({@link skip}, {@link dryRun}) or acts ({@link act}). */
export class ClaimedAction {
  private current: ActionPhase = 'claimed';

  public constructor(
    private readonly deps: ExecutorDeps,
    /** The claim as written: who acts, on what, and the evidence. */
    public readonly claim: ActionClaim,
  ) {}

  public get phase(): ActionPhase {
    return this.current;
  }

  /** Ends the action without acting: skipped, with the reason (and the before-state, if it was read). */
  public async skip(reason: string, before?: State): Promise<ActionRecord> {
    return this.decide(skippedRecord(this.claim, { reason, ...(before ? { before } : {}) }, this.at()));
  }

  /** Ends the action without acting, recording what it would have done. */
  public async dryRun(plan: {
    readonly reason: string;
    readonly before: State;
    readonly desired: State;
    readonly revertCommand: string;
  }): Promise<ActionRecord> {
    return this.decide(dryRunRecord(this.claim, plan, this.at()));
  }

  /** Acts without reservations (a person decided: no cooldown, no action window). */
  public async act<C extends MitigationClient>(plan: ActionPlan<C>): Promise<Executed> {
    const intent = this.intent(plan);
    // `mitigation` keys the cooldown of a reservation; the record has it from the claim.
    const { mitigation: _keysTheCooldown, ...write } = intent.write;
    await this.deps.audit.intend(this.claim.actionId, write, intent.record.updatedAt);
    return this.carryOut(plan, intent.record);
  }

  /**
   * Acts if the automation's guard rails hold: the cooldown and a slot of the action window are reserved in one
   * transaction with the intent. Refused, nothing is written and the claim stays open for another decision.
   */
  public async reserveAndAct<C extends MitigationClient>(plan: ActionPlan<C>, reservation: ActionReservation): Promise<Executed | Refused> {
    const intent = this.intent(plan);
    const refusal = await this.deps.audit.reserve(this.claim.actionId, intent.write, reservation, intent.record.updatedAt);
    if (refusal) return { status: 'refused', refusal };
    return this.carryOut(plan, intent.record);
  }

  private intent<C extends MitigationClient>(plan: ActionPlan<C>): RecordStep<IntentWrite> {
    const { before, desired, reason, evidence, revertCommand } = plan;
    return intentRecord(
      this.claim,
      { before, desired, ...(reason ? { reason } : {}), ...(evidence ? { evidence } : {}), ...(revertCommand ? { revertCommand } : {}) },
      this.at(),
    );
  }

  /** Steps 3 to 6, once the intent is recorded. */
  private async carryOut<C extends MitigationClient>(plan: ActionPlan<C>, acting: ActionRecord): Promise<Executed> {
    this.current = 'acting';
    const { mitigation, scope, target } = plan;
    let end: ActionEnd;
    let error: Error | undefined;
    try {
      await mitigation.apply(scope, target, plan.desired, plan.before);
      try {
        end = { outcome: 'succeeded', after: await mitigation.read(scope, target) };
      } catch (e) {
        // The change went through but cannot be confirmed: neither succeeded nor failed.
        error = e as Error;
        end = { outcome: 'unknown', error: `change applied; after-state unreadable: ${error.message}` };
      }
    } catch (e) {
      error = e as Error;
      end = { outcome: 'failed', error: error.message };
    }
    const done = outcomeRecord(acting, end, this.at());
    await this.deps.audit.outcome(this.claim.actionId, done.write, done.record.updatedAt);
    this.current = 'final';
    let announceError: Error | undefined;
    try {
      await announceAction(this.deps, done.record);
    } catch (e) {
      announceError = e as Error;
    }
    return { status: 'executed', record: done.record, ...(error ? { error } : {}), ...(announceError ? { announceError } : {}) };
  }

  private async decide({ write, record }: RecordStep<DecisionWrite>): Promise<ActionRecord> {
    await this.deps.audit.decide(this.claim.actionId, write, record.updatedAt);
    this.current = 'final';
    return record;
  }

  private at(): string {
    return this.deps.now().toISOString();
  }
}
