/** One row of the benchmark table (`npm run bench`). */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

/** Median of a sample. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs one benchmark file on its own (`node --import tsx tools/bench/<name>.bench.ts [--quick]`), printing its rows. */
export function runStandalone(run: (opts: { quick: boolean }) => Promise<readonly BenchRow[]>): void {
  run({ quick: process.argv.includes('--quick') }).then(
    (rows) => rows.forEach((r) => console.log(`${r.name}: ${r.value.toLocaleString('en-US')} ${r.unit}${r.note ? ` (${r.note})` : ''}`)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
