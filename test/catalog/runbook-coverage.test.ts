import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALERTS, findAlert } from '../../lib/core/catalog';

// The runbook this product implements, kept in the repository (docs/) so the test needs nothing outside it.
const SEED = readFileSync(join(__dirname, '..', '..', 'docs', 'production-alerting-runbook.md'), 'utf8');
const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Every alert the runbook describes, by its own wording, and the catalog entry that implements it. A line
 * removed from the catalog, or an entry that stops claiming its wording, fails here.
 */
const RUNBOOK_ALERTS: readonly (readonly [wording: string, alertId: string])[] = [
  // Severity-level examples
  ['API returning 5xx errors for >5 minutes', 'HighAPIErrorRate'],
  ['Model inference endpoint down', 'InferenceEndpointDown'],
  ['Data pipeline complete failure (no data processed in 6 hours)', 'DataPipelineStalled'],
  ['Security breach or data leak detected', 'DataLeakDetected'],
  ['Hallucination spike (>50% gibberish responses)', 'HallucinationSpike'],
  ['API latency >5 seconds P95 (SLA: 2 seconds)', 'HighAPILatency'],
  ['Model accuracy dropped by >20% (e.g., 85% → 65%)', 'ModelAccuracyDrop'],
  ['Data drift detected (input distribution changed significantly)', 'DataDriftDetected'],
  ['Cost spike (>50% increase in 1 hour)', 'CostSpike'],
  ['Partial service outage (one region down, others OK)', 'PartialRegionOutage'],
  ['API latency elevated (3-4 seconds, SLA: 2 seconds)', 'ElevatedAPILatency'],
  ['Model accuracy dropped by 10-20%', 'ModelAccuracyDegraded'],
  ['Disk usage >80%', 'HighDiskUsage'],
  ['Unusual error rate increase (5% → 10%, still acceptable)', 'UnusualErrorRateIncrease'],
  ['Scheduled job completed (success notification)', 'ScheduledJobCompleted'],
  ['Model retrained successfully', 'ModelRetrained'],
  ['Certificate expiring in 30 days', 'CertificateExpiring'],
  ['Non-critical warning in logs', 'NonCriticalLogWarnings'],
  // 1. Infrastructure
  ['API error rate >5% for 5 minutes', 'HighAPIErrorRate'],
  ['P95 latency >2x SLA for 10 minutes', 'HighAPILatency'],
  ['If latency >5x SLA → upgrade to P1', 'CriticalAPILatency'],
  ['CPU >90% for 10 minutes', 'HighCPUUtilization'],
  ['Disk usage >90%', 'CriticalDiskUsage'],
  // 2. Model performance
  ['>20% of predictions below confidence threshold', 'LowConfidencePredictions'],
  ['Model inference errors >5% for 5 minutes', 'HighInferenceErrorRate'],
  // 3. Data quality
  ['Input distribution changed significantly (KL divergence >0.5)', 'DataDriftDetected'],
  ['>10% of required features missing in input data', 'MissingFeatures'],
  ['No data processed in expected window (e.g., 6 hours for daily job)', 'DataPipelineStalled'],
  ['Input data schema mismatch (unexpected fields, wrong types)', 'SchemaViolation'],
  // 4. Business
  ['User satisfaction score dropped by >20% (e.g., 4.5/5 → 3.5/5)', 'UserSatisfactionDrop'],
  ['AI-assisted conversions dropped by >30%', 'ConversionDrop'],
  ['API requests dropped by >50% (not during expected low-traffic period)', 'UsageDrop'],
  // 5. Cost
  ['Hourly cost >2x average (e.g., $100/hr vs $50/hr avg)', 'CostSpike'],
  ['Daily budget exceeded by >50%', 'DailyBudgetExceeded'],
  ['LLM API calls >2x expected rate', 'LLMCallRateSpike'],
  // 6. Security
  ['API calls from unexpected IPs or geolocations', 'UnusualAccessPattern'],
  ['Input filtering blocked >10 suspicious inputs in 5 minutes', 'PromptInjectionBurst'],
  ['P2 if sustained', 'PromptInjectionSustained'],
  ['Model output contains PII or secrets (regex match on API keys, SSNs, etc.)', 'DataLeakDetected'],
  ['>100 failed auth attempts in 5 minutes (brute force attack)', 'AuthFailureBurst'],
  // The HighAPIErrorRate runbook's related alerts and prevention items
  ['DatabaseConnectionPoolExhausted', 'DatabaseConnectionPoolExhausted'],
  ['OpenAIDependencyDown', 'LLMDependencyDown'],
  ['Alert if OpenAI API latency elevated', 'LLMDependencyLatency'],
];

describe('the catalog covers the runbook', () => {
  for (const [wording, alertId] of RUNBOOK_ALERTS) {
    it(`"${wording}" -> ${alertId}`, () => {
      // The wording is really the runbook's...
      assert.ok(normalize(SEED).includes(normalize(wording)), `not in the runbook: ${wording}`);
      // ...and the catalog entry claims it.
      const alert = findAlert(alertId);
      assert.ok(alert, `no catalog entry ${alertId}`);
      assert.ok(alert.runbookWording.map(normalize).includes(normalize(wording)), `${alertId} does not list "${wording}"`);
    });
  }

  it('every catalog entry stands for some wording of the runbook', () => {
    const covered = new Set(RUNBOOK_ALERTS.map(([, id]) => id));
    // DatabaseHighCPU stands for a diagnosis step; self-monitoring comes from DESIGN.md, not the runbook.
    const extra = ALERTS.filter((a) => !covered.has(a.id) && a.id !== 'DatabaseHighCPU' && a.category !== 'self-monitoring');
    assert.deepEqual(
      extra.map((a) => a.id),
      [],
    );
  });

  it('every wording an entry claims is in the runbook', () => {
    for (const alert of ALERTS) {
      for (const wording of alert.runbookWording) {
        const words = normalize(wording).split(' ... ');
        assert.ok(
          words.every((w) => normalize(SEED).includes(w)),
          `${alert.id}: "${wording}" is not the runbook's`,
        );
      }
    }
  });
});
