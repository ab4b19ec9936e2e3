import { alertSettings } from '../../lib/core/config/alert-settings';
import type { MitigationId } from '../../lib/core/catalog';
import { evaluateApiErrorTree, hasDecisionTree } from './decision-tree';
import { MITIGATIONS } from './mitigations';
import { ecsTarget } from './mitigations/ecs-service';
import { scopeFor, type MitigationContext } from './mitigations/mitigation';
import { tagCheck, type TargetAccount } from './target-tag';

/** What a mitigation would do for an alarm right now, read-only. */
export interface Preview {
  readonly mitigation: MitigationId;
  readonly target: string | undefined;
  readonly wouldAct: boolean;
  readonly reason: string;
}

/**
 * The pipeline's decisions without its side effects: the decision tree's branch, the mitigation's own reading
 * of the world and its preconditions. For game days (`oncall drill`): nothing is claimed, reserved or changed;
 * the automation switch, cooldowns and the action window are reported by the caller. In `automation.targetScope:
 * 'tags'` a target without its tag would be refused, and is previewed so (target-tag.ts).
 */
export async function previewMitigations(ctx: MitigationContext, account: TargetAccount): Promise<Preview[]> {
  const ids = alertSettings(ctx.notification.alert, ctx.config).mitigations;
  const untagged = tagCheck(ctx.config, ctx.clients, account);
  const tree = hasDecisionTree(ctx.notification.alert.id) && ids.length > 0 ? await evaluateApiErrorTree(ctx, await untagged(ecsTarget(ctx))) : undefined;
  const previews: Preview[] = [];
  for (const id of ids) {
    const mitigation = MITIGATIONS[id];
    const scope = scopeFor(mitigation, ctx);
    const target = mitigation.target(scope);
    if (!target) {
      previews.push({ mitigation: id, target: undefined, wouldAct: false, reason: `no ${id} target configured for service ${ctx.service.name}` });
      continue;
    }
    const branch = tree?.[id];
    if (tree && !branch?.holds) {
      previews.push({ mitigation: id, target: target.key, wouldAct: false, reason: `decision tree: ${branch?.why ?? 'no branch'}` });
      continue;
    }
    const notTagged = await untagged(target);
    if (notTagged) {
      previews.push({ mitigation: id, target: target.key, wouldAct: false, reason: notTagged });
      continue;
    }
    const decision = mitigation.decide(scope, await mitigation.read(scope, target));
    previews.push({ mitigation: id, target: target.key, wouldAct: decision.act, reason: branch ? `${branch.why}: ${decision.reason}` : decision.reason });
  }
  return previews;
}
