import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { MitigationScope, Target } from './mitigation';

/** The ECS service of the alarm's service, as configured. */
export function ecsTarget(ctx: MitigationScope): Target {
  const { cluster, service } = ctx.service.ecs;
  return { key: `ecs:${cluster}/${service}`, id: `${cluster}/${service}`, tagged: { service: 'ecs', resource: `service/${cluster}/${service}` } };
}

/** Describes the target service; a service that does not exist is an error, not a state. */
export async function describeService(ctx: MitigationScope<'ecs'>, target: Target): Promise<Service> {
  const [cluster, service] = splitTarget(target);
  const { services, failures } = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = services?.[0];
  if (!found) throw new Error(`ECS service ${target.id} not found: ${failures?.[0]?.reason ?? 'no such service'}`);
  return found;
}

export function splitTarget(target: Target): [cluster: string, service: string] {
  const slash = target.id.indexOf('/');
  return [target.id.slice(0, slash), target.id.slice(slash + 1)];
}

/** `arn:...:task-definition/family:3` or `family:3` -> `{ family, revision }`. */
export function parseTaskDefinition(value: string): { family: string; revision: number } {
  const match = /([A-Za-z0-9_-]+):(\d+)$/.exec(value);
  if (!match) throw new Error(`not a task definition revision: ${value}`);
  return { family: match[1]!, revision: Number(match[2]) };
}
