import type { AlertDefinition } from '../types';

/**
 * The stack watching itself (DESIGN.md: "responder errors, dead letters, failed escalations page P1"). These
 * are catalog entries like the others so their notifications reach the responder as known alarms with no
 * mitigation: a self-monitoring alarm that the responder could not recognise would be quarantined into the
 * dead-letter queue it watches, and page again.
 */
export const SELF_MONITORING_ALERTS: readonly AlertDefinition[] = [
  {
    id: 'ResponderErrors',
    category: 'self-monitoring',
    severity: 'P1',
    summary: 'The responder Lambda failed: an automatic mitigation failed or could not be evaluated',
    runbookWording: [],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'responder-function', name: 'Errors', statistic: 'Sum' } },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['ResponderDeadLetters', 'EscalationFailures'],
    customerFacing: false,
    decision:
      'Any error pages at once: a failed automatic action leaves the world in a state nobody chose, and the audit log ' +
      'names it. There is no automatic mitigation for the automation itself.',
  },
  {
    id: 'ResponderDeadLetters',
    category: 'self-monitoring',
    severity: 'P1',
    summary: "Notifications are waiting in the responders' dead-letter queue (failed after retries, or rejected as malformed)",
    runbookWording: [],
    scope: 'global',
    measurement: { kind: 'metric', metric: { source: 'dead-letter-queue', name: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum' } },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['ResponderErrors'],
    customerFacing: false,
    decision:
      'One queue holds both kinds of dead letter: an alarm the automation gave up on, and a message on an alert topic ' +
      "that is not an alarm of this stack (only this account's alarms may publish there, so either deserves a look now).",
  },
  {
    id: 'EscalationFailures',
    category: 'self-monitoring',
    severity: 'P1',
    summary: 'The escalation failed: an incident could not be opened or a page could not be sent',
    runbookWording: [],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'errors',
      metrics: { errors: { source: 'escalation-functions', name: 'Errors', statistic: 'Sum' } },
      label: 'Errors of the escalation starter and pager',
    },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['ResponderErrors', 'ResponderDeadLetters', 'EscalationExecutionFailures', 'EscalationThrottles'],
    customerFacing: false,
    decision:
      'A failed start or page means some incident may have paged nobody. Like every self-monitoring alarm, this one ' +
      'also notifies the on-call topic directly, around the escalation it watches; the failed events wait in the ' +
      'dead-letter queue, which ResponderDeadLetters watches.',
  },
  {
    id: 'EscalationExecutionFailures',
    category: 'self-monitoring',
    severity: 'P1',
    summary: 'An execution of the escalation or verification state machine failed or timed out: its later steps will not run',
    runbookWording: [],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'failed + timedOut',
      metrics: {
        failed: { source: 'escalation-state-machines', name: 'ExecutionsFailed', statistic: 'Sum' },
        timedOut: { source: 'escalation-state-machines', name: 'ExecutionsTimedOut', statistic: 'Sum' },
      },
      label: 'Failed and timed-out executions of the escalation and verification state machines',
    },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['EscalationFailures', 'EscalationThrottles'],
    customerFacing: false,
    decision:
      'A failed paging step is retried and then paged to on-call directly, so an execution that still fails has lost ' +
      'its last resort (the direct page failed too) or broke outside the steps; a timed-out one ran 14 days. Either ' +
      'way the incident has no escalation left: any one pages at once.',
  },
  {
    id: 'EscalationThrottles',
    category: 'self-monitoring',
    severity: 'P1',
    summary: 'The escalation is being throttled: its functions or state machines are at their concurrency or rate limit',
    runbookWording: [],
    scope: 'global',
    measurement: {
      kind: 'math',
      expression: 'functions + executions',
      metrics: {
        functions: { source: 'escalation-functions', name: 'Throttles', statistic: 'Sum' },
        executions: { source: 'escalation-state-machines', name: 'ExecutionThrottled', statistic: 'Sum' },
      },
      label: 'Throttles of the escalation starter and pager, and throttled state transitions',
    },
    comparison: 'GreaterThanThreshold',
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    mitigations: [],
    escalationPolicy: 'p1-standard',
    relatedAlerts: ['EscalationFailures', 'EscalationExecutionFailures'],
    customerFacing: false,
    decision:
      'A lone throttle is retried (EventBridge for 2 hours, the state machine 4 times), so it delays a page by seconds; ' +
      'throttling in 3 of 5 minutes means the retries are not keeping up and pages are late now. Raise ' +
      'escalation.concurrency or find what floods the functions.',
  },
];
