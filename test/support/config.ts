import { ENVIRONMENTS } from '../../config';
import { fleetConfig as generatedFleet } from '../../lib/core/config/fleet';
import { parseConfig } from '../../lib/core/config/load';
import type { Config, ConfigInput } from '../../lib/core/config/schema';

/** The default environment's raw config, for tests that derive variants from it. */
export const DEFAULT_INPUT: ConfigInput = ENVIRONMENTS.default!;

/** The default environment with `overrides`, parsed as synth parses it. No CDK: runtime tests load this, not ./synth. */
export function config(overrides: Partial<ConfigInput> = {}): Config {
  return parseConfig('test', { ...DEFAULT_INPUT, ...overrides });
}

/**
 * The default environment with a generated fleet of `count` services (lib/core/config/fleet.ts). Fleets scope IAM
 * by tag unless told otherwise: the roles listing every target by ARN fit only 80 such services (quota guard).
 */
export function fleetConfig(count: number, targetScope: 'resources' | 'tags' = 'tags'): Config {
  return generatedFleet({ ...DEFAULT_INPUT, automation: { ...DEFAULT_INPUT.automation, targetScope } }, count);
}

/**
 * The default environment's API service in the home region only (without its us-west-2 names): what tests derive
 * other services from, so that a variant does not bring a second region along unless it says so.
 */
export const HOME_SERVICE: ConfigInput['services'][number] = (({ regions, regional, ...service }) => service)(DEFAULT_INPUT.services[0]!);
