import { InputError } from './errors';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/**
 * Reads a duration such as `30s`, `5m`, `1h30m`, `2d` (Prometheus style; units ms, s, m, h, d, w) or `0`.
 * @returns milliseconds
 * @throws InputError naming the text received
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new InputError(`invalid duration "${text}": use a number and a unit, e.g. 30s, 5m, 1h30m, 2d`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as Unit], 0);
}

/** `5400000` -> `1h30m`; the inverse of {@link parseDuration} for whole seconds. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  let text = '';
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  if (rest > 0) text += `${rest}ms`;
  return sign + text;
}
