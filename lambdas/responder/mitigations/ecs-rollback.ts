import { paginateListTaskDefinitions, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ActionRecord } from '../../shared/audit-log';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';
import { describeService, ecsTarget, parseTaskDefinition, splitTarget } from './ecs-service';

/**
 * "If recent deployment (within 30 minutes): rollback immediately" to the previous task-definition revision,
 * with a forced new deployment. Never further back than `maxRollbackRevisions`.
 */
export const ecsRollback: Mitigation = {
  id: 'ecs-rollback',
  title: 'Roll back the ECS service to its previous task definition',
  protective: false,
  target: ecsTarget,

  async read(ctx: MitigationScope, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    const current = parseTaskDefinition(service.taskDefinition ?? '');
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    return {
      taskDefinition: `${current.family}:${current.revision}`,
      deploymentStartedAt: primary?.createdAt?.toISOString() ?? null,
      previousTaskDefinition: await previousRevision(ctx, current.family, current.revision),
    };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    const { rollbackWindowMinutes, maxRollbackRevisions } = ctx.config.automation;
    if (before.deploymentStartedAt === null) return { act: false, reason: 'the service has no primary deployment' };
    const ageMinutes = (ctx.now().getTime() - Date.parse(String(before.deploymentStartedAt))) / 60_000;
    if (ageMinutes > rollbackWindowMinutes) {
      return { act: false, reason: `newest deployment started ${Math.round(ageMinutes)} min ago, outside the ${rollbackWindowMinutes}-minute rollback window` };
    }
    if (before.previousTaskDefinition === null) {
      return { act: false, reason: `no ACTIVE revision of ${String(before.taskDefinition)} within ${maxRollbackRevisions} revisions back` };
    }
    return {
      act: true,
      desired: { taskDefinition: String(before.previousTaskDefinition) },
      reason: `deployment of ${String(before.taskDefinition)} started ${Math.round(ageMinutes)} min ago; roll back to ${String(before.previousTaskDefinition)}`,
    };
  },

  async apply(ctx: MitigationScope, target: Target, desired: State): Promise<void> {
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: String(desired.taskDefinition), forceNewDeployment: true }));
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    const from = String(record.before?.taskDefinition);
    const to = String(record.after?.taskDefinition);
    if (current.taskDefinition === from) return { act: false, reason: `the service already runs ${from} again, redeployed after the rollback to ${to}; nothing to revert` };
    if (current.taskDefinition !== to) return { act: false, reason: `the service now runs ${String(current.taskDefinition)}, deployed after the rollback to ${to}; not reverting` };
    return { act: true, desired: { taskDefinition: from }, reason: `redeploy ${from}, the revision the rollback replaced with ${to}` };
  },
};

/** Highest ACTIVE revision below the current one, no more than maxRollbackRevisions back. */
async function previousRevision(ctx: MitigationScope, family: string, current: number): Promise<string | null> {
  const floor = current - ctx.config.automation.maxRollbackRevisions;
  let best: number | undefined;
  for await (const page of paginateListTaskDefinitions({ client: ctx.clients.ecs }, { familyPrefix: family, status: 'ACTIVE' })) {
    for (const arn of page.taskDefinitionArns ?? []) {
      const { family: f, revision } = parseTaskDefinition(arn);
      if (f === family && revision < current && revision >= floor && (best === undefined || revision > best)) best = revision;
    }
  }
  return best === undefined ? null : `${family}:${best}`;
}
