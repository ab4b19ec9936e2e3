import type { MetricSamples } from './aggregate';
import { InputError, readInputFile } from './errors';

/** Samples read from a CSV file, one series per value column. */
export interface CsvSeries {
  readonly columns: readonly string[];
  readonly series: ReadonlyMap<string, MetricSamples>;
  /** Earliest and latest timestamps (epoch ms). */
  readonly first: number;
  readonly last: number;
  readonly rows: number;
}

/**
 * Reads `timestamp,<series>,...` CSV: a header row, then one row per sample time. Timestamps are ISO 8601
 * (`2026-01-05T09:00:00Z`) or epoch seconds (epoch milliseconds above 1e11). An empty cell is no sample.
 * Blank lines and lines starting with `#` are skipped.
 * @throws InputError naming the file and line
 */
export function loadCsv(path: string): CsvSeries {
  return parseCsv(readInputFile(path), path);
}

/** {@link loadCsv} on text already read. */
export function parseCsv(text: string, path: string): CsvSeries {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const times: number[] = [];
  const columns: number[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const where = `${path}:${i + 1}`;
    if (header === undefined) {
      if (cells[0]?.toLowerCase() !== 'timestamp' || cells.length < 2) {
        throw new InputError(`the header must be "timestamp,<metric id or name>,...", received "${line}"`, where);
      }
      header = cells;
      for (let c = 1; c < cells.length; c++) columns.push([]);
      continue;
    }
    if (cells.length !== header.length) throw new InputError(`expected ${header.length} cells, received ${cells.length}`, where);
    times.push(parseTimestamp(cells[0]!, where));
    for (let c = 1; c < cells.length; c++) {
      const cell = cells[c]!;
      const value = cell === '' ? Number.NaN : Number(cell);
      if (cell !== '' && !Number.isFinite(value)) throw new InputError(`column ${header[c]}: "${cell}" is not a number`, where);
      columns[c - 1]!.push(value);
    }
  }
  if (header === undefined || times.length === 0) throw new InputError('no data rows', path);
  const names = header.slice(1);
  const series = new Map(names.map((name, c) => [name, { times, values: columns[c]! }] as const));
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return { columns: names, series, first, last, rows: times.length };
}

function parseTimestamp(cell: string, where: string): number {
  if (/^\d+(\.\d+)?$/.test(cell)) {
    const n = Number(cell);
    return n > 1e11 ? n : n * 1000;
  }
  const ms = Date.parse(cell);
  if (Number.isNaN(ms)) throw new InputError(`timestamp "${cell}" is neither ISO 8601 nor epoch seconds`, where);
  return ms;
}
