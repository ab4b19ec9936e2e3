import { SeriesSyntaxError } from './errors';

/**
 * The compact notation for input series, in the spirit of `promtool test rules`. One value per interval,
 * tokens separated by whitespace:
 *
 * | token             | values                                   |
 * | ----------------- | ---------------------------------------- |
 * | `1 2.5 -3 1e3`    | those numbers                            |
 * | `_`               | a gap: no sample in that interval        |
 * | `0.06x5`          | 0.06 five times                          |
 * | `_x3`             | three gaps                               |
 * | `1+2x4`, `10-1x3` | 1 3 5 7 and 10 9 8 (start, step, count)  |
 * | `(1x18 4.5x2)x10` | the group, ten times                     |
 *
 * Unlike promtool, `xN` always yields exactly N values (promtool's `1x5` is six), so `0.06x5` reads as
 * "0.06 for five intervals".
 */

/** Longest series the notation may expand to (about 19 years of one-minute samples). */
const MAX_LENGTH = 10_000_000;

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const VALUE_TOKEN = new RegExp(String.raw`^(${NUMBER})(?:([+-])((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))?(?:x(\d+))?$`);
const GAP_TOKEN = /^_(?:x(\d+))?$/;

/**
 * Expands the notation into one value per interval.
 * @returns the values, with NaN for each gap
 * @throws SeriesSyntaxError naming the token and its column
 */
export function parseSeries(text: string): number[] {
  return new Reader(text).sequence(false);
}

class Reader {
  private pos = 0;

  public constructor(private readonly text: string) {}

  public sequence(inGroup: boolean): number[] {
    const out: number[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) {
        if (inGroup) throw this.error('a group opened with "(" is not closed', this.text.length);
        return out;
      }
      const ch = this.text[this.pos];
      if (ch === ')') {
        if (!inGroup) throw this.error('unexpected ")"', this.pos);
        this.pos += 1;
        return out;
      }
      if (ch === '(') {
        const open = this.pos;
        this.pos += 1;
        const group = this.sequence(true);
        const count = this.repeatCount() ?? 1;
        if (group.length * count > MAX_LENGTH) throw this.error(`group expands past ${MAX_LENGTH} values`, open);
        for (let i = 0; i < count; i++) pushAll(out, group);
      } else {
        pushAll(out, this.token());
      }
      if (out.length > MAX_LENGTH) throw this.error(`series expands past ${MAX_LENGTH} values`, this.pos);
    }
  }

  private token(): number[] {
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s()]/.test(this.text[this.pos]!)) this.pos += 1;
    const token = this.text.slice(start, this.pos);
    const gap = GAP_TOKEN.exec(token);
    if (gap) return new Array<number>(this.count(gap[1], start)).fill(Number.NaN);
    const value = VALUE_TOKEN.exec(token);
    if (!value) throw this.error(`cannot read "${token}" (expected a number, "_", "VxN", "a+bxN" or a "(...)xN" group)`, start);
    const [, first, sign, step, times] = value;
    if (step !== undefined && times === undefined) throw this.error(`"${token}" has a step but no count, e.g. ${first}${sign}${step}x5`, start);
    const n = this.count(times, start);
    const a = Number(first);
    const b = step === undefined ? 0 : Number(step) * (sign === '-' ? -1 : 1);
    return Array.from({ length: n }, (_, i) => a + i * b);
  }

  private repeatCount(): number | undefined {
    const match = /^x(\d+)/.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    const at = this.pos;
    this.pos += match[0].length;
    return this.count(match[1], at);
  }

  private count(digits: string | undefined, at: number): number {
    if (digits === undefined) return 1;
    const n = Number(digits);
    if (n < 1) throw this.error('a repeat count must be at least 1', at);
    if (n > MAX_LENGTH) throw this.error(`repeat count ${n} is larger than ${MAX_LENGTH}`, at);
    return n;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos += 1;
  }

  private error(message: string, at: number): SeriesSyntaxError {
    return new SeriesSyntaxError(`series "${this.text}", column ${at + 1}: ${message}`);
  }
}

function pushAll(target: number[], values: readonly number[]): void {
  for (const v of values) target.push(v);
}
