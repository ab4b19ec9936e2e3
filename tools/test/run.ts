import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MOTO_POOL_ENV, type MotoPool } from '../drill/moto-pool';
import { startMoto } from '../drill/moto';
import { SYNTH_CACHE_ENV } from './synth-cache';

/**
 * `npm test`: Node's test runner over every test file (or the files and folders given), one more file at a time than
 * there are cores, with a pool of moto servers the files take turns on (tools/drill/moto-pool.ts). A file spends
 * part of its time waiting on moto (its own process) or cfn-lint, so one file more than the cores keeps them busy
 * (docs/testing.md#speed). `TEST_CONCURRENCY=N` overrides it. Files share the run's synthesized templates
 * (test/support/synthesized.ts). A file run on its own
 * (`node --import tsx --test test/x.test.ts`) starts its own moto.
 */
const ROOT = join(__dirname, '..', '..');

/**
 * The longest files (measured: each 15 to 25 s of a run), started first so that the run does not end on one of them
 * with a core idle (longest-processing-time-first). A file missing here only loses its head start.
 */
const LONGEST_FIRST = [
  'test/stack/synth-cli.test.ts',
  'test/stack/lint.test.ts',
  'test/demo.test.ts',
  'test/responder/tree-windows.test.ts',
  'test/responder/faults.test.ts',
];

function testFiles(paths: readonly string[]): string[] {
  const walk = (path: string): string[] =>
    statSync(path).isDirectory() ? readdirSync(path).flatMap((entry) => walk(join(path, entry))) : path.endsWith('.test.ts') ? [path] : [];
  const rank = (file: string) => (LONGEST_FIRST.includes(file) ? LONGEST_FIRST.indexOf(file) : LONGEST_FIRST.length);
  return paths
    .flatMap((p) => walk(join(ROOT, p)))
    .map((p) => relative(ROOT, p))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = testFiles(args.length > 0 ? args : ['test']);
  const concurrency = Number(process.env.TEST_CONCURRENCY ?? availableParallelism() + 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`TEST_CONCURRENCY must be a positive integer, got ${process.env.TEST_CONCURRENCY}`);
  // One server per file that may run at once, and one for a file that holds two harnesses at a time.
  const servers = await Promise.all(Array.from({ length: concurrency + 1 }, () => startMoto()));
  const lockDir = mkdtempSync(join(tmpdir(), 'alerting-moto-pool-'));
  const pool: MotoPool = { endpoints: servers.map((s) => s.endpoint), lockDir };
  // Templates synthesized once for the run and read by every file that runs them (test/support/synthesized.ts).
  const synthCache = mkdtempSync(join(tmpdir(), 'alerting-synth-'));
  try {
    // A test that waits for an event that never comes fails by its name after TEST_TIMEOUT_MS instead of holding CI.
    const timeout = `--test-timeout=${Number(process.env.TEST_TIMEOUT_MS ?? 300_000)}`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, timeout, '--test-reporter=spec', ...files], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, [MOTO_POOL_ENV]: JSON.stringify(pool), [SYNTH_CACHE_ENV]: synthCache },
    });
    const stop = () => child.kill('SIGINT');
    process.once('SIGINT', stop).once('SIGTERM', stop);
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of [lockDir, synthCache]) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
