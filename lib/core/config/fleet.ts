import { parseConfig } from './load';
import type { Config, ConfigInput } from './schema';

/** One generated service, as a config file would write it. */
export type FleetServiceInput = ConfigInput['services'][number];

/**
 * `count` generated services, each with its own ALB, ECS service (seven clusters shared round-robin, as a fleet
 * usually groups them) and database: `svc-000`, `svc-001`... Names are stable in the index, so a fleet of N+1 is
 * a fleet of N plus one service, as when a team adds one.
 */
export function fleetServices(count: number): FleetServiceInput[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`a fleet has a whole number of services, at least 1: got ${count}`);
  return Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    ecs: { cluster: `cluster-${i % 7}`, service: `svc-${i}` },
    rds: { instanceId: `db-${i}`, maxConnections: 400 },
    api: { kind: 'alb' as const, loadBalancer: `app/svc-${i}/${(0xabc000 + i).toString(16)}` },
  }));
}

/**
 * An environment's config with its services replaced by a generated fleet of `count`: what the scale tests, the
 * benchmarks and `npm run synth -- --fleet N` synthesize. Named `<env>-fleet-<count>` in errors.
 */
export function fleetConfig(base: ConfigInput, count: number, name = `fleet-${count}`): Config {
  return parseConfig(name, { ...base, services: fleetServices(count) });
}
