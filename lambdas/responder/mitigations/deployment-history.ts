import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  type Service,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import type { MitigationScope, Target } from './mitigation';
import { parseTaskDefinition, splitTarget } from './ecs-service';

/**
 * What ran before the service's newest deployment, from ECS itself: the deployments list while a rollout is in
 * flight, the service-deployment history (ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions) after it. Either the task definition to return to, or why there is none.
 */
export type PreviousRevision =
  | { readonly previous: string; readonly startedAt: string; readonly source: 'deployments' | 'history'; readonly refusal?: undefined }
  | { readonly previous?: undefined; readonly startedAt: string | null; readonly source: 'deployments' | 'history'; readonly refusal: string };

/** How far back the history is listed, beyond the rollback window: deployments older than that cannot be rolled back. */
const HISTORY_MARGIN_MS = 5 * 60_000;

/**
 * Reads the revision the service ran before its newest deployment. Never throws for a history it cannot read:
 * that is a refusal ("fails closed"), recorded with the error, so a rollback is never taken blind.
 */
export async function previousRevision(ctx: MitigationScope<'ecs'>, target: Target, service: Service): Promise<PreviousRevision> {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const replaced = deployments.filter((d) => d.status === 'ACTIVE').sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  if (primary && replaced.length > 0) {
    // A rollout in flight: ECS still lists the deployment it is replacing (ACTIVE) beside the new one (PRIMARY).
    const startedAt = primary.createdAt?.toISOString() ?? null;
    const failed = replaced.find((d) => d.rolloutState === 'FAILED');
    if (failed)
      return {
        startedAt,
        source: 'deployments',
        refusal: `ECS is rolling back: deployment ${failed.id} of ${short(failed.taskDefinition)} FAILED (${failed.rolloutStateReason ?? 'no reason given'}); not rolling back a rollback`,
      };
    const from = short(replaced[0]!.taskDefinition);
    if (new Set(replaced.map((d) => short(d.taskDefinition))).size > 1) {
      return {
        startedAt,
        source: 'deployments',
        refusal: `the rollout in flight replaces ${replaced.length} deployments (${replaced.map((d) => short(d.taskDefinition)).join(', ')}); which one ran before is ambiguous`,
      };
    }
    const to = short(primary.taskDefinition);
    const rollback = isBackwards(from, to);
    if (rollback)
      return {
        startedAt,
        source: 'deployments',
        refusal: `the rollout in flight goes back from ${from} to ${to}: itself a rollback (${rollback}); not rolling it back`,
      };
    if (startedAt === null) return { startedAt, source: 'deployments', refusal: 'the primary deployment has no start time' };
    return { previous: from, startedAt, source: 'deployments' };
  }
  try {
    return await fromHistory(ctx, target, short(service.taskDefinition));
  } catch (error) {
    // The first line only: an SDK deserialization error (an endpoint without the API) carries a multi-line hint.
    const message = String((error as Error).message).split('\n')[0];
    return {
      startedAt: primary?.createdAt?.toISOString() ?? null,
      source: 'history',
      refusal: `deployment history unavailable (${(error as Error).name}: ${message}); not rolling back blind`,
    };
  }
}

async function fromHistory(ctx: MitigationScope<'ecs'>, target: Target, running: string): Promise<PreviousRevision> {
  const [cluster, service] = splitTarget(target);
  const after = new Date(ctx.now().getTime() - ctx.config.automation.rollbackWindowMinutes * 60_000 - HISTORY_MARGIN_MS);
  const briefs: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.ecs.send(new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after }, nextToken }));
    briefs.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const newest = briefs.sort((a, b) => time(b) - time(a))[0];
  if (!newest?.serviceDeploymentArn) return { startedAt: null, source: 'history', refusal: `no service deployment since ${after.toISOString()}` };

  const { serviceDeployments, failures } = await ctx.clients.ecs.send(
    new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [newest.serviceDeploymentArn] }),
  );
  const deployment = serviceDeployments?.[0];
  if (!deployment) throw new Error(`DescribeServiceDeployments: ${failures?.[0]?.reason ?? 'no such deployment'} for ${newest.serviceDeploymentArn}`);
  const startedAt = new Date(time(deployment)).toISOString();
  const status = deployment.status ?? 'unknown';
  if (status.startsWith('ROLLBACK_') || deployment.rollback) {
    return {
      startedAt,
      source: 'history',
      refusal: `the newest deployment was rolled back by ECS (${status}: ${deployment.rollback?.reason ?? deployment.statusReason ?? 'no reason given'}); not rolling back a rollback`,
    };
  }
  if (status !== 'SUCCESSFUL' && status !== 'IN_PROGRESS' && status !== 'PENDING') {
    return {
      startedAt,
      source: 'history',
      refusal: `the newest deployment is ${status} (${deployment.statusReason ?? 'no reason given'}); what runs is not what it deployed`,
    };
  }
  const sources = (deployment.sourceServiceRevisions ?? []).map((r) => r.arn).filter((a): a is string => a !== undefined);
  const targetArn = deployment.targetServiceRevision?.arn;
  if (sources.length === 0) return { startedAt, source: 'history', refusal: "no revision ran before the newest deployment (the service's first)" };
  if (!targetArn) throw new Error(`service deployment ${newest.serviceDeploymentArn} has no target revision`);

  const described = await ctx.clients.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [targetArn, ...sources] }));
  if (described.failures?.length)
    throw new Error(`DescribeServiceRevisions: ${described.failures.map((f) => `${f.reason ?? 'failed'} for ${f.arn ?? '?'}`).join(', ')}`);
  const taskDefinitionOf = new Map((described.serviceRevisions ?? []).map((r) => [r.serviceRevisionArn, short(r.taskDefinition)]));
  const to = taskDefinitionOf.get(targetArn);
  const from = [...new Set(sources.map((arn) => taskDefinitionOf.get(arn)))];
  if (to === undefined || from.includes(undefined)) throw new Error('DescribeServiceRevisions did not return every revision asked for');
  if (to !== running)
    return {
      startedAt,
      source: 'history',
      refusal: `the newest deployment targets ${to} but the service runs ${running}; the history does not describe what runs`,
    };
  if (from.length > 1) return { startedAt, source: 'history', refusal: `the newest deployment replaced ${from.join(', ')}; which one ran before is ambiguous` };
  const rollback = isBackwards(from[0]!, to);
  if (rollback)
    return {
      startedAt,
      source: 'history',
      refusal: `the newest deployment went back from ${from[0]} to ${to}: itself a rollback (${rollback}); not rolling it back`,
    };
  return { previous: from[0]!, startedAt, source: 'history' };
}

/**
 * A deployment to a lower revision of the same family is a rollback, whoever made it: a human, a pipeline, or
 * this stack (ecs-rollback deploys the revision that ran before, always a lower one).
 */
function isBackwards(from: string, to: string): string | undefined {
  const a = parseTaskDefinition(from);
  const b = parseTaskDefinition(to);
  return a.family === b.family && b.revision < a.revision ? `revision ${b.revision} after ${a.revision}: by a human, a pipeline or this stack` : undefined;
}

function short(taskDefinition: string | undefined): string {
  const { family, revision } = parseTaskDefinition(taskDefinition ?? '');
  return `${family}:${revision}`;
}

function time(d: { readonly startedAt?: Date | undefined; readonly createdAt?: Date | undefined }): number {
  return (d.startedAt ?? d.createdAt)?.getTime() ?? 0;
}
