import { GetDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ActionRecord } from '../../shared/storage/audit-log';
import { previousRevision } from './deployment-history';
import type { Decision, Mitigation, MitigationScope, State, Target } from './mitigation';
import { describeService, ecsTarget, parseTaskDefinition, splitTarget } from './ecs-service';

/**
 * CodeDeploy deployment statuses of a deployment not yet finished (DeploymentInfo.status, CodeDeploy API reference:
 * https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html). The others (Succeeded,
 * Failed, Stopped) are final: nothing left to stop.
 */
const IN_FLIGHT = new Set(['Created', 'Queued', 'InProgress', 'Baking', 'Ready']);

/**
 * "If recent deployment (within 30 minutes): rollback immediately", by the service's deployment controller
 * (`deploymentController.type`, ECS when absent):
 *
 * - ECS (rolling update): to the task definition the service ran before its newest deployment, as ECS recorded it
 *   (deployment-history.ts), with a forced new deployment. Never rolls back a deployment that was itself a rollback,
 *   never without the history, never further back than `maxRollbackRevisions`.
 * - CODE_DEPLOY (blue/green): ECS refuses UpdateService with a task definition; the rollback is CodeDeploy's. A
 *   deployment in flight, started within the rollback window, is stopped with automatic rollback, which returns
 *   traffic to the original task set; with none in flight there is nothing here to roll back.
 * - EXTERNAL: ECS refuses UpdateService with a task definition and the deployer is unknown: always refused.
 */
export const ecsRollback: Mitigation<'ecs' | 'codedeploy'> = {
  id: 'ecs-rollback',
  title: 'Roll back the ECS service to the task definition it ran before its newest deployment',
  uses: ['ecs', 'codedeploy'],
  protective: false,
  target: ecsTarget,

  async read(ctx: MitigationScope<'ecs' | 'codedeploy'>, target: Target): Promise<State> {
    const service = await describeService(ctx, target);
    const deploymentController = service.deploymentController?.type ?? 'ECS';
    if (deploymentController === 'CODE_DEPLOY') return { deploymentController, ...(await codeDeployDeployment(ctx, service)) };
    // An EXTERNAL service has no task definition of its own: its task sets have (ECS API reference, Service.taskDefinition).
    if (deploymentController !== 'ECS') return { deploymentController, taskDefinition: service.taskDefinition ? short(service.taskDefinition) : null };
    const current = parseTaskDefinition(service.taskDefinition ?? '');
    const previous = await previousRevision(ctx, target, service);
    return {
      deploymentController,
      taskDefinition: `${current.family}:${current.revision}`,
      deploymentStartedAt: previous.startedAt,
      previousTaskDefinition: previous.previous ?? null,
      history: previous.source,
      refusal: previous.refusal ?? null,
    };
  },

  decide(ctx: MitigationScope, before: State): Decision {
    if (before.deploymentController === 'CODE_DEPLOY') return decideCodeDeploy(ctx, before);
    // EXTERNAL, or a controller ECS adds later: never an UpdateService it would refuse.
    if (before.deploymentController !== 'ECS')
      return {
        act: false,
        reason: `the service is deployed by an external controller (deploymentController ${String(before.deploymentController)}): ECS refuses UpdateService with a task definition for it; roll back through the tool that deploys it`,
      };
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

  async apply(ctx: MitigationScope<'ecs' | 'codedeploy'>, target: Target, desired: State): Promise<void> {
    if (typeof desired.stopDeployment === 'string') {
      // StopDeployment with autoRollbackEnabled: "instances that have been updated should be rolled back to the previous
      // version of the application revision"; for ECS, traffic returns to the original task set
      // (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_StopDeployment.html,
      // https://docs.aws.amazon.com/codedeploy/latest/userguide/deployments-stop.html).
      await ctx.clients.codedeploy.send(new StopDeploymentCommand({ deploymentId: desired.stopDeployment, autoRollbackEnabled: true }));
      return;
    }
    const [cluster, service] = splitTarget(target);
    await ctx.clients.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: String(desired.taskDefinition), forceNewDeployment: true }));
  },

  revertDecision(_ctx: MitigationScope, current: State, record: ActionRecord): Decision {
    if (typeof record.desired?.stopDeployment === 'string')
      return {
        act: false,
        reason: `the rollback stopped CodeDeploy deployment ${record.desired.stopDeployment}, and a stopped deployment cannot be resumed: redeploy that revision through CodeDeploy`,
      };
    const from = String(record.before?.taskDefinition);
    const to = String(record.after?.taskDefinition);
    if (current.taskDefinition === from)
      return { act: false, reason: `the service already runs ${from} again, redeployed after the rollback to ${to}; nothing to revert` };
    if (current.taskDefinition !== to)
      return { act: false, reason: `the service now runs ${String(current.taskDefinition)}, deployed after the rollback to ${to}; not reverting` };
    return { act: true, desired: { taskDefinition: from }, reason: `redeploy ${from}, the revision the rollback replaced with ${to}` };
  },
};

/**
 * The CodeDeploy deployment in flight on a blue/green service, if any. ECS creates one task set per CodeDeploy
 * deployment, whose `externalId` "contains the CodeDeploy deployment ID" (ECS API reference, TaskSet.externalId:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html); DescribeServices lists them
 * (Service.taskSets). The newest task set is the newest deployment's; CodeDeploy's GetDeployment says whether it is
 * still in flight. A deployment that cannot be read is a refusal (fails closed), not an error.
 */
async function codeDeployDeployment(ctx: MitigationScope<'codedeploy'>, service: Service): Promise<State> {
  const taskDefinition = service.taskDefinition ? short(service.taskDefinition) : null;
  const newest = (service.taskSets ?? []).filter((t) => t.externalId).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  const none = { taskDefinition, codeDeployDeployment: null, codeDeployStatus: null, codeDeployStartedAt: null, refusal: null };
  if (!newest?.externalId) return none;
  const deploymentId = newest.externalId;
  try {
    const { deploymentInfo } = await ctx.clients.codedeploy.send(new GetDeploymentCommand({ deploymentId }));
    return {
      taskDefinition,
      codeDeployDeployment: deploymentId,
      codeDeployStatus: deploymentInfo?.status ?? null,
      codeDeployStartedAt: deploymentInfo?.createTime?.toISOString() ?? null,
      refusal: null,
    };
  } catch (error) {
    const message = String((error as Error).message).split('\n')[0];
    return {
      ...none,
      codeDeployDeployment: deploymentId,
      refusal: `CodeDeploy deployment ${deploymentId} unreadable (${(error as Error).name}: ${message}); not stopping it blind`,
    };
  }
}

/** The runbook's "recent deployment (within 30 minutes)" holds for blue/green too: an older one in flight is left to people. */
function decideCodeDeploy(ctx: MitigationScope, before: State): Decision {
  if (before.refusal !== null) return { act: false, reason: String(before.refusal) };
  const deployment = before.codeDeployDeployment;
  const status = String(before.codeDeployStatus);
  if (typeof deployment !== 'string' || !IN_FLIGHT.has(status)) {
    const newest = typeof deployment === 'string' ? ` (the newest, ${deployment}, is ${status})` : '';
    return {
      act: false,
      reason: `blue/green through CodeDeploy with no deployment in flight${newest}: nothing to roll back here; roll back by deploying the previous revision in CodeDeploy`,
    };
  }
  const window = ctx.config.automation.rollbackWindowMinutes;
  const ageMinutes = before.codeDeployStartedAt === null ? undefined : (ctx.now().getTime() - Date.parse(String(before.codeDeployStartedAt))) / 60_000;
  if (ageMinutes === undefined || ageMinutes > window) {
    const started = ageMinutes === undefined ? 'at an unknown time' : `${Math.round(ageMinutes)} min ago`;
    return { act: false, reason: `CodeDeploy deployment ${deployment} (${status}) started ${started}, outside the ${window}-minute rollback window` };
  }
  return {
    act: true,
    desired: { stopDeployment: deployment, autoRollbackEnabled: true },
    reason: `blue/green through CodeDeploy: deployment ${deployment} is ${status}, started ${Math.round(ageMinutes)} min ago; stop it with automatic rollback, so that CodeDeploy returns traffic to the original task set`,
  };
}

function short(taskDefinition: string): string {
  const { family, revision } = parseTaskDefinition(taskDefinition);
  return `${family}:${revision}`;
}
