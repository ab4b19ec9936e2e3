import { ExpressionError } from './errors';
import type { BinaryOp, Expr } from './expression';

/**
 * Evaluates a parsed metric math expression over per-period series, with CloudWatch's documented rules for
 * missing datapoints ("Metric math syntax and functions" and "Using IF expressions", CloudWatch user guide):
 *
 * - Arithmetic between two series: a timestamp where only one series has a value treats the other as 0; a
 *   timestamp where neither has a value has none. A division by zero drops the datapoint.
 * - Comparison and logical operators return 1 or 0; between two series, a missing value counts as 0.
 * - Between a series and a scalar, the result exists where the series has a value.
 * - `IF(cond, a, b)`: no value where `cond` has none; where `cond` is true, `a` (0 if the series `a` has no
 *   value there); where false, `b` (dropped if `b` has no value there or is omitted).
 * - `FILL(x, v)` replaces every missing datapoint of the evaluated periods with `v` (a number, the value of
 *   another series, or `REPEAT`: the last earlier value). It fills even a series with no data at all.
 *
 * A series is a Float64Array with one slot per period; NaN means "no datapoint".
 */
export type MathValue = number | Float64Array;

/**
 * @param metrics per-period series by metric id; an id without an entry has no data
 * @param length number of periods
 * @throws ExpressionError for a result that is not a time series or a function used on the wrong types
 */
export function evaluateMath(expr: Expr, metrics: ReadonlyMap<string, Float64Array>, length: number): Float64Array {
  const result = evaluate(expr, metrics, length);
  if (typeof result === 'number') throw new ExpressionError(`the expression evaluates to the constant ${result}; an alarm needs a time series`);
  return result;
}

function evaluate(expr: Expr, metrics: ReadonlyMap<string, Float64Array>, length: number): MathValue {
  const sub = (e: Expr): MathValue => evaluate(e, metrics, length);
  switch (expr.kind) {
    case 'number':
      return expr.value;
    case 'metric':
      return metrics.get(expr.id) ?? new Float64Array(length).fill(Number.NaN);
    case 'keyword':
      throw new ExpressionError(`${expr.name} is only valid as the second argument of FILL()`);
    case 'negate':
      return map(sub(expr.operand), (v) => -v);
    case 'binary':
      return binary(expr.op, sub(expr.left), sub(expr.right));
    case 'call': {
      const [a, b, c] = expr.args;
      if (expr.name === 'ABS') return map(sub(a!), Math.abs);
      if (expr.name === 'FILL') return fill(sub(a!), b!.kind === 'keyword' ? 'REPEAT' : sub(b!));
      return ifThenElse(sub(a!), sub(b!), c === undefined ? undefined : sub(c), length);
    }
  }
}

const ARITHMETIC: Readonly<Partial<Record<BinaryOp, (a: number, b: number) => number>>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0 ? Number.NaN : a / b),
  '^': (a, b) => a ** b,
};

const LOGICAL: Readonly<Partial<Record<BinaryOp, (a: number, b: number) => boolean>>> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  AND: (a, b) => a !== 0 && b !== 0,
  OR: (a, b) => a !== 0 || b !== 0,
};

function binary(op: BinaryOp, left: MathValue, right: MathValue): MathValue {
  const arithmetic = ARITHMETIC[op];
  const fn = arithmetic ?? ((a: number, b: number) => (LOGICAL[op]!(a, b) ? 1 : 0));
  // Non-finite results (overflow, 0 ^ -1) cannot be stored by CloudWatch either: drop them.
  const safe = (a: number, b: number): number => {
    const v = fn(a, b);
    return Number.isFinite(v) ? v : Number.NaN;
  };
  if (typeof left === 'number' && typeof right === 'number') return safe(left, right);
  if (typeof left === 'number') return map(right as Float64Array, (v) => (Number.isNaN(v) ? v : safe(left, v)));
  if (typeof right === 'number') return map(left, (v) => (Number.isNaN(v) ? v : safe(v, right)));
  const out = new Float64Array(left.length);
  for (let i = 0; i < out.length; i++) {
    const a = left[i]!;
    const b = right[i]!;
    const aMissing = Number.isNaN(a);
    const bMissing = Number.isNaN(b);
    out[i] = aMissing && bMissing ? Number.NaN : safe(aMissing ? 0 : a, bMissing ? 0 : b);
  }
  return out;
}

function ifThenElse(cond: MathValue, whenTrue: MathValue, whenFalse: MathValue | undefined, length: number): MathValue {
  if (typeof cond === 'number') {
    if (cond !== 0) return whenTrue;
    return whenFalse ?? new Float64Array(length).fill(Number.NaN);
  }
  const out = new Float64Array(cond.length);
  for (let i = 0; i < out.length; i++) {
    const c = cond[i]!;
    if (Number.isNaN(c)) out[i] = Number.NaN;
    else if (c !== 0) {
      const t = typeof whenTrue === 'number' ? whenTrue : whenTrue[i]!;
      out[i] = Number.isNaN(t) ? 0 : t;
    } else if (whenFalse === undefined) out[i] = Number.NaN;
    else out[i] = typeof whenFalse === 'number' ? whenFalse : whenFalse[i]!;
  }
  return out;
}

function fill(series: MathValue, filler: MathValue | 'REPEAT'): Float64Array {
  if (typeof series === 'number') throw new ExpressionError('FILL() needs a time series as its first argument, received a number');
  const out = Float64Array.from(series);
  let last = Number.NaN;
  for (let i = 0; i < out.length; i++) {
    if (!Number.isNaN(out[i]!)) {
      last = out[i]!;
      continue;
    }
    out[i] = filler === 'REPEAT' ? last : typeof filler === 'number' ? filler : filler[i]!;
  }
  return out;
}

function map(value: MathValue, fn: (v: number) => number): MathValue {
  if (typeof value === 'number') return fn(value);
  const out = new Float64Array(value.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(value[i]!);
  return out;
}
