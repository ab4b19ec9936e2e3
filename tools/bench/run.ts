/**
 * `npm run bench [-- --quick]`: runs every benchmark, prints one table and writes tools/bench/results.json with the
 * machine, the date and the figures (a quick run, as CI makes to keep the benchmarks running, writes the
 * git-ignored tools/bench/results.quick.json instead: the committed file holds the figures docs/performance.md quotes).
 * Figures are side by side within one run; compare ratios, not absolute times across machines.
 */
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTable } from '../../lib/cli/report/table';
import type { BenchRow } from './bench-row';
import { run as evaluator } from './evaluator.bench';
import { run as cost } from './cost.bench';
import { run as escalation } from './escalation.bench';
import { run as responder } from './responder.bench';
import { run as storm } from './storm.bench';
import { run as synth } from './synth.bench';

const BENCHES: readonly [string, (opts: { quick: boolean }) => Promise<readonly BenchRow[]>][] = [
  ['synth', synth],
  ['responder', responder],
  ['storm', storm],
  ['escalation', escalation],
  ['cost', cost],
  ['evaluator', evaluator],
];

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const started = Date.now();
  const rows: (BenchRow & { bench: string })[] = [];
  for (const [bench, run] of BENCHES) {
    process.stderr.write(`bench: ${bench}...\n`);
    rows.push(...(await run({ quick })).map((row) => ({ ...row, bench })));
  }
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const results = { date: new Date().toISOString(), quick, seconds: Math.round((Date.now() - started) / 1000), machine, rows };
  const file = quick ? 'results.quick.json' : 'results.json';
  writeFileSync(join(__dirname, file), `${JSON.stringify(results, undefined, 2)}\n`);
  console.log(`Machine: ${machine.cpus} x ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}${quick ? ' (quick mode)' : ''}\n`);
  console.log(
    renderTable(
      ['BENCHMARK', 'VALUE', 'UNIT', 'NOTE'],
      rows.map((r) => [r.name, r.value.toLocaleString('en-US'), r.unit, r.note ?? '']),
    ),
  );
  console.log(`\nWritten to tools/bench/${file} in ${results.seconds} s.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
