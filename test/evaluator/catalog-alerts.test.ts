import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ENVIRONMENTS } from '../../config';
import { ALERTS } from '../../lib/core/catalog';
import { formatFileResult, loadTestFile, runTestFile, type CaseResult, type FileResult } from '../../lib/core/evaluator';

/**
 * The project's own alert tests (test/fixtures/alert-tests/*.yaml), run through the same code path as
 * `oncall test-alerts`: every alert of the catalog fires on the runbook's numbers, and only on them.
 */
const DIR = join(__dirname, '../fixtures/alert-tests');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => join(DIR, f));
const run = (overrides?: Record<string, unknown>): FileResult[] =>
  FILES.map((path) => runTestFile(loadTestFile(path), { environments: ENVIRONMENTS, ...(overrides ? { overrides } : {}) }));
const baseline = run();
const cases = (results: readonly FileResult[]): CaseResult[] => results.flatMap((r) => r.cases);
const findCase = (results: readonly FileResult[], name: string): CaseResult => {
  const found = cases(results).find((c) => c.name === name);
  assert.ok(found, `no case named "${name}" in ${DIR}`);
  return found;
};

describe('catalog alert tests (test/fixtures/alert-tests)', () => {
  for (const result of baseline) {
    it(`${result.path.slice(DIR.length + 1)}: every case passes`, () => {
      const failed = result.cases.filter((c) => !c.passed);
      assert.equal(failed.length, 0, `\n${formatFileResult({ ...result, cases: failed })}`);
    });
  }

  it('every alert of the catalog has at least one case, and one that fires it', () => {
    // GIVEN the alert ids the cases exercise, and those whose cases expect ALARM
    const tested = new Set(cases(baseline).map((c) => c.spec.alertId));
    const fired = new Set(
      cases(baseline)
        .filter((c) => c.expectations.some((e) => e.expectation.state === 'ALARM'))
        .map((c) => c.spec.alertId),
    );
    // THEN
    assert.deepEqual(
      ALERTS.map((a) => a.id).filter((id) => !tested.has(id)),
      [],
      'alerts without a test case',
    );
    assert.deepEqual(
      ALERTS.map((a) => a.id).filter((id) => !fired.has(id)),
      [],
      'alerts never shown to fire',
    );
  });
});

/**
 * A runbook number moved in config (the same path as a catalog edit: both feed resolveAlarms) must make
 * the case that pins it fail. Each row: the change, and the case that must stop passing.
 */
const MUTATIONS: readonly (readonly [change: string, alerts: Record<string, Record<string, unknown>>, brokenCase: string])[] = [
  ['HighAPIErrorRate above 7% instead of 5%', { HighAPIErrorRate: { threshold: 0.07 } }, '6% errors for 5 minutes fires HighAPIErrorRate'],
  [
    'HighAPIErrorRate at or above 5% (a looser line)',
    { HighAPIErrorRate: { comparison: 'GreaterThanOrEqualToThreshold' } },
    'exactly 5% errors does not fire HighAPIErrorRate (the runbook says above 5%)',
  ],
  ['HighAPIErrorRate for 6 minutes', { HighAPIErrorRate: { durationMinutes: 6 } }, '6% errors for 5 minutes fires HighAPIErrorRate'],
  ['HighAPILatency above 5 s', { HighAPILatency: { threshold: 5 } }, 'p95 4.5 s with a 2 s SLA for 10 minutes fires HighAPILatency'],
  ['HighAPILatency for 9 minutes', { HighAPILatency: { durationMinutes: 9 } }, 'p95 4.5 s for 9 minutes does not fire HighAPILatency'],
  ['CriticalAPILatency above 12 s', { CriticalAPILatency: { threshold: 12 } }, 'p95 11 s (more than 5x the SLA) for 5 minutes fires the P1 CriticalAPILatency'],
  [
    'ModelAccuracyDrop below 70%',
    { ModelAccuracyDrop: { threshold: 0.7 } },
    'accuracy 85% -> 65% in two 5-minute readings fires the >20% drop (P1 ModelAccuracyDrop)',
  ],
  [
    'ModelAccuracyDegraded below 85%',
    { ModelAccuracyDegraded: { threshold: 0.85 } },
    'accuracy 85% -> 75% in six 5-minute readings fires the 10-20% drop (P2 ModelAccuracyDegraded)',
  ],
  [
    'DataDriftDetected above KL 0.7',
    { DataDriftDetected: { threshold: 0.7 } },
    'KL divergence 0.6 fires DataDriftDetected once four 15-minute windows hold it',
  ],
  ['HighDiskUsage above 90%', { HighDiskUsage: { threshold: 90 } }, 'disk 85% for 30 minutes is the P3 HighDiskUsage'],
  ['CriticalDiskUsage as a P3', { CriticalDiskUsage: { severity: 'P3' } }, 'disk 92% for 5 minutes is the P2 CriticalDiskUsage'],
  [
    'DataPipelineStalled after 31 hours',
    { DataPipelineStalled: { durationMinutes: 1860 } },
    'a daily job that misses a run fires DataPipelineStalled 6 hours after the run was due (30 hourly readings of 0)',
  ],
  [
    'InferenceEndpointDown after 5 minutes',
    { InferenceEndpointDown: { durationMinutes: 5 } },
    'a silent endpoint fires 3 minutes after its last heartbeat (FILL counts silence as down)',
  ],
];

describe('a runbook number that no longer holds fails the suite', () => {
  for (const [change, alerts, brokenCase] of MUTATIONS) {
    it(`${change} -> "${brokenCase}" fails`, () => {
      // GIVEN the case passes on the catalog as it is
      assert.equal(findCase(baseline, brokenCase).passed, true);
      // WHEN the same files run with the number moved
      const mutated = findCase(run({ alerts }), brokenCase);
      // THEN the case that pins the number fails
      assert.equal(mutated.passed, false, `${brokenCase} still passes with ${JSON.stringify(alerts)}`);
    });
  }
});
