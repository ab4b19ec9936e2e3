import type { AlarmSpec } from '../alarms/alarm-spec';
import type { MetricSamples } from './aggregate';
import { evaluateAlarm, periodOf, stepOf } from './alarm';
import { deepMerge, findAlarm, resolveAlarmSet, type AlarmSet, type Environments } from './alarm-set';
import { InputError } from './errors';
import { bindSeries, resolveSeriesKey } from './inputs';
import { parseSeries } from './series';
import type { AlarmState, Timeline } from './state';
import type { AlertTestCase, Expectation, TestFile } from './test-file';

/** How to run a test file. */
export interface RunOptions {
  /** Environments the file's `env` may name (config/index.ts `ENVIRONMENTS`). */
  readonly environments: Environments;
  /** Replaces the file's `env`. @default the file's */
  readonly env?: string;
  /** Partial config deep-merged over the file's own overrides (e.g. to try another threshold). @default none */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** One expectation's outcome. */
export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly passed: boolean;
  /** The state found at the first instant that differs (or at `at` when it matches). */
  readonly actual: AlarmState;
  /** Where the state differs first (ms since the test start). */
  readonly mismatchAt: number;
}

/** One test case's outcome. */
export interface CaseResult {
  readonly name: string;
  /** `file:line` of the test case. */
  readonly where: string;
  readonly spec: AlarmSpec;
  readonly passed: boolean;
  readonly expectations: readonly ExpectationResult[];
  /** Set when the case asserts a severity the alarm does not have. */
  readonly severityMismatch: string | undefined;
  readonly timeline: Timeline;
}

/** A test file's outcome. */
export interface FileResult {
  readonly path: string;
  readonly env: string;
  readonly cases: readonly CaseResult[];
}

/**
 * Runs every case of a test file against the alarms its environment deploys.
 * @throws InputError (located at the file and line) for an unknown alarm, series name or bad notation
 */
export function runTestFile(file: TestFile, options: RunOptions): FileResult {
  const env = options.env ?? file.env;
  const overrides = mergeOverrides(file.overrides, options.overrides);
  let set: AlarmSet;
  try {
    set = resolveAlarmSet(env, options.environments, overrides);
  } catch (error) {
    throw error instanceof InputError ? error.at(file.locate(['overrides'])) : error;
  }
  const cases = file.tests.map((test, index) => runCase(test, set, (path) => file.locate(['tests', index, ...path])));
  return { path: file.path, env, cases };
}

function runCase(test: AlertTestCase, set: AlarmSet, locate: (path: readonly PropertyKey[]) => string): CaseResult {
  const where = locate([]);
  const spec = locateErrors(locate([test.alarm === undefined ? 'alert' : 'alarm']), () =>
    findAlarm(set, { alarm: test.alarm, alert: test.alert, instance: test.instance }),
  );
  const periodMs = periodOf(spec);
  const stepMs = stepOf(spec);
  const intervalMs = test.interval ?? periodMs;
  const parsed = new Map<string, number[] | number>();
  for (const [key, value] of Object.entries(test.series)) {
    parsed.set(key, typeof value === 'number' ? value : locateErrors(locate(['series', key]), () => parseSeries(value)));
  }
  // Evaluate until the data ends or the latest expectation, whichever is later.
  const longest = Math.max(0, ...[...parsed.values()].map((v) => (typeof v === 'number' ? 0 : v.length)));
  const latestExpected = Math.max(...test.expect.map((e) => Math.max(e.at, e.until ?? 0)));
  const end = Math.max(stepMs, Math.ceil((longest * intervalMs) / stepMs) * stepMs, Math.floor(latestExpected / stepMs) * stepMs);
  const samples = new Map<string, MetricSamples>();
  for (const [key, value] of parsed) {
    const values = typeof value === 'number' ? new Array<number>(Math.ceil(end / intervalMs)).fill(value) : value;
    samples.set(key, { times: values.map((_, i) => i * intervalMs), values });
  }
  // Each name first on its own, so an unknown one is reported at its line.
  for (const key of samples.keys()) locateErrors(locate(['series', key]), () => resolveSeriesKey(spec, key));
  const inputs = locateErrors(locate(['series']), () => bindSeries(spec, samples));
  const timeline = locateErrors(where, () => evaluateAlarm(spec, inputs, { start: 0, end, initialState: test.initialState }));
  const expectations = test.expect.map((e) => check(timeline, e));
  const severityMismatch =
    test.severity !== undefined && test.severity !== spec.severity ? `severity: expected ${test.severity}, the alarm is ${spec.severity}` : undefined;
  return {
    name: test.name,
    where,
    spec,
    passed: severityMismatch === undefined && expectations.every((e) => e.passed),
    expectations,
    severityMismatch,
    timeline,
  };
}

/** The state at `at`, and for a range every state change up to `until`, must be the expected one. */
function check(timeline: Timeline, expectation: Expectation): ExpectationResult {
  const atState = timeline.stateAt(expectation.at);
  if (atState !== expectation.state) return { expectation, passed: false, actual: atState, mismatchAt: expectation.at };
  const until = expectation.until ?? expectation.at;
  const change = timeline.transitions.find((t) => t.at > expectation.at && t.at <= until && t.to !== expectation.state);
  return change
    ? { expectation, passed: false, actual: change.to, mismatchAt: change.at }
    : { expectation, passed: true, actual: atState, mismatchAt: expectation.at };
}

function locateErrors<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw error instanceof InputError ? error.at(where) : error;
  }
}

function mergeOverrides(a: Readonly<Record<string, unknown>> | undefined, b: Readonly<Record<string, unknown>> | undefined): unknown {
  return a === undefined ? b : b === undefined ? a : deepMerge(a, b);
}
