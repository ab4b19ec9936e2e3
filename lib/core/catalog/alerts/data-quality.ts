import type { AlertDefinition } from '../types';

/** Category 3 of the runbook: drift, missing features, pipeline stalls, schema violations. */
export const DATA_QUALITY_ALERTS: readonly AlertDefinition[] = [
  {
    id: 'DataDriftDetected',
    category: 'data-quality',
    severity: 'P2',
    summary: 'Input distribution drift: KL divergence above 0.5 for 1 hour',
    runbookWording: ['Data drift detected (input distribution changed significantly)', 'Input distribution changed significantly (KL divergence >0.5)'],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'ai', name: 'DataDriftKLDivergence', statistic: 'Minimum' } },
    comparison: 'GreaterThanThreshold',
    threshold: 0.5,
    periodSeconds: 900,
    evaluationPeriods: 4,
    datapointsToAlarm: 4,
    treatMissingData: 'missing',
    mitigations: [],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['ModelAccuracyDegraded', 'LowConfidencePredictions', 'MissingFeatures'],
    customerFacing: false,
    decision:
      'The Prometheus rule says "for: 1h". Four 15-minute periods with the Minimum statistic: a period breaches only if ' +
      'every drift reading in it is above 0.5, so the alarm needs a full hour of drift (a Maximum would fire after 46 minutes).',
  },
  {
    id: 'MissingFeatures',
    category: 'data-quality',
    severity: 'P2',
    summary: 'More than 10% of required input features missing for 15 minutes',
    runbookWording: ['>10% of required features missing in input data'],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'IF(expected > 0, missing / expected, 0)',
      metrics: {
        missing: { source: 'ai', name: 'MissingRequiredFeatures', statistic: 'Sum' },
        expected: { source: 'ai', name: 'RequiredFeaturesExpected', statistic: 'Sum' },
      },
      label: 'Share of required features missing',
    },
    comparison: 'GreaterThanThreshold',
    threshold: 0.1,
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['DataPipelineStalled', 'SchemaViolation', 'DataDriftDetected'],
    customerFacing: false,
    decision: 'The runbook gives no duration; 15 minutes, matching the other data-quality shares.',
  },
  {
    id: 'DataPipelineStalled',
    category: 'data-quality',
    severity: 'P1',
    summary: 'No records processed for one schedule interval plus the allowed delay (daily job: 24 h + 6 h; missing data breaches)',
    runbookWording: ['Data pipeline complete failure (no data processed in 6 hours)', 'No data processed in expected window (e.g., 6 hours for daily job)'],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'FILL(records, 0)',
      metrics: { records: { source: 'ai', name: 'RecordsProcessed', statistic: 'Sum' } },
      label: 'Records processed per hour',
    },
    comparison: 'LessThanThreshold',
    threshold: 1,
    periodSeconds: 3600,
    // The defaults' window (daily + 6 hours); config.dataPipeline sets it per environment.
    evaluationPeriods: 30,
    datapointsToAlarm: 30,
    durationFrom: 'dataPipelineWindow',
    treatMissingData: 'breaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['MissingFeatures', 'ScheduledJobCompleted'],
    customerFacing: false,
    decision:
      'The runbook says "no data processed in 6 hours" (severity examples) and "no data processed in expected window ' +
      '(e.g., 6 hours for daily job)" (category). Read literally, 6 hours pages a healthy daily job every day, 18 hours ' +
      'after its run. The window is one schedule interval plus the allowed delay (config.dataPipeline: daily and the ' +
      "runbook's 6 hours by default, 30 one-hour periods, all empty): a healthy job never pages, a missed run pages 6 " +
      'hours after it was due. An hour with no datapoint counts as zero records (FILL) and missing data is breaching: a ' +
      'pipeline that publishes nothing at all is exactly the failure. scheduleMinutes 0 is a continuous pipeline: 6 hours.',
  },
  {
    id: 'SchemaViolation',
    category: 'data-quality',
    severity: 'P2',
    summary: 'Input records failing schema validation in two consecutive 5-minute periods',
    runbookWording: ['Input data schema mismatch (unexpected fields, wrong types)'],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'ai', name: 'SchemaViolations', statistic: 'Sum' } },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['MissingFeatures', 'HighInferenceErrorRate'],
    customerFacing: false,
    decision:
      'The runbook gives no number. Any violation counts, but only when it persists across two 5-minute periods: ' +
      'one stray record is not an upstream change.',
  },
];
