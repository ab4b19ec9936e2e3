import { renderTable } from './report/table';
import type { CliIo } from './context';

/** "2026-11-27 13:29Z (5m ago)": absolute for the record, relative for 3 a.m. */
export function when(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '-';
  const at = new Date(iso);
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  const ago = Math.abs(seconds);
  const span =
    ago < 60
      ? `${ago}s`
      : ago < 3600
        ? `${Math.round(ago / 60)}m`
        : ago < 86_400
          ? `${Math.floor(Math.round(ago / 60) / 60)}h${String(Math.round(ago / 60) % 60).padStart(2, '0')}m`
          : `${Math.round(ago / 86_400)}d`;
  return `${at.toISOString().slice(0, 16).replace('T', ' ')}Z (${seconds >= 0 ? `${span} ago` : `in ${span}`})`;
}

/** "24h", "90d", "30m" -> milliseconds. */
export function parseSpan(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (use 30m, 24h, 7d)`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

const COLOURS = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;

/** ANSI colour only on a terminal; plain text for pipes, files and scripts. */
export function colour(io: CliIo, name: keyof typeof COLOURS, text: string): string {
  return io.isTTY ? `\u001b[${COLOURS[name]}m${text}\u001b[0m` : text;
}

/** Prints rows as an aligned table, or a line saying there is nothing. */
export function printTable(io: CliIo, headers: readonly string[], rows: readonly (readonly string[])[], empty: string): void {
  io.out(rows.length === 0 ? `${empty}\n` : `${renderTable(headers, rows)}\n`);
}

/** Prints a value as JSON (the `--json` of every listing). */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, undefined, 2)}\n`);
}
