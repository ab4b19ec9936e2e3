import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ActionRecord } from '../../shared/storage/audit-log';
import { previousRevision } from './deployment-history';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';
import { describeService, ecsTarget, parseTaskDefinition, splitTarget } from './ecs-service';

/**
 * "If recent deployment (within 30 minutes): rollback immediately" to the task definition the service ran before
 * its newest deployment, as ECS recorded it (deployment-history.ts), with a forced new deployment. Never rolls back
 * a deployment that was itself a rollback, never without the history, never further back than
 * `maxRollbackRevisions`.
 */
export const ecsRollback: Mitigation<'ecs'> = {
  id: 'ecs-rollback',
  title: 'Roll back the ECS service to the task definition it ran before its newest deployment',
  uses: ['ecs'],
  protective: false,
  target: ecsTarget,

  async read(ctx: MitigationScope<'ecs'>, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    const current = parseTaskDefinition(service.taskDefinition ?? '');
    const previous = await previousRevision(ctx, target, service);
    return {
      taskDefinition: `${current.family}:${current.revision}`,
      deploymentStartedAt: previous.startedAt,
      previousTaskDefinition: previous.previous ?? null,
      history: previous.source,
      refusal: previous.refusal ?? null,
    };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const { rollbackWindowMinutes, maxRollbackRevisions } = ctx.config.automation;
    if (before.deploymentStartedAt === null)
      return { act: false, reason: before.refusal === null ? 'the service has no recent deployment' : String(before.refusal) };
    const ageMinutes = (ctx.now().getTime() - Date.parse(String(before.deploymentStartedAt))) / 60_000;
    if (ageMinutes > rollbackWindowMinutes) {
      return { act: false, reason: `newest deployment started ${Math.round(ageMinutes)} min ago, outside the ${rollbackWindowMinutes}-minute rollback window` };
    }
    if (before.refusal !== null) return { act: false, reason: String(before.refusal) };
    const current = parseTaskDefinition(String(before.taskDefinition));
    const previous = parseTaskDefinition(String(before.previousTaskDefinition));
    if (previous.family === current.family && current.revision - previous.revision > maxRollbackRevisions) {
      return {
        act: false,
        reason: `the service ran ${String(before.previousTaskDefinition)} before ${String(before.taskDefinition)}, more than maxRollbackRevisions (${maxRollbackRevisions}) back`,
      };
    }
    return {
      act: true,
      desired: { taskDefinition: String(before.previousTaskDefinition) },
      reason: `deployment of ${String(before.taskDefinition)} started ${Math.round(ageMinutes)} min ago; roll back to ${String(before.previousTaskDefinition)}, which ran before it (${String(before.history)})`,
    };
  },

  async apply(ctx: MitigationScope<'ecs'>, target: Target, desired: State): Promise<void> {
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: String(desired.taskDefinition), forceNewDeployment: true }));
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const from = String(record.before?.taskDefinition);
    const to = String(record.after?.taskDefinition);
    if (current.taskDefinition === from)
      return { act: false, reason: `the service already runs ${from} again, redeployed after the rollback to ${to}; nothing to revert` };
    if (current.taskDefinition !== to)
      return { act: false, reason: `the service now runs ${String(current.taskDefinition)}, deployed after the rollback to ${to}; not reverting` };
    return { act: true, desired: { taskDefinition: from }, reason: `redeploy ${from}, the revision the rollback replaced with ${to}` };
  },
};
