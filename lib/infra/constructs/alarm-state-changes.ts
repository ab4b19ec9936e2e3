import type * as events from 'aws-cdk-lib/aws-events';
import type { Config } from '../../core/config/schema';

/**
 * This environment's alarm transitions into ALARM and OK: what the home escalation acts on, and what every other
 * serving region forwards to it.
 */
export function alarmStateChanges(config: Config): events.EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: { alarmName: [{ prefix: `${config.prefix}-` }], state: { value: ['ALARM', 'OK'] } },
  };
}
