import { ENVIRONMENTS } from '../../../config';
import { ConfigError } from '../errors';
import { parseConfig } from './load';
import type { Config, ConfigInput } from './schema';

/** The validated config of a named environment (`-c env=<name>`), with `overrides` (the drill's) on top. */
export function loadEnvironment(name: string, overrides: Partial<ConfigInput> = {}): Config {
  const raw = ENVIRONMENTS[name];
  if (raw === undefined) {
    throw new ConfigError(name, [
      {
        field: 'env',
        message: `unknown environment; known: ${Object.keys(ENVIRONMENTS).join(', ')} (add one in config/index.ts)`,
        received: JSON.stringify(name),
      },
    ]);
  }
  return parseConfig(name, { ...raw, ...overrides });
}
