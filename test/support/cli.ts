import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { runCli } from '../../lib/cli/program';
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
 * bin/oncall.ts bundled with esbuild's API, once per test process: through the shim every command spends about
 * 1.4 s of CPU compiling and resolving some 800 modules with tsx, the bundle 0.6 s. test/cli/entry.test.ts proves
 * the shim runs the same program.
 */
function cliBundle(): string {
  if (bundled !== undefined) return bundled;
  const dir = mkdtempSync(join(tmpdir(), 'oncall-bundle-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, 'oncall.js');
  buildSync({ entryPoints: [join(ROOT, 'bin', 'oncall.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return (bundled = outfile);
}

/** The environment `oncall` runs in against an endpoint: the standard AWS variables, throwaway credentials. */
export function awsEnv(endpoint: string): Record<string, string> {
  return { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
}

let inProcess: { endpoint: string; running: number } | undefined;

/**
 * Runs `oncall <args>` against the moto endpoint through the standard AWS_ENDPOINT_URL variable, with throwaway
 * credentials, and returns its exit code and output.
 *
 * In this process: the program `npx oncall` runs (`runCli`), its output captured. A subprocess costs a second of
 * CPU per command and the CLI tests run over a hundred; test/cli/entry.test.ts proves the binary answers as
 * `runCli` does, test/cli/automation-drill.test.ts follows a drill in the binary.
 */
export async function oncall(moto: Pick<Moto, 'endpoint'> | { endpoint: string }, args: readonly string[]): Promise<CliRun> {
  // The SDK reads the endpoint and credentials from process.env: calls in flight together must agree on them.
  if (inProcess && inProcess.endpoint !== moto.endpoint) throw new Error(`oncall against ${moto.endpoint} while a call against ${inProcess.endpoint} runs`);
  inProcess = { endpoint: moto.endpoint, running: (inProcess?.running ?? 0) + 1 };
  Object.assign(process.env, awsEnv(moto.endpoint));
  let stdout = '';
  let stderr = '';
  try {
    const status = await runCli(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
    return { status, stdout, stderr };
  } finally {
    inProcess.running -= 1;
    if (inProcess.running === 0) inProcess = undefined;
  }
}

/** `oncall` for commands that reach no AWS endpoint (test-alerts, --help): synchronous, in a clean environment. */
export function oncallOffline(args: readonly string[], options: { entry?: 'bundle' | 'shim'; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const entry = options.entry === 'shim' ? ONCALL_SHIM : cliBundle();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
