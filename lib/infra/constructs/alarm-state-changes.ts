import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { forwardingAccounts } from '../../core/config/regions';
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

/**
 * Lets each other account a service runs in put its forwarded alarm state changes on the home region's default
 * bus (the rule of its regional stacks targets it): CloudWatch's alarm state changes only, by the events:source and
 * events:detail-type condition keys, so no other event of those accounts reaches the home bus's rules.
 */
export function allowForwarding(scope: Construct, config: Config): void {
  const stack = Stack.of(scope);
  for (const account of forwardingAccounts(config)) {
    new events.CfnEventBusPolicy(scope, `ForwardingFrom${account}`, {
      eventBusName: 'default',
      statementId: `${config.prefix}-alarm-state-changes-from-${account}`,
      statement: {
        Effect: 'Allow',
        Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
        Action: 'events:PutEvents',
        Resource: stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
        Condition: { StringEquals: { 'events:source': 'aws.cloudwatch', 'events:detail-type': 'CloudWatch Alarm State Change' } },
      },
    });
  }
}
