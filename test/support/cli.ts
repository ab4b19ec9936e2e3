import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { Moto } from '../../tools/drill/moto';

const ROOT = join(__dirname, '..', '..');
/** What `npx oncall` runs: a shim that registers tsx, then bin/oncall.ts. */
export const ONCALL_SHIM = join(ROOT, 'bin', 'oncall.js');
let bundled: string | undefined;

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * bin/oncall.ts bundled with esbuild's API, once per test process. Through the shim every command spends about
 * 1.4 s of CPU compiling and resolving some 800 modules with tsx; the bundle starts in 0.6 s, and the CLI tests
 * spawn the CLI about a hundred times (docs/testing.md#speed). test/cli/entry.test.ts proves the shim runs the
 * same program.
 */
function cliBundle(): string {
  if (bundled !== undefined) return bundled;
  const dir = mkdtempSync(join(tmpdir(), 'oncall-bundle-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'oncall.js');
  buildSync({ entryPoints: [join(ROOT, 'bin', 'oncall.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return (bundled = outfile);
}

/**
 * Runs `oncall` as a subprocess, as on-call would (`npx oncall ...`), against the moto endpoint through the
 * standard AWS_ENDPOINT_URL variable, with throwaway credentials.
 * @param options.entry the shim instead of the bundle. @default the bundle
 */
export function oncall(
  moto: Pick<Moto, 'endpoint'> | { endpoint: string },
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { entry?: 'bundle' | 'shim' } = {},
): Promise<CliRun> {
  const entry = options.entry === 'shim' ? ONCALL_SHIM : cliBundle();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `oncall` for commands that reach no AWS endpoint (test-alerts, --help): synchronous, in a clean environment. */
export function oncallOffline(args: readonly string[], options: { entry?: 'bundle' | 'shim'; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const entry = options.entry === 'shim' ? ONCALL_SHIM : cliBundle();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
