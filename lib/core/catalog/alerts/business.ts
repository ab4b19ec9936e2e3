import type { AlertDefinition } from '../types';

/** Category 4 of the runbook: satisfaction, conversions, usage. */
export const BUSINESS_ALERTS: readonly AlertDefinition[] = [
  {
    id: 'UserSatisfactionDrop',
    category: 'business',
    severity: 'P2',
    summary: 'User satisfaction score more than 20% below its baseline for 2 hours (e.g. 4.5/5 → 3.5/5)',
    runbookWording: ['User satisfaction score dropped by >20% (e.g., 4.5/5 → 3.5/5)'],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'current / baseline',
      metrics: {
        current: { source: 'ai', name: 'UserSatisfactionScore', statistic: 'Average' },
        baseline: { source: 'ai', name: 'UserSatisfactionBaseline', statistic: 'Average' },
      },
      label: 'Satisfaction / baseline',
    },
    comparison: 'LessThanThreshold',
    threshold: 0.8,
    periodSeconds: 3600,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: 'missing',
    mitigations: [],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['ModelAccuracyDegraded', 'HallucinationSpike', 'ConversionDrop'],
    customerFacing: false,
    decision:
      'Ratings arrive slowly and in bursts; two hourly periods keep a handful of angry ratings from paging. ' +
      "4.5 → 3.5 is a 22% drop, so the runbook's example fires.",
  },
  {
    id: 'ConversionDrop',
    category: 'business',
    severity: 'P1',
    summary: 'AI-assisted conversions more than 30% below their baseline for 1 hour',
    runbookWording: ['AI-assisted conversions dropped by >30%'],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'IF(baseline > 0, current / baseline, 1)',
      metrics: {
        current: { source: 'ai', name: 'AIAssistedConversions', statistic: 'Sum' },
        baseline: { source: 'ai', name: 'AIAssistedConversionsBaseline', statistic: 'Sum' },
      },
      label: 'Conversions / baseline',
    },
    comparison: 'LessThanThreshold',
    threshold: 0.7,
    periodSeconds: 900,
    evaluationPeriods: 4,
    datapointsToAlarm: 4,
    treatMissingData: 'missing',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['UserSatisfactionDrop', 'ModelAccuracyDrop', 'UsageDrop'],
    customerFacing: false,
    decision:
      'The runbook says "P1 if business-critical feature". The default assumes it is; a team whose AI feature is ' +
      'not business-critical overrides the severity to P2 in config. "Consider disabling AI" is a judgement call, ' +
      'so no automatic mitigation runs.',
  },
  {
    id: 'UsageDrop',
    category: 'business',
    severity: 'P2',
    summary: 'API requests far below their learned seasonal baseline for 30 minutes',
    runbookWording: ['API requests dropped by >50% (not during expected low-traffic period)'],
    scope: 'service',
    measurement: {
      kind: 'anomaly',
      expression: 'FILL(requests, 0)',
      metrics: { requests: { source: 'api', name: 'requests', statistic: 'Sum' } },
      label: 'API requests',
    },
    comparison: 'LessThanLowerThreshold',
    threshold: 3,
    periodSeconds: 300,
    evaluationPeriods: 6,
    datapointsToAlarm: 6,
    treatMissingData: 'breaching',
    mitigations: [],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['HighAPIErrorRate', 'PartialRegionOutage'],
    customerFacing: true,
    decision:
      'An anomaly band (3 standard deviations below the model, 30 minutes) instead of a fixed 50%: the band learns the ' +
      'daily and weekly traffic shape, which is exactly the runbook\'s "not during expected low-traffic period". ' +
      'Zero requests (no datapoints) is breaching: silence from a busy API is the failure, so empty periods count as 0.',
  },
];
