import type { CompositeTimeline } from './composite';
import { describeAlarm } from './describe';
import { formatDuration } from './duration';
import { formatValue, type MetricAlarmTimeline } from './evaluate';
import { evaluationIndex, type Timeline } from './state';
import type { CaseResult, ExpectationResult, FileResult } from './test-runner';

/** Totals over test files. */
export interface TestTotals {
  readonly passed: number;
  readonly failed: number;
}

export function totals(results: readonly FileResult[]): TestTotals {
  const cases = results.flatMap((r) => r.cases);
  const passed = cases.filter((c) => c.passed).length;
  return { passed, failed: cases.length - passed };
}

/**
 * A file's results as text: one line per passing case, and for a failing one a diff of expected (-) and
 * actual (+) states, the alarm's transitions and the datapoints before the first mismatch.
 */
export function formatFileResult(result: FileResult, options: { readonly verbose?: boolean } = {}): string {
  const lines = [`${result.path} (env ${result.env})`];
  for (const c of result.cases) {
    if (c.passed) {
      lines.push(`  ok    ${c.name}`);
      if (options.verbose) lines.push(...transitionLines(c.timeline).map((l) => `        ${l}`));
      continue;
    }
    lines.push(`  FAIL  ${c.name}  (${c.where})`, ...failureLines(c).map((l) => `        ${l}`));
  }
  return lines.join('\n');
}

function failureLines(c: CaseResult): string[] {
  const lines = [`alarm ${c.spec.alarmName}: ${describeAlarm(c.spec)}`];
  if (c.severityMismatch) lines.push(c.severityMismatch);
  lines.push('expected (-) / actual (+):');
  for (const e of c.expectations) lines.push(...diffLines(e));
  lines.push('transitions:', ...transitionLines(c.timeline).map((l) => `  ${l}`));
  const firstFailure = c.expectations.find((e) => !e.passed);
  if (firstFailure) lines.push(...datapointLines(c.timeline, firstFailure.mismatchAt));
  return lines;
}

function diffLines(e: ExpectationResult): string[] {
  const { at, until, state } = e.expectation;
  const when = until === undefined ? `at ${formatDuration(at)}` : `from ${formatDuration(at)} to ${formatDuration(until)}`;
  if (e.passed) return [`  ${when}: ${state}`];
  return [`- ${when}: ${state}`, `+ at ${formatDuration(e.mismatchAt)}: ${e.actual}`];
}

/** `1m  INSUFFICIENT_DATA -> OK  (reason)`, relative to the timeline's start. */
export function transitionLines(timeline: Timeline): string[] {
  if (timeline.transitions.length === 0) return [`(none: ${timeline.initialState} throughout)`];
  return timeline.transitions.map((t) => `${formatDuration(t.at - timeline.start).padEnd(6)} ${t.from} -> ${t.to}  (${t.reason})`);
}

function datapointLines(timeline: Timeline, until: number): string[] {
  if ('children' in timeline) {
    const composite = timeline as CompositeTimeline;
    return composite.children.flatMap((child) => [`child ${child.alarmName}:`, ...transitionLines(child).map((l) => `  ${l}`)]);
  }
  const metric = timeline as MetricAlarmTimeline;
  const k = evaluationIndex(metric, until);
  if (k < 0) return [];
  // The datapoints of that evaluation, oldest first, labelled by the start of their window.
  const cells: string[] = [];
  for (let age = metric.range; age >= 1; age--) {
    const b = k - (age - 1) * metric.stride;
    const windowStart = metric.start + (b + 1) * metric.stepMs - metric.periodMs;
    const value = b < 0 ? '-' : formatValue(metric.values[b]!);
    cells.push(`${formatDuration(windowStart - timeline.start)} ${value}${b >= 0 && metric.classes[b] === 1 ? '*' : ''}`);
  }
  const window = metric.periodMs === metric.stepMs ? 'period' : `${formatDuration(metric.periodMs)} window`;
  return [`datapoints of the evaluation at ${formatDuration(until - timeline.start)}, by ${window} start (* breaching, - none):`, `  ${cells.join('  ')}`];
}
