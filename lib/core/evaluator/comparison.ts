import type { ComparisonOperator } from '../catalog';
import { InputError } from './errors';

/** Datapoint classes of an evaluation range. */
export const MISSING = -1;
export const NOT_BREACHING = 0;
export const BREACHING = 1;

/** The anomaly band around an anomaly-detection alarm's expression, one value per period (NaN: unknown). */
export interface Band {
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
}

const BAND_OPERATORS: readonly ComparisonOperator[] = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];

/** Whether the operator compares with an anomaly band rather than a fixed threshold. */
export function isBandOperator(op: ComparisonOperator): boolean {
  return BAND_OPERATORS.includes(op);
}

/**
 * Classifies each period's value as breaching, not breaching or missing. Band operators need the bound they
 * compare with; a period where that bound is unknown counts as missing.
 * @throws InputError when a band operator has no band
 */
export function classify(values: Float64Array, op: ComparisonOperator, threshold: number, band: Band = {}): Int8Array {
  const out = new Int8Array(values.length);
  const needsLower = op === 'LessThanLowerOrGreaterThanUpperThreshold' || op === 'LessThanLowerThreshold';
  const needsUpper = op === 'LessThanLowerOrGreaterThanUpperThreshold' || op === 'GreaterThanUpperThreshold';
  if ((needsLower && !band.lower) || (needsUpper && !band.upper)) {
    throw new InputError(
      `${op} compares with the anomaly band: give the series ${[needsLower ? 'band.lower' : '', needsUpper ? 'band.upper' : ''].filter(Boolean).join(' and ')}`,
    );
  }
  const test = breachTest(op, threshold);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const lower = band.lower?.[i] ?? Number.NaN;
    const upper = band.upper?.[i] ?? Number.NaN;
    if (Number.isNaN(v) || (needsLower && Number.isNaN(lower)) || (needsUpper && Number.isNaN(upper))) out[i] = MISSING;
    else out[i] = test(v, lower, upper) ? BREACHING : NOT_BREACHING;
  }
  return out;
}

function breachTest(op: ComparisonOperator, threshold: number): (v: number, lower: number, upper: number) => boolean {
  switch (op) {
    case 'GreaterThanThreshold':
      return (v) => v > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return (v) => v >= threshold;
    case 'LessThanThreshold':
      return (v) => v < threshold;
    case 'LessThanOrEqualToThreshold':
      return (v) => v <= threshold;
    case 'LessThanLowerOrGreaterThanUpperThreshold':
      return (v, lower, upper) => v < lower || v > upper;
    case 'LessThanLowerThreshold':
      return (v, lower) => v < lower;
    case 'GreaterThanUpperThreshold':
      return (v, _lower, upper) => v > upper;
  }
}

/** `> 0.05`, `outside the anomaly band`: the condition in words, for messages. */
export function describeCondition(op: ComparisonOperator, threshold: number): string {
  switch (op) {
    case 'GreaterThanThreshold':
      return `> ${threshold}`;
    case 'GreaterThanOrEqualToThreshold':
      return `>= ${threshold}`;
    case 'LessThanThreshold':
      return `< ${threshold}`;
    case 'LessThanOrEqualToThreshold':
      return `<= ${threshold}`;
    case 'LessThanLowerOrGreaterThanUpperThreshold':
      return 'outside the anomaly band';
    case 'LessThanLowerThreshold':
      return 'below the anomaly band';
    case 'GreaterThanUpperThreshold':
      return 'above the anomaly band';
  }
}
