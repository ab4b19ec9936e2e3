import type { Config, ServiceConfig } from './schema';

/** The environment's serving regions: PartialRegionOutage watches them, and services run in them. */
export function configuredRegions(config: Config): readonly string[] {
  return config.regions ?? [config.region];
}

/** The regions a service runs in. */
export function serviceRegions(config: Config, service: ServiceConfig): readonly string[] {
  return service.regions ?? [config.region];
}

/** A region other than the home one, and the services that run there. */
export interface RegionalServices {
  readonly region: string;
  readonly services: readonly ServiceConfig[];
}

/**
 * The regions outside the home region where some service runs, in the order of `regions`, each with its services
 * in config order. The home region is left out: its alarms live in the home stacks.
 */
export function regionalServices(config: Config): RegionalServices[] {
  return configuredRegions(config)
    .filter((region) => region !== config.region)
    .map((region) => ({ region, services: config.services.filter((service) => serviceRegions(config, service).includes(region)) }))
    .filter(({ services }) => services.length > 0);
}
