import { alertSettings } from '../../lib/core/config/alert-settings';
import { modelService } from '../../lib/core/config/derived';
import type { Config } from '../../lib/core/config/schema';
import { describeHit, silencedBy, subjectOf, type SilenceHit } from '../../lib/core/silences';
import { actionClaim, actionIdOf, AUTOMATION, type ActionRecord } from '../shared/storage/audit-log';
import type { AwsClients } from '../shared/clients';
import type { ActionMetrics } from '../shared/observability';
import { MitigationFailedError } from '../shared/errors';
import type { SilenceReader } from '../shared/storage/silences';
import { announceAction, claimAction, type ClaimedAction, type Executed, type ExecutorDeps } from './action-executor';
import { revertCommand } from './announce';
import { readAutomationMode, type ModeReading } from './automation-mode';
import { evaluateApiErrorTree, hasDecisionTree, type TreeEvidence } from './decision-tree';
import { MITIGATIONS } from './mitigations';
import {
  scopeFor,
  type Mitigation,
  type MitigationClient,
  type MitigationContext,
  type MitigationScope,
  type State,
  type Target,
} from './mitigations/mitigation';
import type { AlarmNotification } from './notification';
import { ecsTarget } from './mitigations/ecs-service';
import { tagCheck, type TagCheck, type TargetAccount } from './target-tag';

/** What the pipeline needs from the outside world, besides the executor's; tests pass their own clock and clients. */
export interface PipelineDeps extends ExecutorDeps, TargetAccount {
  readonly config: Config;
  /** Every client: the switch (SSM) and the decision tree (CloudWatch, ECS); each mitigation gets its own cut. */
  readonly clients: AwsClients;
  readonly automationModeParameter: string;
  readonly metrics: ActionMetrics;
  /** Ad-hoc silences (`oncall silence`); the config's windows come with `config.silencing`. */
  readonly silences: SilenceReader;
  /**
   * Starts the check of an action after the runbook's window (`automation.verifyAfterMinutes`); idempotent per
   * action. @default no verification (a stack without a verification state machine: verification.ts; tests of the pipeline alone)
   */
  readonly verification?: { start(actionId: string, at: Date): Promise<void> };
}

/**
 * The guard-rail pipeline. Every automatic action goes through it, in this order, and no mitigation can
 * skip a step:
 *   1. only a transition into ALARM acts (OK and INSUFFICIENT_DATA never do); a silenced alert (ad-hoc silence,
 *      maintenance or low-traffic window) acts on nothing: each mitigation is claimed (2) and recorded as skipped
 *      with the silence, and neither the switch, the decision tree nor any target is read;
 *   2. claim (incident, mitigation) in the audit log, with the automation as the actor: a duplicate delivery
 *      stops here;
 *   3. the automation switch, read now: disabled records a skip, dry-run records what would be done;
 *   4. the decision tree's branch for this mitigation (HighAPIErrorRate), with its evidence;
 *   5. in `automation.targetScope: 'tags'`, the target's tag (target-tag.ts): an ECS service or RDS instance
 *      without `targetTagKey` = the prefix is recorded as skipped with the reason, before anything of it is read
 *      (IAM would deny the read too); then the mitigation's own preconditions and caps on the before-state;
 *   6. cooldown per (mitigation, target) and the action window, reserved atomically with the intent record;
 *      a protective mitigation (`Mitigation.protective`: it only turns a feature off) takes no slot of the window,
 *      and its cooldown is lifted when the target changed since the action holding it (a human undid it);
 *   7. act, read the after-state, record the outcome (steps 2, 6 and 7 are the action executor's, the one path
 *      that changes the world: action-executor.ts); announce every decision that did or would change something,
 *      every protective action refused (no target, automation disabled, cooldown) with its reason (under a
 *      decision tree, disabled automation reads no tree: whether the branch was called for is unknown, not announced),
 *      and every action refused for its target's tag (step 5).
 * Returns the records written by this call (duplicates return the existing record).
 */
export async function respond(deps: PipelineDeps, notification: AlarmNotification): Promise<ActionRecord[]> {
  const { logger } = deps;
  if (notification.newState !== 'ALARM') {
    logger.info('no action: only a transition into ALARM triggers mitigations', { alarm: notification.alarmName, state: notification.newState });
    return [];
  }
  const settings = alertSettings(notification.alert, deps.config);
  if (settings.mitigations.length === 0) {
    logger.info('no action: the alert has no automatic mitigation', { alarm: notification.alarmName });
    return [];
  }

  const ctx = contextFor(deps, notification);
  const untagged = tagCheck(ctx.config, ctx.clients, deps);
  const silence = await silenceOf(deps, notification);
  let gate: Gate;
  if (silence) {
    logger.info('silenced: every mitigation is recorded as skipped', { alarm: notification.alarmName, silence });
    gate = { silence };
  } else {
    const mode = await readAutomationMode(deps.clients.ssm, deps.automationModeParameter);
    if (mode.note) logger.warn('automation switch fails closed', { note: mode.note });
    const tree =
      hasDecisionTree(notification.alert.id) && mode.mode !== 'disabled' ? await evaluateApiErrorTree(ctx, await untagged(ecsTarget(ctx))) : undefined;
    gate = { mode, tree };
  }

  const records: ActionRecord[] = [];
  let failure: Error | undefined;
  for (const id of settings.mitigations) {
    try {
      const record = await runOne(deps, ctx, MITIGATIONS[id], gate, untagged);
      if (record) records.push(record);
    } catch (error) {
      // One failed mitigation must not stop the others; the invocation still fails at the end.
      failure ??= error as Error;
    }
  }
  if (failure) throw failure;
  return records;
}

/** What decides the actions of one notification: a silence in force, or the switch and the decision tree. */
type Gate = { readonly silence: SilenceHit } | { readonly silence?: undefined; readonly mode: ModeReading; readonly tree: TreeEvidence | undefined };

/** The silence in force for the notification's alarm now, from the ad-hoc silences and the config's windows. */
async function silenceOf(deps: PipelineDeps, n: AlarmNotification): Promise<SilenceHit | undefined> {
  const subject = subjectOf(n.alert.id, n.instance);
  if (!subject) return undefined;
  const now = deps.now();
  return silencedBy(now, subject, await deps.silences.listActive(now), deps.config);
}

function contextFor(deps: PipelineDeps, notification: AlarmNotification): MitigationContext {
  const perService = notification.alert.scope === 'service' || notification.alert.scope === 'service-rds';
  const service = (perService && deps.config.services.find((s) => s.name === notification.instance)) || modelService(deps.config);
  return { config: deps.config, clients: deps.clients, notification, service, now: deps.now, logger: deps.logger };
}

async function runOne(deps: PipelineDeps, ctx: MitigationContext, mitigation: Mitigation, gate: Gate, untagged: TagCheck): Promise<ActionRecord | undefined> {
  const n = ctx.notification;
  // The mitigation's own cut of the context: the clients it declares, no others.
  const scope = scopeFor(mitigation, ctx);
  const target = mitigation.target(scope);
  const tree = gate.silence ? undefined : gate.tree;
  const claim = actionClaim(
    {
      actionId: actionIdOf(n.incidentId, mitigation.id),
      incidentId: n.incidentId,
      alarmName: n.alarmName,
      alertId: n.alert.id,
      service: ctx.service.name,
      severity: alertSettings(n.alert, deps.config).severity,
      mitigation: mitigation.id,
      target: target?.key,
      mode: gate.silence ? 'unknown' : gate.mode.mode,
      evidence: {
        alarmReason: n.reason,
        stateChangeTime: n.stateChangeTime,
        ...(tree ? { decisionTree: tree } : {}),
        ...(gate.silence ? { silence: gate.silence } : {}),
      },
    },
    AUTOMATION,
    deps.now().toISOString(),
  );

  // 2. Idempotency: the claim is a conditional write; only one delivery of a notification gets past it.
  const run = await claimAction(deps, claim, async (action) => {
    try {
      if (gate.silence) return await skipSilenced(deps, mitigation, action, gate.silence);
      return await decideAndAct(deps, { mitigation, scope, target, mode: gate.mode, tree, untagged }, action);
    } catch (error) {
      if (error instanceof MitigationFailedError) throw error;
      // Anything else that broke after the claim. claimAction gives an unfinished record a final state, so that
      // the retry Lambda makes fails towards the dead-letter queue instead of finding a claim and passing silently.
      // A decision already recorded (a skip, a dry-run) whose announcement failed stands, and is counted as such.
      const fields = { actionId: claim.actionId, mitigation: mitigation.id, error: (error as Error).message };
      if (action.phase === 'final') deps.logger.error('mitigation decided, but announcing the decision failed', fields);
      else {
        deps.metrics.count('ActionsFailed', mitigation.id);
        deps.logger.error(action.phase === 'claimed' ? 'mitigation failed before acting' : 'mitigation failed while acting', fields);
      }
      throw new MitigationFailedError(claim.actionId, { cause: error });
    }
  });
  return run.claimed ? run.result : duplicate(deps, claim.actionId, run.existing);
}

/** A silenced alert: the claimed action is recorded as skipped, with the silence as its reason. Reads nothing. */
async function skipSilenced(deps: PipelineDeps, mitigation: Mitigation, action: ClaimedAction, silence: SilenceHit): Promise<ActionRecord> {
  const reason = describeHit(silence);
  const record = await action.skip(reason);
  deps.metrics.count('ActionsSkipped', mitigation.id);
  deps.logger.info('mitigation skipped', { actionId: record.actionId, mitigation: mitigation.id, reason });
  return record;
}

/** A claimed action older than this without a final state belongs to an attempt that died (Lambda timeout is 60 s). */
const STALE_CLAIM_MS = 2 * 60_000;

/**
 * Another delivery of a notification already claimed. A concurrent duplicate returns quietly; a claim left by an
 * attempt that failed or died keeps failing, so the event ends in the dead-letter queue for a human. Never acts.
 */
async function duplicate(deps: PipelineDeps, actionId: string, existing: ActionRecord | undefined): Promise<ActionRecord | undefined> {
  deps.logger.info('duplicate notification: action already recorded', { actionId, decision: existing?.decision, outcome: existing?.outcome });
  if (!existing) return undefined;
  const unfinished = existing.decision === 'evaluating' || existing.outcome === 'pending';
  const stale = deps.now().getTime() - Date.parse(existing.updatedAt) > STALE_CLAIM_MS;
  if (existing.outcome === 'failed' || existing.outcome === 'unknown' || (unfinished && stale)) {
    throw new MitigationFailedError(actionId, {
      cause: new Error(existing.error ?? `the first attempt left the action ${existing.decision}/${existing.outcome ?? 'no outcome'}`),
    });
  }
  // A final action whose announcement or verification did not start (the first attempt failed right after
  // acting): do it now. Both are idempotent.
  // Only when the first attempt failed to announce, or is presumed dead: a concurrent duplicate would otherwise
  // announce it a second time while the first is still announcing.
  const announceDue = existing.announceFailedAt !== undefined || stale;
  // A skip is announced only when it was a protective action's refusal or a refusal for a missing tag; only then can
  // its announcement have failed.
  const announced = existing.decision !== 'skipped' || existing.announceFailedAt !== undefined;
  if (!unfinished && announceDue && announced && existing.announcedAt === undefined) await announceAction(deps, existing);
  if (existing.decision === 'acted' && existing.outcome === 'succeeded') await verifyLater(deps, actionId);
  return existing;
}

/** One mitigation of a notification that is not silenced, with what the notification's gate read. */
interface Candidate {
  readonly mitigation: Mitigation;
  readonly scope: MitigationScope<MitigationClient>;
  readonly target: Target | undefined;
  readonly mode: ModeReading;
  readonly tree: TreeEvidence | undefined;
  readonly untagged: TagCheck;
}

async function decideAndAct(deps: PipelineDeps, candidate: Candidate, action: ClaimedAction): Promise<ActionRecord> {
  const { logger } = deps;
  const { mitigation, scope, target, mode, tree, untagged } = candidate;
  const { actionId, evidence } = action.claim;

  const skip = async (reason: string, before?: State): Promise<ActionRecord> => {
    const record = await action.skip(reason, before);
    deps.metrics.count('ActionsSkipped', mitigation.id);
    logger.info('mitigation skipped', { actionId, mitigation: mitigation.id, reason });
    return record;
  };
  // A guard rail said no to an action that was called for. Not doing a protective action leaves the harm running
  // (a data leak, a dead dependency), so on-call hears of it at once and can act by hand; "not needed" skips
  // (the decision tree's other branches, a flag already set) stay in the log only.
  const refuse = async (reason: string, before?: State): Promise<ActionRecord> => {
    const record = await skip(reason, before);
    if (mitigation.protective) await announceAction(deps, record);
    return record;
  };
  // A target without its tag (tags mode) is a configuration error that refuses every action on it until someone
  // tags it, protective or not: on-call hears of it at once, with the command that fixes it. (Without the check the
  // action failed with AccessDenied, which reached a human only through the dead-letter alarm.)
  const refuseUntagged = async (reason: string): Promise<ActionRecord> => {
    const record = await skip(reason);
    await announceAction(deps, record);
    return record;
  };

  if (!target) return refuse(`no ${mitigation.id} target configured for service ${scope.service.name}`);
  if (mode.mode === 'disabled') {
    // Under a decision tree the tree is not read while automation is disabled, so whether this branch was called
    // for is unknown: recorded, not announced as a refusal.
    const disabled = `automation is disabled${mode.note ? ` (${mode.note})` : ''}`;
    return hasDecisionTree(action.claim.alertId) ? skip(disabled) : refuse(disabled);
  }
  const branch = tree?.[mitigation.id];
  if (tree && !branch?.holds) {
    const why = `decision tree: ${branch?.why ?? 'no branch for this mitigation'}`;
    // The tree could not read an untagged service: whether its branch was called for is unknown.
    return branch?.facts.targetTagMissing === true ? refuseUntagged(why) : skip(why);
  }

  // 5. Tags mode: a target without the tag is refused by name (how to tag it), not left to fail with AccessDenied.
  const notTagged = await untagged(target);
  if (notTagged) return refuseUntagged(notTagged);
  const before = await mitigation.read(scope, target);
  const decision = mitigation.decide(scope, before);
  if (!decision.act) return skip(decision.reason, before);
  const reason = branch ? `${branch.why}: ${decision.reason}` : decision.reason;
  const plan = { mitigation, scope, target, before, desired: decision.desired, reason, revertCommand: revertCommand(actionId) };

  if (mode.mode === 'dry-run') {
    const record = await action.dryRun(plan);
    deps.metrics.count('ActionsDryRun', mitigation.id);
    logger.info('mitigation dry-run', { actionId, mitigation: mitigation.id, target: target.key, before, desired: decision.desired });
    await announceAction(deps, record);
    return record;
  }

  // 6. Cooldown, action window and intent record: one transaction; 7. act, read again, record, announce.
  const a = deps.config.automation;
  const at = deps.now().getTime();
  const windowMs = a.windowMinutes * 60_000;
  const windowStart = Math.floor(at / windowMs) * windowMs;
  const guard = {
    cooldownUntil: new Date(at + a.cooldownMinutes * 60_000).toISOString(),
    windowStart,
    windowEnd: new Date(windowStart + windowMs).toISOString(),
    maxActions: a.maxActionsPerWindow,
    windowExempt: mitigation.protective,
  };
  let result = await action.reserveAndAct(plan, guard);
  if (result.status === 'refused' && result.refusal.refused === 'cooldown' && mitigation.protective && result.refusal.actionId) {
    const holder = result.refusal.actionId;
    const lifted = await changedSince(deps, holder, before);
    if (lifted) result = await action.reserveAndAct({ ...plan, evidence: { ...evidence, cooldownLifted: lifted } }, { ...guard, liftsCooldownOf: holder });
  }
  if (result.status === 'refused') {
    const { refusal } = result;
    if (refusal.refused === 'rate-limit') return refuse(`action window full: at most ${refusal.max} automatic actions per ${a.windowMinutes} minutes`, before);
    const why = mitigation.protective ? `; ${target.key} is as action ${refusal.actionId ?? 'unknown'} left it, or that action's after-state is unknown` : '';
    return refuse(`cooldown: ${mitigation.id} acted on ${target.key} recently; next action allowed after ${refusal.until}${why}`, before);
  }
  return reportExecuted(deps, mitigation, result);
}

/**
 * Logs and counts what the executor did, then starts the verification of an action that succeeded. The invocation
 * fails (so Lambda retries it, and the retry finds the record: duplicate()) when the change failed or could not be
 * confirmed, or when announcing it or starting its verification failed: the action itself stands as recorded and
 * is counted once, as taken or failed.
 */
async function reportExecuted(deps: PipelineDeps, mitigation: Mitigation, executed: Executed): Promise<ActionRecord> {
  const { logger } = deps;
  const { record, error, announceError } = executed;
  const { actionId } = record;
  const fields = { actionId, mitigation: mitigation.id };
  if (record.outcome === 'failed') {
    deps.metrics.count('ActionsFailed', mitigation.id);
    logger.error('mitigation failed', { ...fields, error: record.error });
  } else if (record.outcome === 'unknown') {
    logger.error('mitigation applied, but its after-state is unreadable', { ...fields, error: record.error });
  } else {
    deps.metrics.count('ActionsTaken', mitigation.id);
    logger.info('mitigation applied', { ...fields, target: record.target, before: record.before, after: record.after });
  }
  if (announceError) {
    logger.error(record.outcome === 'succeeded' ? 'mitigation applied, but announcing it failed' : `announcing the ${record.outcome} mitigation failed`, {
      ...fields,
      error: announceError.message,
    });
  }
  if (error) throw new MitigationFailedError(actionId, { cause: error });
  // Invariant 8 holds even when on-call could not be told: the verification pages if the alarm persists.
  try {
    await verifyLater(deps, actionId);
  } catch (verifyError) {
    logger.error('mitigation applied, but starting its verification failed', { ...fields, error: (verifyError as Error).message });
    throw new MitigationFailedError(actionId, { cause: announceError ?? verifyError });
  }
  if (announceError) throw new MitigationFailedError(actionId, { cause: announceError });
  return record;
}

/**
 * Whether a protective action's cooldown is void: the target changed since the action holding it (a human turned
 * the feature back on). The action's recorded after-state against the state read now, field by field; for an SSM
 * flag that includes the parameter's version, so even a write of the same value counts. No recorded after-state
 * (the action failed, or its outcome is unknown): nothing says the target changed, and the cooldown holds.
 */
async function changedSince(deps: PipelineDeps, holder: string, now: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const left = (await deps.audit.get(holder))?.after;
  if (!left) return undefined;
  const changed = Object.keys(left).filter((k) => left[k] !== now[k]);
  return changed.length === 0 ? undefined : { action: holder, changed, left, now };
}

/** Invariant 8: every action is checked after the runbook's window; still in ALARM pages humans at once. */
async function verifyLater(deps: PipelineDeps, actionId: string): Promise<void> {
  await deps.verification?.start(actionId, new Date(deps.now().getTime() + deps.config.automation.verifyAfterMinutes * 60_000));
}
