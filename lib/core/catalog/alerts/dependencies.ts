import type { AlertDefinition } from '../types';

/**
 * The HighAPIErrorRate runbook's "Related Alerts" and "Prevention" name these: the LLM provider and the
 * database behind the API. Their alarms are also the evidence the error-rate decision tree reads.
 */
export const DEPENDENCY_ALERTS: readonly AlertDefinition[] = [
  {
    id: 'LLMDependencyDown',
    category: 'infrastructure',
    severity: 'P2',
    summary: 'LLM provider (OpenAI) calls failing above 10% for 3 minutes',
    runbookWording: ['OpenAIDependencyDown', 'Auto-fallback if OpenAI errors >10%'],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'IF(calls > 0, errors / calls, 0)',
      metrics: {
        errors: { source: 'ai', name: 'LLMProviderErrors', statistic: 'Sum' },
        calls: { source: 'ai', name: 'LLMProviderCalls', statistic: 'Sum' },
      },
      label: 'LLM provider error rate',
    },
    comparison: 'GreaterThanThreshold',
    threshold: 0.1,
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    mitigations: ['fallback-mode'],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['HighAPIErrorRate', 'LLMDependencyLatency'],
    customerFacing: true,
    decision:
      'The runbook\'s "circuit breaker: auto-fallback if OpenAI errors >10%" made an alert. P2, not P1: the fallback ' +
      'keeps the API answering; if it does not, HighAPIErrorRate pages P1. Named for any LLM provider.',
  },
  {
    id: 'LLMDependencyLatency',
    category: 'infrastructure',
    severity: 'P3',
    summary: 'LLM provider p95 latency above the API SLA for 10 minutes',
    runbookWording: ['Alert if OpenAI API latency elevated'],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'ai', name: 'LLMProviderLatency', statistic: 'p95' } },
    comparison: 'GreaterThanThreshold',
    threshold: { times: 1, of: 'slaSeconds' },
    periodSeconds: 60,
    evaluationPeriods: 10,
    datapointsToAlarm: 10,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p3-ticket',
    relatedAlerts: ['LLMDependencyDown', 'HighAPILatency'],
    customerFacing: false,
    decision: 'A provider slower than our whole SLA budget cannot meet it; the metric is in seconds.',
  },
  {
    id: 'DatabaseConnectionPoolExhausted',
    category: 'infrastructure',
    severity: 'P2',
    summary: 'Database connections above 90% of the instance maximum for 5 minutes',
    runbookWording: ['DatabaseConnectionPoolExhausted', 'Vector DB (pgvector): Check RDS connection count'],
    scope: 'service-rds',
    measurement: { kind: 'metric', metric: { source: 'rds', name: 'DatabaseConnections', statistic: 'Maximum' } },
    comparison: 'GreaterThanThreshold',
    threshold: { times: 0.9, of: 'rdsMaxConnections' },
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: 'missing',
    mitigations: ['rds-scale-up'],
    escalationPolicy: 'p2-standard',
    relatedAlerts: ['HighAPIErrorRate', 'DatabaseHighCPU'],
    customerFacing: true,
    decision:
      'Scaling the class up raises max_connections when the parameter group derives it from memory (the RDS default); ' +
      'with a pinned max_connections it does not help, so set rds.maxConnections to the real limit and turn the ' +
      'mitigation off with alerts.DatabaseConnectionPoolExhausted.mitigations = []. The class change applies immediately: expect a failover (Multi-AZ) or a restart. ' +
      "Because each change is such an interruption, rds-scale-up goes straight to the runbook's db.r6g.2xlarge (the top of the ladder) in one change; " +
      'automation.rdsScaleUpTo = next climbs one class per action instead.',
  },
  {
    id: 'DatabaseHighCPU',
    category: 'infrastructure',
    severity: 'P3',
    summary: 'Database CPU above 90% for 10 minutes',
    runbookWording: ['Database: Check RDS metrics in CloudWatch', 'Vector DB (pgvector): Check RDS ... CPU'],
    scope: 'service-rds',
    measurement: { kind: 'metric', metric: { source: 'rds', name: 'CPUUtilization', statistic: 'Average' } },
    comparison: 'GreaterThanThreshold',
    threshold: 90,
    periodSeconds: 60,
    evaluationPeriods: 10,
    datapointsToAlarm: 10,
    treatMissingData: 'missing',
    mitigations: [],
    escalationPolicy: 'p3-ticket',
    relatedAlerts: ['DatabaseConnectionPoolExhausted', 'HighAPIErrorRate', 'HighAPILatency'],
    customerFacing: false,
    decision:
      'Same line as compute CPU (>90% for 10 minutes). No automatic scale-up on a P3: a class change restarts or fails over ' +
      "the instance, which a ticket-level alert does not justify; HighAPIErrorRate's decision tree scales up when the " +
      'database is the cause of an outage.',
  },
];
