import {
  DescribeServicesCommand,
  type DescribeServiceDeploymentsCommandInput,
  type DescribeServiceRevisionsCommandInput,
  type ECSClient,
  type ListServiceDeploymentsCommandInput,
  type ServiceDeployment,
  type UpdateServiceCommandInput,
  type UpdateServiceCommandOutput,
} from '@aws-sdk/client-ecs';

/**
 * moto 5.2 implements no ECS service-deployment history (ListServiceDeployments, DescribeServiceDeployments,
 * DescribeServiceRevisions), and its DescribeServices shows no rollout in flight. In the drill's emulated world this
 * stand-in answers those three calls the way ECS would for rolling updates that complete at once: one service
 * deployment per UpdateService made through a client it wraps (source: the revision that ran, target: the new one),
 * status SUCCESSFUL, newest first. The world's story is seeded from moto on first use: the running revision N was
 * just deployed over N-1 (sample-world.ts), or revision 1 is the service's first deployment.
 * Shapes follow the ECS API reference (ServiceDeployment, ServiceRevision); behaviour beyond them is not emulated
 * (no circuit breaker, no ROLLBACK_* statuses): the rollback-history tests inject those with aws-sdk-client-mock.
 */

interface Revision {
  readonly arn: string;
  readonly taskDefinition: string;
}

interface Deployment {
  readonly arn: string;
  readonly createdAt: Date;
  readonly source: Revision | undefined;
  readonly target: Revision;
}

/** Deployments by `cluster/service`, oldest first. */
type History = Map<string, Deployment[]>;

const histories = new WeakMap<object, History>();
const wrapped = new WeakSet<ECSClient>();

/**
 * Makes `ecs` answer the deployment-history calls from the history of `world` (any object that identifies one
 * emulated world). Idempotent per client.
 */
export function withDeploymentHistory(ecs: ECSClient, world: object, arn: { readonly region: string; readonly account: string }): ECSClient {
  if (wrapped.has(ecs)) return ecs;
  wrapped.add(ecs);
  if (!histories.has(world)) histories.set(world, new Map());
  const history = histories.get(world)!;
  const base = `arn:aws:ecs:${arn.region}:${arn.account}`;
  let sequence = 0;
  const revision = (cluster: string, service: string, taskDefinition: string): Revision => ({
    arn: `${base}:service-revision/${cluster}/${service}/${++sequence}${Date.now()}`,
    taskDefinition,
  });

  const deploymentsOf = async (cluster: string, service: string): Promise<Deployment[]> => {
    const key = `${cluster}/${service}`;
    const known = history.get(key);
    if (known) return known;
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const found = services?.[0];
    const running = found?.taskDefinition;
    if (!running) throw Object.assign(new Error(`Service not found: ${key}`), { name: 'ServiceNotFoundException' });
    const createdAt = found.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt ?? new Date();
    const n = Number(/:(\d+)$/.exec(running)?.[1]);
    const target = revision(cluster, service, running);
    const seeded: Deployment[] =
      n > 1
        ? [{ arn: `${base}:service-deployment/${key}/seed-${n}`, createdAt, source: revision(cluster, service, running.replace(/:\d+$/, `:${n - 1}`)), target }]
        : [{ arn: `${base}:service-deployment/${key}/seed-1`, createdAt, source: undefined, target }];
    history.set(key, seeded);
    return seeded;
  };

  const described = (d: Deployment): ServiceDeployment => ({
    serviceDeploymentArn: d.arn,
    createdAt: d.createdAt,
    startedAt: d.createdAt,
    finishedAt: d.createdAt,
    status: 'SUCCESSFUL',
    sourceServiceRevisions: d.source ? [{ arn: d.source.arn, runningTaskCount: 0 }] : [],
    targetServiceRevision: { arn: d.target.arn },
  });
  const all = () => [...history.values()].flat();
  const reply = (output: object) => ({ output: { ...output, $metadata: {} }, response: {} });

  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      switch ((context as { commandName?: string }).commandName) {
        case 'ListServiceDeploymentsCommand': {
          const { cluster = 'default', service, createdAt } = input as unknown as ListServiceDeploymentsCommandInput;
          const name = String(service).split('/').pop()!;
          const deployments = (await deploymentsOf(String(cluster).split('/').pop()!, name)).filter((d) => !createdAt?.after || d.createdAt >= createdAt.after);
          return reply({
            serviceDeployments: deployments
              .map(described)
              .reverse()
              .map(({ serviceDeploymentArn, createdAt: c, startedAt, status, targetServiceRevision }) => ({
                serviceDeploymentArn,
                createdAt: c,
                startedAt,
                status,
                targetServiceRevisionArn: targetServiceRevision?.arn,
              })),
          }) as never;
        }
        case 'DescribeServiceDeploymentsCommand': {
          const arns = (input as unknown as DescribeServiceDeploymentsCommandInput).serviceDeploymentArns ?? [];
          const found = all().filter((d) => arns.includes(d.arn));
          return reply({
            serviceDeployments: found.map(described),
            failures: arns.filter((a) => !found.some((d) => d.arn === a)).map((a) => ({ arn: a, reason: 'MISSING' })),
          }) as never;
        }
        case 'DescribeServiceRevisionsCommand': {
          const arns = (input as unknown as DescribeServiceRevisionsCommandInput).serviceRevisionArns ?? [];
          const revisions = all().flatMap((d) => (d.source ? [d.source, d.target] : [d.target]));
          const found = arns.flatMap((a) => revisions.filter((r) => r.arn === a).slice(0, 1));
          return reply({
            serviceRevisions: found.map((r) => ({ serviceRevisionArn: r.arn, taskDefinition: r.taskDefinition })),
            failures: arns.filter((a) => !found.some((r) => r.arn === a)).map((a) => ({ arn: a, reason: 'MISSING' })),
          }) as never;
        }
        case 'UpdateServiceCommand': {
          const { cluster = 'default', service, taskDefinition, forceNewDeployment } = input as unknown as UpdateServiceCommandInput;
          if (!taskDefinition && !forceNewDeployment) return next(args);
          const [c, s] = [String(cluster).split('/').pop()!, String(service).split('/').pop()!];
          const deployments = await deploymentsOf(c, s);
          const result = await next(args);
          const running = (result.output as UpdateServiceCommandOutput).service?.taskDefinition;
          if (running)
            deployments.push({
              arn: `${base}:service-deployment/${c}/${s}/${++sequence}${Date.now()}`,
              createdAt: new Date(),
              source: deployments[deployments.length - 1]!.target,
              target: revision(c, s, running),
            });
          return result;
        }
        default:
          return next(args);
      }
    },
    { step: 'initialize', name: 'drillDeploymentHistory' },
  );
  return ecs;
}
