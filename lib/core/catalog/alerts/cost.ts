import type { AlertDefinition } from '../types';

/** Category 5 of the runbook: hourly cost spikes, daily budget, LLM call volume. */
export const COST_ALERTS: readonly AlertDefinition[] = [
  {
    id: 'CostSpike',
    category: 'cost',
    severity: 'P2',
    summary: 'Hourly cost above 2x the 7-day hourly average for 1 hour',
    runbookWording: ['Cost spike (>50% increase in 1 hour)', 'Hourly cost >2x average (e.g., $100/hr vs $50/hr avg)'],
    scope: 'global',
    measurement: {
      kind: 'math',
      // The service's cost exporter publishes the trailing 7-day hourly average as its own metric, as the
      // runbook's accuracy rule does with model_accuracy_baseline: CloudWatch metric math has no look-back window.
      expression: 'IF(baseline > 0, hourly / baseline, 0)',
      metrics: {
        hourly: { source: 'ai', name: 'CostUSD', statistic: 'Sum' },
        baseline: { source: 'ai', name: 'CostUSDHourlyAverage7d', statistic: 'Average' },
      },
      label: 'Hourly cost / 7-day hourly average',
    },
    comparison: 'GreaterThanOrEqualToThreshold',
    threshold: 2,
    periodSeconds: 3600,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: ['rate-limit'],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['LLMCallRateSpike', 'DailyBudgetExceeded', 'AuthFailureBurst'],
    customerFacing: false,
    decision:
      'The severity example says ">50% increase in 1 hour", the category and the Prometheus rule say 2x the average. ' +
      'Two sources agree on 2x, so it is the default; a team that wants the 1.5x line overrides the threshold. ' +
      "The runbook's own example ($100/hr against a $50/hr average) is exactly 2x and must fire, so the comparison is ≥.",
  },
  {
    id: 'DailyBudgetExceeded',
    category: 'cost',
    severity: 'P1',
    summary: 'Cost of the last 24 hours more than 50% over the daily budget',
    runbookWording: ['Daily budget exceeded by >50%'],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'ai', name: 'CostUSD', statistic: 'Sum' } },
    comparison: 'GreaterThanThreshold',
    threshold: { times: 1.5, of: 'dailyBudgetUsd' },
    periodSeconds: 86400,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: ['rate-limit'],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['CostSpike', 'LLMCallRateSpike'],
    customerFacing: false,
    decision:
      'P1 as the runbook says "if budget constrained"; teams without a hard budget override the severity to P2. ' +
      'The one-day period is a sliding 24 hours, not the calendar day: it catches an overspend at any hour. ' +
      'The runbook\'s response "implement rate limiting" is automated; "disable non-essential features" is left to humans.',
  },
  {
    id: 'LLMCallRateSpike',
    category: 'cost',
    severity: 'P2',
    summary: 'LLM API calls above 2x the expected rate for 10 minutes',
    runbookWording: ['LLM API calls >2x expected rate'],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'ai', name: 'LLMProviderCalls', statistic: 'Sum' } },
    comparison: 'GreaterThanThreshold',
    threshold: { times: 2, of: 'expectedLlmCallsPerMinute' },
    periodSeconds: 60,
    evaluationPeriods: 10,
    datapointsToAlarm: 10,
    treatMissingData: 'notBreaching',
    mitigations: ['rate-limit'],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['CostSpike', 'DailyBudgetExceeded'],
    customerFacing: false,
    decision: 'The expected rate is a config value (calls per minute); 10 minutes separates a loop from a burst.',
  },
];
