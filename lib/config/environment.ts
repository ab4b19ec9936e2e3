import { ENVIRONMENTS } from '../../config';
import { ConfigError } from '../errors';
import { parseConfig } from './load';
import type { Config } from './schema';

/** The validated config of a named environment (`-c env=<name>`). */
export function loadEnvironment(name: string): Config {
  const raw = ENVIRONMENTS[name];
  if (raw === undefined) {
    throw new ConfigError(name, [
      { field: 'env', message: `unknown environment; known: ${Object.keys(ENVIRONMENTS).join(', ')} (add one in config/index.ts)`, received: JSON.stringify(name) },
    ]);
  }
  return parseConfig(name, raw);
}
