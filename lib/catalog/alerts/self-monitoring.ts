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
    summary: 'Notifications are waiting in the responders\' dead-letter queue (failed after retries, or rejected as malformed)',
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
      'that is not an alarm of this stack (only this account\'s alarms may publish there, so either deserves a look now).',
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
    relatedAlerts: ['ResponderErrors', 'ResponderDeadLetters'],
    customerFacing: false,
    decision:
      'A failed start or page means some incident may have paged nobody. Like every self-monitoring alarm, this one ' +
      'also notifies the on-call topic directly, around the escalation it watches; the failed events wait in the ' +
      'dead-letter queue, which ResponderDeadLetters watches.',
  },
];
