import type { ConfigInput } from '../lib/core/config/schema';
import { config as defaultConfig } from './default';
import { config as multiAccount } from './multi-account';
import { config as staging } from './staging';

/** Environments selectable with `-c env=<name>`. Add a file per environment and list it here. */
export const ENVIRONMENTS: Readonly<Record<string, ConfigInput>> = {
  default: defaultConfig,
  staging,
  'multi-account': multiAccount,
};
