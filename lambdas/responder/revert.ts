import type { Config } from '../../lib/core/config/schema';
import { actorName, actorOf, revertClaim, type ActionRecord, type Actor } from '../shared/storage/audit-log';
import type { AwsClients } from '../shared/clients';
import { claimAction, type ExecutorDeps } from './action-executor';
import { readAutomationMode } from './automation-mode';
import { MITIGATIONS } from './mitigations';
import { scopeFor } from './mitigations/mitigation';
import { targetTagRefusal, type TargetAccount } from './target-tag';

/** What a revert needs besides the executor's (whose on-call topic is the responder's); the CLI builds it from its session. */
export interface RevertDeps extends ExecutorDeps, TargetAccount {
  readonly config: Config;
  /** The switch's (SSM, for the mode recorded) and the mitigations'; each mitigation gets its own cut. */
  readonly clients: AwsClients;
  readonly automationModeParameter: string;
}

/** A person's request to undo an action. */
export interface RevertRequest {
  readonly actionId: string;
  /** Who asks (`oncall revert`: user and AWS principal, via the CLI), for the audit record and the announcement. */
  readonly actor: Actor;
  /** Why, in their words. @default no reason given */
  readonly reason?: string;
}

/**
 * `reverted`: the target is back to the action's before-state (`record` is the revert's own audit record).
 * `refused`: nothing was changed, `reason` says why. `failed`: the revert was recorded and attempted, and the
 * change failed or could not be confirmed (`record.error`). `unknown-action`: no action has that id.
 */
export type RevertResult =
  | { readonly status: 'reverted' | 'failed'; readonly original: ActionRecord; readonly record: ActionRecord }
  | { readonly status: 'refused'; readonly original: ActionRecord; readonly reason: string }
  | { readonly status: 'unknown-action'; readonly actionId: string };

/** One revert per action: the revert's audit record has this id, so a second revert finds it and stops. */
export function revertIdOf(actionId: string): string {
  return `revert-${actionId}`;
}

/**
 * Undoes an action from its recorded before-state, guard-railed and audited like every action:
 *   1. the action exists, acted and succeeded (or was verified, or found ineffective), and is not a revert;
 *   2. it was not reverted before;
 *   3. the target is still the configured one; in `automation.targetScope: 'tags'` it still carries the tag
 *      (target-tag.ts: refused with how to tag it, before anything of it is read); and the world is still as the
 *      action left it (the mitigation's revertDecision): otherwise refused with what changed;
 *   4. hand the revert to the action executor (action-executor.ts), with the person as its actor: it claims the
 *      revert's record (`revert-<actionId>`; a concurrent revert stops here), records the intent, applies, reads
 *      the after-state, records the outcome and announces on the on-call topic.
 * Refusals change nothing and write nothing, so a revert refused while, say, the database was still modifying
 * can be asked again; the person asking gets the reason. The automation switch does not block a revert (pausing
 * automation is when people revert); its mode is recorded. No cooldown and no action window either: those
 * limit what automation does on its own, and a person decided this one.
 * @throws when the audit table or the on-call topic failed (the revert's record says how far it got)
 */
export async function revert(deps: RevertDeps, request: RevertRequest): Promise<RevertResult> {
  const { audit, logger } = deps;
  const original = await audit.get(request.actionId);
  if (!original) return { status: 'unknown-action', actionId: request.actionId };
  const refuse = (reason: string): RevertResult => {
    logger.info('revert refused', { actionId: original.actionId, reason });
    return { status: 'refused', original, reason };
  };

  const notRevertible = whyNotRevertible(original);
  if (notRevertible) return refuse(notRevertible);
  const revertId = revertIdOf(original.actionId);
  const earlier = await audit.get(revertId);
  if (earlier) return refuse(alreadyReverted(original.actionId, earlier));

  const mitigation = MITIGATIONS[original.mitigation];
  const service = deps.config.services.find((s) => s.name === original.service);
  if (!service) return refuse(`service ${String(original.service)} is no longer in the configuration of ${deps.config.prefix}; not reverting`);
  // The mitigation's own clients only, as in the pipeline.
  const scope = scopeFor(mitigation, { config: deps.config, clients: deps.clients, service, now: deps.now, logger });
  // Invariant 5: the target comes from configuration; a record naming another resource is not acted on.
  const target = mitigation.target(scope);
  if (!target || target.key !== original.target)
    return refuse(`${mitigation.id} is now configured for ${target?.key ?? 'no target'}, not ${String(original.target)} as recorded; not reverting`);
  const untagged = await targetTagRefusal(deps.config, scope.clients, deps, target);
  if (untagged) return refuse(untagged);
  const current = await mitigation.read(scope, target);
  const decision = mitigation.revertDecision(scope, current, original);
  if (!decision.act) return refuse(decision.reason);

  const mode = await readAutomationMode(deps.clients.ssm, deps.automationModeParameter);
  const claim = revertClaim(
    original,
    { actionId: revertId, actor: request.actor, mode: mode.mode, change: decision.reason, ...(request.reason ? { why: request.reason } : {}) },
    deps.now().toISOString(),
  );
  const run = await claimAction(deps, claim, (action) => action.act({ mitigation, scope, target, before: current, desired: decision.desired }));
  if (!run.claimed) return refuse(run.existing ? alreadyReverted(original.actionId, run.existing) : `a revert of ${original.actionId} is already recorded`);

  // Not verified after the runbook's window like an automatic action: the alarm being in ALARM says nothing
  // about whether undoing the mitigation was right, and paging on it would page the person who asked.
  const { record, announceError } = run.result;
  if (record.outcome === 'failed') logger.error('revert failed', { actionId: revertId, error: record.error });
  else if (record.outcome === 'succeeded')
    logger.info('action reverted', { actionId: revertId, revertOf: original.actionId, before: current, after: record.after });
  if (announceError) {
    logger.error(`revert ${record.outcome ?? 'recorded'}, but announcing it failed`, { actionId: revertId, error: announceError.message });
    throw announceError;
  }
  return { status: record.outcome === 'succeeded' ? 'reverted' : 'failed', original, record };
}

/** Only an action that changed the world, as recorded, can be undone from its record. */
function whyNotRevertible(record: ActionRecord): string | undefined {
  const id = record.actionId;
  if (typeof record.evidence.revertOf === 'string')
    return `${id} is itself a revert (of ${record.evidence.revertOf}); to apply the mitigation again, let the responder do it`;
  if (record.decision === 'dry-run') return `${id} was a dry run: nothing was changed, nothing to revert`;
  if (record.decision === 'skipped') return `${id} was skipped (${record.reason}): nothing was changed, nothing to revert`;
  if (record.decision === 'evaluating' || record.outcome === 'pending')
    return `${id} is still in progress (${record.decision}/${record.outcome ?? 'no outcome'}); try again when it has an outcome`;
  if (record.outcome === 'failed')
    return `${id} failed (${record.error ?? 'no error recorded'}): what it changed is not known; check ${String(record.target)} by hand`;
  if (record.outcome === 'unknown')
    return `the outcome of ${id} is unknown (${record.error ?? 'after-state unreadable'}); check ${String(record.target)} by hand`;
  if (!record.before || !record.after) return `${id} has no recorded before- and after-state to revert from`;
  return undefined;
}

function alreadyReverted(actionId: string, revertRecord: ActionRecord): string {
  const by = actorName(actorOf(revertRecord));
  if (revertRecord.outcome === 'succeeded') return `${actionId} was already reverted by ${by} at ${revertRecord.createdAt} (${revertRecord.actionId})`;
  if (revertRecord.decision === 'evaluating' || revertRecord.outcome === 'pending')
    return `a revert of ${actionId} by ${by} is in progress since ${revertRecord.createdAt} (${revertRecord.actionId})`;
  return `a revert of ${actionId} by ${by} at ${revertRecord.createdAt} ended ${revertRecord.outcome ?? revertRecord.decision} (${revertRecord.error ?? revertRecord.reason}); check ${String(revertRecord.target)} by hand (${revertRecord.actionId})`;
}
