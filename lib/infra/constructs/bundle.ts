import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { CONFIG_DEFINE } from '../../../lambdas/responder/env';
import type { Config } from '../../core/config/schema';

const LAMBDAS = path.join(__dirname, '..', '..', 'lambdas');
let root: string | undefined;
const built = new Map<string, string>();

/**
 * Bundles a Lambda entry (under lambdas/) with esbuild's API, in this process, once per entry and config: the
 * five escalation functions share one bundle, and a process that synthesizes many apps (the tests, the
 * benchmarks) bundles each entry once. CDK's NodejsFunction runs the esbuild binary through npx for every
 * function (about 1.4 s each here), which made synth slower than the alarms it builds.
 *
 * Node.js 24, CommonJS, minified with a source map, the AWS SDK left to the runtime (see the bundling benchmark
 * in docs/mitigations.md), the validated config compiled in.
 * @returns the directory holding `index.js` and `index.js.map`, for `Code.fromAsset`
 */
export function bundle(entry: string, config: Config): string {
  const define = JSON.stringify(JSON.stringify(config));
  const key = createHash('sha256').update(entry).update('\0').update(define).digest('hex').slice(0, 20);
  const existing = built.get(key);
  if (existing) return existing;
  if (root === undefined) {
    root = mkdtempSync(path.join(tmpdir(), 'alerting-bundles-'));
    // CDK copies each bundle into the cloud assembly when the function is defined: the originals can go with the process.
    const dir = root;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const dir = path.join(root, key);
  buildSync({
    entryPoints: [path.join(LAMBDAS, entry)],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    define: { [CONFIG_DEFINE]: define },
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  built.set(key, dir);
  return dir;
}
