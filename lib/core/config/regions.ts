import type { Config, ServiceConfig } from './schema';

/** The environment's serving regions: PartialRegionOutage watches them, and services run in them. */
export function configuredRegions(config: Config): readonly string[] {
  return config.regions ?? [config.region];
}

/** The regions a service runs in. */
export function serviceRegions(config: Config, service: ServiceConfig): readonly string[] {
  return service.regions ?? [config.region];
}

/** The account a service runs in when it is not the environment's; undefined when it is. */
function otherAccount(config: Config, service: ServiceConfig): string | undefined {
  return service.account !== undefined && service.account !== config.account ? service.account : undefined;
}

/** Whether a service runs in the home region of the environment's own account (its alarms are in the home stacks). */
export function runsAtHome(config: Config, service: ServiceConfig): boolean {
  return otherAccount(config, service) === undefined && serviceRegions(config, service).includes(config.region);
}

/** A region, of the environment's account or of another one, other than the home region, and the services there. */
export interface RegionalServices {
  readonly region: string;
  /** Set when it is another account than the environment's. */
  readonly account?: string;
  readonly services: readonly ServiceConfig[];
}

/**
 * Where services run outside the home region of the environment's account: the environment's account first, then
 * every other account in the order services name them; within one, regions in the order of `regions`, each with
 * its services in config order. The home region is left out: its alarms live in the home stacks.
 */
export function regionalServices(config: Config): RegionalServices[] {
  const accounts = [undefined, ...new Set(config.services.map((s) => otherAccount(config, s)).filter((a) => a !== undefined))];
  return accounts.flatMap((account) =>
    configuredRegions(config)
      .filter((region) => account !== undefined || region !== config.region)
      .map((region) => ({
        region,
        ...(account !== undefined ? { account } : {}),
        services: config.services.filter((service) => otherAccount(config, service) === account && serviceRegions(config, service).includes(region)),
      }))
      .filter(({ services }) => services.length > 0),
  );
}

/** Accounts other than the environment's that services run in: each may forward to the home event bus. */
export function forwardingAccounts(config: Config): string[] {
  return [...new Set(regionalServices(config).flatMap((r) => (r.account !== undefined ? [r.account] : [])))];
}

/** A service as it is named in `region` (its `regional` entry applied); as configured where it has none. */
export function serviceIn(service: ServiceConfig, region: string): ServiceConfig {
  const local = service.regional?.[region];
  if (!local) return service;
  return {
    ...service,
    ecs: local.ecs ?? service.ecs,
    api: local.api ?? service.api,
    ...(service.rds && local.rds ? { rds: { ...service.rds, instanceId: local.rds.instanceId } } : {}),
  };
}

/**
 * The environment as one region outside the home one sees it: only `services` (those running there, of `account`
 * when set, else of the environment's), each named as it is there. What a regional stack's alarms and responder are
 * built from.
 */
export function configIn(config: Config, { region, services }: Pick<RegionalServices, 'region' | 'services'>): Config {
  return { ...config, services: services.map((service) => serviceIn(service, region)) };
}
