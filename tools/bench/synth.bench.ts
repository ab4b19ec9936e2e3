/**
 * Synth at scale: the default config and generated fleets of 10, 100, 300 and 1,000 services. For each size: wall time,
 * peak memory, number of stacks and the largest template (resources, bytes); side by side, in the same run, the
 * same alarms built with cdk-monitoring-constructs (the peer, tools/bench/synth-peer.ts). The figure is the ratio of
 * synth times, peer / ours (> 1: ours is faster). Target: faster than the peer at 100 services.
 *
 * Three variants, each synth in a fresh `node` process (tools/bench/synth-worker.ts), interleaved run by run in a
 * rotating order, medians taken:
 * - ours: the product as `cdk synth` builds it (`buildApp`): the core stack with its Lambda functions (bundled by esbuild),
 *   state machines, audit table and dashboard, and the sharded alarm stacks;
 * - peer: the same alarms with cdk-monitoring-constructs, in the same sharded stacks (our `planStacks`: the peer
 *   has no sharding of its own), notifying the same topics; no functions, no dashboard;
 * - ours, alarms only: our alarm factory in exactly the peer's scaffold: the like-for-like comparison.
 * CDK's builtin template validation and cdk-nag are off for all three. Wall time is from the process start to the
 * templates written (node and tsx start, imports, construction, synth), the way a `cdk synth` app runs.
 *
 * Before the times count, the first run of each size checks that the three variants synthesized the same alarms:
 * the number of CloudWatch alarms equals the specs' (in the worker), and every alarm, composite and metric filter is
 * the same in a canonical form (names, descriptions, metrics, thresholds, periods, evaluation, missing data,
 * actions, tags).
 *
 *   node --import tsx tools/bench/synth.bench.ts [--quick]
 * quick: 1 run of each variant at default, 10 and 100 services; full: 3 runs each at default, 10, 100, 300 and 1,000.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, type BenchRow, runStandalone } from './bench-row';
import type { Variant, WorkerResult } from './synth-worker';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(__dirname, 'synth-worker.ts');
const VARIANTS: readonly Variant[] = ['ours', 'peer', 'ours-alarms'];
const LABEL: Record<Variant, string> = {
  ours: 'ours (buildApp, the product)',
  peer: 'peer (cdk-monitoring-constructs)',
  'ours-alarms': 'ours, alarms only (like for like)',
};

function peerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'cdk-monitoring-constructs', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function synthOnce(variant: Variant, size: string, dumpFile: string | undefined): WorkerResult {
  const args = ['--import', 'tsx', WORKER, variant, size, ...(dumpFile ? ['--dump', dumpFile] : [])];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_VALIDATION: 'false' } });
  if (run.status !== 0) throw new Error(`synth worker ${variant} ${size} failed (${run.status ?? run.signal}):\n${run.stderr}\n${run.stdout}`);
  const last = run.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as WorkerResult;
}

type Dump = Record<'alarms' | 'composites' | 'filters', Record<string, unknown>>;

/** Every alarm, composite and filter of `b` equals the one of the same name in `a`; returns the differences. */
function differences(a: Dump, b: Dump): string[] {
  const out: string[] = [];
  for (const kind of ['alarms', 'composites', 'filters'] as const) {
    for (const name of new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])])) {
      const x = JSON.stringify(a[kind][name]);
      const y = JSON.stringify(b[kind][name]);
      if (x !== y) out.push(`${kind} ${name}:\n    ${x}\n    ${y}`);
    }
  }
  return out;
}

const wallOf = (r: WorkerResult) => r.startMs + r.buildMs + r.synthMs;
const kib = (bytes: number) => Math.round(bytes / 1024);
const sizeName = (size: string) => (size === 'default' ? 'default config' : `${size} services`);

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const sizes = opts.quick ? ['default', '10', '100'] : ['default', '10', '100', '300', '1000'];
  const runs = opts.quick ? 1 : 3;
  const results = new Map<string, WorkerResult[]>();
  const key = (variant: Variant, size: string) => `${variant}/${size}`;
  const dumps = mkdtempSync(join(tmpdir(), 'synth-bench-dumps-'));
  try {
    for (let r = 0; r < runs; r++) {
      for (const size of sizes) {
        // Rotate the order each run so that no variant always goes first (or always follows the slowest).
        const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]!);
        for (const variant of order) {
          process.stderr.write(`synth bench: run ${r + 1}/${runs}, ${sizeName(size)}, ${variant}...\n`);
          const dump = r === 0 ? join(dumps, `${variant}-${size}.json`) : undefined;
          const result = synthOnce(variant, size, dump);
          results.set(key(variant, size), [...(results.get(key(variant, size)) ?? []), result]);
        }
        if (r === 0) {
          const read = (variant: Variant) => JSON.parse(readFileSync(join(dumps, `${variant}-${size}.json`), 'utf8')) as Dump;
          const ours = read('ours');
          for (const other of ['peer', 'ours-alarms'] as const) {
            const diff = differences(ours, read(other));
            if (diff.length > 0)
              throw new Error(
                `${sizeName(size)}: ${other} does not synthesize the same alarms as ours (${diff.length} differ):\n  ${diff.slice(0, 5).join('\n  ')}`,
              );
          }
        }
      }
    }
  } finally {
    rmSync(dumps, { recursive: true, force: true });
  }

  const version = peerVersion();
  const rows: BenchRow[] = [];
  for (const size of sizes) {
    const name = sizeName(size);
    const of = (variant: Variant) => results.get(key(variant, size))!;
    const med = (variant: Variant, f: (r: WorkerResult) => number) => median(of(variant).map(f));
    const wall = (variant: Variant) => med(variant, wallOf);
    const inProcess = (variant: Variant) => med(variant, (r) => r.buildMs + r.synthMs);
    const first = (variant: Variant) => of(variant)[0]!;
    const n = `median of ${runs}`;
    const alarms = first('ours').cloudWatchAlarms;

    for (const variant of VARIANTS) {
      rows.push({
        name: `synth ${name}: wall time, ${LABEL[variant]}`,
        value: Math.round(wall(variant)),
        unit: 'ms',
        note: `${n}; start+imports ${Math.round(med(variant, (r) => r.startMs))} ms, construct ${Math.round(med(variant, (r) => r.buildMs))} ms, synth ${Math.round(med(variant, (r) => r.synthMs))} ms; peak ${Math.round(med(variant, (r) => r.maxRssMiB))} MiB`,
      });
    }
    const ratio = wall('peer') / wall('ours');
    const like = wall('peer') / wall('ours-alarms');
    const target = size === '100' ? `; target (faster than the peer at 100 services): ${ratio > 1 ? 'met' : 'NOT met'}` : '';
    rows.push({
      name: `synth ${name}: ratio peer / ours (wall)`,
      value: Number(ratio.toFixed(2)),
      unit: 'x',
      note: `> 1: ours is faster; ours also builds its core stack (${first('ours').lambdaFunctions} Lambda functions, their code bundled by esbuild during synth, state machines, audit table, ${first('ours').dashboards} dashboard), the peer only alarms and topics (${first('peer').dashboards} dashboards): the core stack costs ours ${Math.round(wall('ours') - wall('ours-alarms'))} ms over the alarms-only build; construct+synth only: ${(inProcess('peer') / inProcess('ours')).toFixed(2)}x${target}`,
    });
    rows.push({
      name: `synth ${name}: ratio peer / ours alarms only (wall, like for like)`,
      value: Number(like.toFixed(2)),
      unit: 'x',
      note: `same scaffold, same ${alarms.toLocaleString('en-US')} alarms; construct+synth only: ${(inProcess('peer') / inProcess('ours-alarms')).toFixed(2)}x`,
    });
    rows.push({
      name: `synth ${name}: peak memory, ours`,
      value: Math.round(med('ours', (r) => r.maxRssMiB)),
      unit: 'MiB',
      note: `max RSS of the synth process; peer ${Math.round(med('peer', (r) => r.maxRssMiB))} MiB, ours alarms only ${Math.round(med('ours-alarms', (r) => r.maxRssMiB))} MiB`,
    });
    rows.push({
      name: `synth ${name}: peak memory, peer`,
      value: Math.round(med('peer', (r) => r.maxRssMiB)),
      unit: 'MiB',
      note: `cdk-monitoring-constructs ${version}`,
    });
    const o = first('ours');
    const p = first('peer');
    rows.push({
      name: `synth ${name}: stacks`,
      value: o.stacks,
      unit: 'stacks',
      note: `${alarms.toLocaleString('en-US')} CloudWatch alarms (checked equal to the specs in all three), ${o.metricFilters} metric filters; ${o.totalResources.toLocaleString('en-US')} resources in all; the peer in the same ${p.stacks} stacks (planStacks)`,
    });
    rows.push({
      name: `synth ${name}: largest template, resources`,
      value: o.largest.resources,
      unit: 'resources',
      note: `${o.largest.name} (limit 500); most in any stack ${o.maxResources}; peer ${p.largest.resources} in ${p.largest.name}, most ${p.maxResources}`,
    });
    rows.push({
      name: `synth ${name}: largest template, size`,
      value: kib(o.largest.bytes),
      unit: 'KiB',
      note: `${o.largest.name} (limit 1,000,000 bytes: ${o.largest.bytes.toLocaleString('en-US')}); peer ${kib(p.largest.bytes)} KiB in ${p.largest.name}`,
    });
  }
  return rows;
}

if (require.main === module) runStandalone(run);
