import type { MissingDataTreatment } from '../catalog';
import { BREACHING as BREACHING_CLASS, MISSING as MISSING_CLASS } from './comparison';
import type { AlarmState } from './state';

// Module-local copies: under CommonJS an imported binding is a property getter, read here once per datapoint.
const BREACHING: number = BREACHING_CLASS;
const MISSING: number = MISSING_CLASS;

/**
 * One evaluation of a metric alarm: from the datapoints of the evaluation range to a state, following
 * "How alarm state is evaluated when data is missing" (CloudWatch user guide, "Configuring how CloudWatch
 * alarms treat missing data", including "Avoiding premature transitions to alarm state"):
 *
 * 1. CloudWatch reads more periods than Evaluation Periods (N): the *evaluation range*.
 * 2. With at least N real datapoints in the range, the N most recent real ones are evaluated and the
 *    missing-data treatment is not used at all.
 * 3. With fewer, every real datapoint of the range is used, plus as few filled ones as make up N:
 *    `breaching` fills count as breaching, `notBreaching` fills as not breaching.
 * 4. `missing` and `ignore` do not invent datapoints. M or more real breaching datapoints give ALARM; a real
 *    non-breaching one gives OK. When every real datapoint breaches but there are fewer than M of them,
 *    `missing` goes to ALARM only if the oldest breaching one is at least M periods old (the documented
 *    guard against premature alarms), else INSUFFICIENT_DATA; `ignore` keeps the current state.
 * 5. With no real datapoint at all: `missing` -> INSUFFICIENT_DATA, `ignore` keeps the current state,
 *    `breaching` -> ALARM, `notBreaching` -> OK.
 * The state is ALARM when at least M (Datapoints to Alarm) of the N evaluated datapoints breach, else OK.
 *
 * Approximations, written down: rules 4 and 5 are the reading of AWS's tables that makes every row hold (the
 * guide states them only through examples; for M-of-N alarms its prose says the premature-alarm age is
 * compared with N while its table row `- - - X -` needs M, and we follow the table). The length of the
 * evaluation range is not documented beyond "depends on the period"; the guide's examples use 5 for N = 3,
 * and {@link defaultEvaluationRange} generalises that to N + 2.
 */
export interface EvaluationRule {
  /** N of "M out of N". */
  readonly evaluationPeriods: number;
  /** M of "M out of N". */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingDataTreatment;
}

/** How a decision was reached, for the transition's reason. */
export type DecisionBasis =
  /** N real datapoints were evaluated. */
  | 'datapoints'
  /** Fewer than N real datapoints, the rest filled per the treatment. */
  | 'filled'
  /** `missing`/`ignore` decided on the real datapoints alone. */
  | 'partial'
  /** `missing`: old enough breaching datapoints and nothing newer that is not breaching. */
  | 'premature-guard'
  /** `missing`: too few datapoints to decide. */
  | 'insufficient'
  /** `ignore`: the state was kept. */
  | 'kept';

export interface Decision {
  readonly state: AlarmState;
  readonly basis: DecisionBasis;
  /** Breaching datapoints among those evaluated (real and filled). */
  readonly breaching: number;
  /** Real datapoints in the evaluation range. */
  readonly real: number;
}

/** The evaluation range this evaluator uses for N evaluation periods (see the approximation above). */
export function defaultEvaluationRange(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

/**
 * Decides the alarm state at one evaluation.
 * @param classes datapoint class per window (BREACHING, NOT_BREACHING or MISSING); indices below 0 are missing
 * @param end index of the newest datapoint of the evaluation range
 * @param range length of the evaluation range in datapoints, at least N
 * @param current the state before this evaluation (kept by `ignore`)
 * @param stride index distance between consecutive datapoints (the period in evaluation steps)
 */
export function decide(classes: ArrayLike<number>, end: number, range: number, rule: EvaluationRule, current: AlarmState, stride = 1): Decision {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  let real = 0;
  let realBreaching = 0;
  let recentBreaching = 0;
  let oldestBreachingAge = 0;
  // Newest first, so the first N real datapoints met are the N most recent.
  for (let age = 1; age <= range; age++) {
    const k = end - (age - 1) * stride;
    const c = k < 0 ? MISSING : classes[k]!;
    if (c === MISSING) continue;
    real += 1;
    if (c === BREACHING) {
      realBreaching += 1;
      if (real <= n) recentBreaching += 1;
      oldestBreachingAge = age;
    }
  }
  if (real >= n) return { state: recentBreaching >= m ? 'ALARM' : 'OK', basis: 'datapoints', breaching: recentBreaching, real };

  const fills = n - real;
  switch (rule.treatMissingData) {
    case 'breaching':
      return { state: realBreaching + fills >= m ? 'ALARM' : 'OK', basis: 'filled', breaching: realBreaching + fills, real };
    case 'notBreaching':
      return { state: realBreaching >= m ? 'ALARM' : 'OK', basis: 'filled', breaching: realBreaching, real };
    case 'missing':
    case 'ignore': {
      const keep = rule.treatMissingData === 'ignore';
      if (real === 0) return { state: keep ? current : 'INSUFFICIENT_DATA', basis: keep ? 'kept' : 'insufficient', breaching: 0, real };
      if (realBreaching >= m) return { state: 'ALARM', basis: 'partial', breaching: realBreaching, real };
      if (realBreaching < real) return { state: 'OK', basis: 'partial', breaching: realBreaching, real };
      if (keep) return { state: current, basis: 'kept', breaching: realBreaching, real };
      return oldestBreachingAge >= m
        ? { state: 'ALARM', basis: 'premature-guard', breaching: realBreaching, real }
        : { state: 'INSUFFICIENT_DATA', basis: 'insufficient', breaching: realBreaching, real };
    }
  }
}

/** Indices of the real datapoints a decision evaluated (the N most recent real ones in the range), oldest first. */
export function evaluatedDatapoints(classes: ArrayLike<number>, end: number, range: number, evaluationPeriods: number, stride = 1): number[] {
  const out: number[] = [];
  for (let age = 1; age <= range && out.length < evaluationPeriods; age++) {
    const k = end - (age - 1) * stride;
    if (k >= 0 && classes[k] !== MISSING) out.unshift(k);
  }
  return out;
}
