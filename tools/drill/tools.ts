import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Finds a Python tool (cfn-lint, moto_server) on PATH, then in the pyenv shims a bare environment lacks.
 * Throws with the install command, so a missing tool fails loudly instead of skipping the check.
 */
export function findTool(name: string, install: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(homedir(), '.pyenv', 'shims')];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(`${name} not found on PATH or in ~/.pyenv/shims; install it with: ${install}`);
}
