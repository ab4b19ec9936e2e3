/**
 * The alert storm's fleet and world (tools/bench/storm.bench.ts): a config of N services built here with parseConfig
 * from the default environment, and the ECS services of all N in moto. Bench-local on purpose: it does not
 * import test/ (test/support/synth.ts pulls aws-cdk-lib's assertions in) and does not change the drill's
 * sample world, which only creates the model service.
 *
 * A few services are built so that a mitigation's precondition does not hold, so the expected number of actions
 * is not simply "every pair": every 10th service is already at its scale-out cap, and every 8th service (from the
 * 6th) has a single task-definition revision, so there is nothing to roll back to.
 */
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { AwsClients, ClientSettings } from '../../lambdas/shared/clients';
import { ENVIRONMENTS } from '../../config';
import { fleetServices } from '../../lib/core/config/fleet';
import { parseConfig } from '../../lib/core/config/load';
import { ecsMaxDesiredCount, modelService } from '../../lib/core/config/derived';
import type { Config, ConfigInput, ServiceConfig } from '../../lib/core/config/schema';
import { createSampleWorld, type SampleWorld } from '../drill/sample-world';

/** Desired count of every service before the storm (createSampleWorld's model service starts at 4 too). */
export const INITIAL_DESIRED_COUNT = 4;

/** What the world holds for one service before the storm, as the expectation reads it (not from the pipeline). */
export interface ServicePlan {
  readonly service: ServiceConfig;
  /** `ecs:<cluster>/<service>`: the target both ECS mitigations change. */
  readonly targetKey: string;
  /** Task-definition revisions registered; the newest one is deployed (just now, so inside the rollback window). */
  readonly revisions: 1 | 2;
  readonly cap: number;
  /** ecs-scale-out's precondition: below the cap. */
  readonly scaleOutApplies: boolean;
  /** ecs-rollback's preconditions: a recent deployment (every service was just created) and a previous revision. */
  readonly rollbackApplies: boolean;
}

const atCap = (i: number) => i % 10 === 9;
const singleRevision = (i: number) => i % 8 === 5;

/**
 * The default environment with a generated fleet of `count` services (lib/core/config/fleet.ts), every tenth one
 * already at its ECS cap.
 * The action window is raised to its maximum so that it does not cap the storm; the cooldown stays the default.
 */
export function stormConfig(count: number): Config {
  // Without the default environment's silencing windows (none today): a window in force would silence the storm.
  const { silencing: _windows, ...base } = ENVIRONMENTS.default! as ConfigInput & { silencing?: unknown };
  const services = fleetServices(count).map((service, i) =>
    atCap(i) ? { ...service, ecs: { ...service.ecs, maxDesiredCount: INITIAL_DESIRED_COUNT } } : service,
  );
  return parseConfig(`storm-${count}`, { ...base, services, automation: { ...base.automation, maxActionsPerWindow: 1000 } });
}

export function servicePlans(config: Config): ServicePlan[] {
  return config.services.map((service, i) => {
    const revisions = singleRevision(i) ? 1 : 2;
    const cap = ecsMaxDesiredCount(config, service);
    return {
      service,
      targetKey: `ecs:${service.ecs.cluster}/${service.ecs.service}`,
      revisions,
      cap,
      scaleOutApplies: INITIAL_DESIRED_COUNT < cap,
      rollbackApplies: revisions >= 2,
    };
  });
}

/** Runs `fn` on every item with at most `limit` in flight. */
export async function inPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The sample world (audit table, topics, dead-letter queue, SSM flags, automation switch, the model service and
 * its database, the LLM-dependency alarm), then the ECS service of every other service in the plan.
 */
export async function createStormWorld(clients: AwsClients, settings: ClientSettings, config: Config, plans: readonly ServicePlan[]): Promise<SampleWorld> {
  const model = modelService(config);
  const modelPlan = plans.find((p) => p.service.name === model.name)!;
  if (modelPlan.revisions !== 2 || !modelPlan.scaleOutApplies)
    throw new Error('the model service must have the sample world shape (two revisions, below its cap)');
  const world = await createSampleWorld(clients, settings, config, 'enabled');
  await inPool(
    plans.filter((p) => p.service.name !== model.name),
    8,
    async ({ service, revisions }) => {
      const { cluster, service: name } = service.ecs;
      await clients.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      for (let r = 1; r <= revisions; r++) {
        await clients.ecs.send(
          new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: [{ name: 'api', image: `${name}:1.${r}.0`, memory: 1024 }] }),
        );
      }
      await clients.ecs.send(
        new CreateServiceCommand({ cluster, serviceName: name, taskDefinition: `${name}:${revisions}`, desiredCount: INITIAL_DESIRED_COUNT }),
      );
    },
  );
  return world;
}
