import type { MetricAlarmSpec } from '../alarms/alarm-spec';
import { aggregate, parseStatistic, type MetricSamples, type StepGrid, type Statistic } from './aggregate';
import { classify, describeCondition, isBandOperator, type Band } from './comparison';
import { ExpressionError, InputError } from './errors';
import { metricIds, parseExpression, type Expr } from './expression';
import { evaluateMath } from './metric-math';
import { decide, defaultEvaluationRange, evaluatedDatapoints, type Decision, type EvaluationRule } from './missing-data';
import { ALARM_STATES, evaluationIndex, type AlarmState, type Timeline, type Transition } from './state';

/**
 * How CloudWatch lays datapoints on time ("Alarm evaluation window", CloudWatch user guide):
 * - `sliding`, the default of every alarm that does not set EvaluationWindow (this stack's): the alarm is
 *   evaluated every minute (every period for 10/20/30-second periods), and its datapoints are period-long
 *   windows ending at the evaluation instant, one period apart. A 5-minute Maximum alarm therefore sees a
 *   breaching sample in its newest datapoint the minute after it arrives.
 * - `wallClock`: datapoints are periods aligned to the clock, evaluated once per period.
 * Approximation: "every minute" is the usual standard-resolution evaluation rate; CloudWatch does not
 * document it for every period.
 */
export type EvaluationWindow = 'sliding' | 'wallClock';

/** The data an alarm is evaluated on. */
export interface AlarmInput {
  /** Raw samples per metric query id (`spec.metrics[].id`). A metric without an entry has no data. */
  readonly metrics: Readonly<Record<string, MetricSamples>>;
  /**
   * Anomaly-detection alarms only: the band CloudWatch's model would draw for the alarm's threshold (in
   * standard deviations). The model cannot be learned offline, so the band is input data; it is averaged
   * per window like a metric. A window where the bound the operator needs is unknown counts as missing.
   */
  readonly band?: { readonly lower?: MetricSamples; readonly upper?: MetricSamples };
}

/** Where and how to evaluate. */
export interface EvaluateOptions {
  /** Epoch ms where evaluation starts (align it to the period for `wallClock`). */
  readonly start: number;
  /** Epoch ms of the last evaluation (rounded down to a step). */
  readonly end: number;
  /** @default 'INSUFFICIENT_DATA', the state of a newly created alarm */
  readonly initialState?: AlarmState;
  /** Datapoints CloudWatch reads per evaluation. @default N + 2 (see missing-data.ts) */
  readonly evaluationRange?: number;
  /** @default 'sliding', CloudWatch's default */
  readonly evaluationWindow?: EvaluationWindow;
}

/** A metric alarm's evaluation: its timeline plus the data behind it. */
export interface MetricAlarmTimeline extends Timeline {
  readonly spec: MetricAlarmSpec;
  readonly periodMs: number;
  /** Datapoint per evaluation step: the watched value over the period-long window ending with that step. */
  readonly values: Float64Array;
  /** Per window: 1 breaching, 0 not breaching, -1 missing. */
  readonly classes: Int8Array;
  /** Steps per period: consecutive datapoints of one evaluation are this many windows apart. */
  readonly stride: number;
  /** Evaluation range used, in datapoints. */
  readonly range: number;
}

/** A metric alarm spec with its statistics and expression parsed, ready to evaluate many times. */
export interface CompiledAlarm {
  readonly spec: MetricAlarmSpec;
  readonly statistics: ReadonlyMap<string, Statistic>;
  readonly expression: Expr | undefined;
}

const MINUTE_MS = 60_000;
/** A module-local copy (an imported binding is a getter call under CommonJS). */
const STATES: readonly AlarmState[] = ALARM_STATES;

/** Time between evaluations of an alarm with this period. */
export function evaluationStep(periodMs: number, window: EvaluationWindow = 'sliding'): number {
  return window === 'wallClock' ? periodMs : Math.min(periodMs, MINUTE_MS);
}

/**
 * Parses what the spec's strings say (statistics, expression) and checks the expression only reads the
 * spec's metric ids.
 * @throws InputError / ExpressionError naming the alarm
 */
export function compileAlarm(spec: MetricAlarmSpec): CompiledAlarm {
  try {
    const statistics = new Map(spec.metrics.map((q) => [q.id, parseStatistic(q.metric.statistic)] as const));
    if (spec.kind === 'metric') {
      if (spec.metrics.length !== 1) throw new InputError(`a metric alarm watches one metric, found ${spec.metrics.length}`);
      return { spec, statistics, expression: undefined };
    }
    if (spec.expression === undefined) throw new InputError(`a ${spec.kind} alarm needs an expression`);
    const expression = parseExpression(spec.expression);
    const unknown = metricIds(expression).filter((id) => !statistics.has(id));
    if (unknown.length > 0) throw new ExpressionError(`expression "${spec.expression}" reads ${unknown.join(', ')}, which the alarm does not define`);
    return { spec, statistics, expression };
  } catch (error) {
    throw error instanceof InputError ? error.at(spec.alarmName) : error;
  }
}

/**
 * Evaluates a metric, metric math or anomaly alarm the way CloudWatch would have: aggregate the samples of
 * each window with each metric's statistic, apply the expression, compare with the threshold (or band), and
 * decide a state at every evaluation (missing-data.ts).
 */
export function evaluateMetricAlarm(alarm: MetricAlarmSpec | CompiledAlarm, input: AlarmInput, options: EvaluateOptions): MetricAlarmTimeline {
  const compiled = 'statistics' in alarm ? alarm : compileAlarm(alarm);
  const { spec } = compiled;
  const periodMs = spec.periodSeconds * 1000;
  const stepMs = evaluationStep(periodMs, options.evaluationWindow);
  const stride = periodMs / stepMs;
  const grid: StepGrid = { start: options.start, stepMs, count: Math.max(0, Math.floor((options.end - options.start) / stepMs)) };
  const values = watchedValues(compiled, input, grid, stride);
  const band: Band = isBandOperator(spec.comparison) ? bandSeries(input, grid, stride) : {};
  const classes = classify(values, spec.comparison, spec.threshold, band);
  const range = Math.max(options.evaluationRange ?? defaultEvaluationRange(spec.evaluationPeriods), spec.evaluationPeriods);
  const initialState = options.initialState ?? 'INSUFFICIENT_DATA';

  const states = new Uint8Array(grid.count);
  const transitions: Transition[] = [];
  const rule: EvaluationRule = {
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
  };
  let state = initialState;
  let code = STATES.indexOf(state);
  for (let k = 0; k < grid.count; k++) {
    const decision = decide(classes, k, range, rule, state, stride);
    if (decision.state !== state) {
      const reason = explain(decision, { classes, values, end: k, range, stride, rule: spec });
      transitions.push({ at: grid.start + (k + 1) * stepMs, from: state, to: decision.state, reason });
      state = decision.state;
      code = STATES.indexOf(state);
    }
    states[k] = code;
  }

  const timeline = { alarmName: spec.alarmName, start: grid.start, stepMs, evaluations: grid.count };
  return {
    ...timeline,
    initialState,
    transitions,
    spec,
    periodMs,
    values,
    classes,
    stride,
    range,
    stateAt: (t) => {
      const k = evaluationIndex(timeline, t);
      return k < 0 ? initialState : STATES[states[k]!]!;
    },
  };
}

function watchedValues(compiled: CompiledAlarm, input: AlarmInput, grid: StepGrid, stride: number): Float64Array {
  const perMetric = new Map<string, Float64Array>();
  for (const [id, statistic] of compiled.statistics) {
    const samples = input.metrics[id];
    perMetric.set(id, samples ? aggregate(samples, statistic, grid, stride) : new Float64Array(grid.count).fill(Number.NaN));
  }
  if (compiled.expression === undefined) return perMetric.values().next().value!;
  try {
    return evaluateMath(compiled.expression, perMetric, grid.count);
  } catch (error) {
    throw error instanceof InputError ? error.at(compiled.spec.alarmName) : error;
  }
}

function bandSeries(input: AlarmInput, grid: StepGrid, stride: number): Band {
  const average = { kind: 'Average' } as const;
  const { lower, upper } = input.band ?? {};
  return {
    ...(lower ? { lower: aggregate(lower, average, grid, stride) } : {}),
    ...(upper ? { upper: aggregate(upper, average, grid, stride) } : {}),
  };
}

interface Evidence {
  readonly classes: Int8Array;
  readonly values: Float64Array;
  readonly end: number;
  readonly range: number;
  readonly stride: number;
  readonly rule: EvaluationRule & Pick<MetricAlarmSpec, 'comparison' | 'threshold'>;
}

function explain(decision: Decision, e: Evidence): string {
  const { rule } = e;
  const n = rule.evaluationPeriods;
  const condition = describeCondition(rule.comparison, rule.threshold);
  const shown = evaluatedDatapoints(e.classes, e.end, e.range, n, e.stride).map((i) => formatValue(e.values[i]!));
  const list = shown.length > 0 ? ` [${shown.join(', ')}]` : '';
  switch (decision.basis) {
    case 'datapoints':
      return `${decision.breaching} of the last ${n} datapoints breaching (${condition}), ${rule.datapointsToAlarm} needed${list}`;
    case 'filled':
      return `${decision.breaching} of ${n} datapoints breaching (${condition}), ${rule.datapointsToAlarm} needed: ${decision.real} real${list} and ${n - decision.real} missing treated as ${rule.treatMissingData}`;
    case 'partial':
      return `${decision.breaching} of ${decision.real} real datapoints breaching (${condition})${list}; missing data: ${rule.treatMissingData}`;
    case 'premature-guard':
      return `only breaching datapoints in the evaluation range${list}, the oldest at least ${rule.datapointsToAlarm} periods old`;
    case 'insufficient':
      return decision.real === 0 ? `no datapoints in the last ${e.range} periods` : `too few datapoints to decide (${decision.real} of ${n})${list}`;
    case 'kept':
      return 'missing data ignored: state kept';
  }
}

/** Six significant digits, no trailing noise: 0.060000000000000005 -> 0.06. */
export function formatValue(v: number): string {
  return Number.isNaN(v) ? '-' : String(Number(v.toPrecision(6)));
}
