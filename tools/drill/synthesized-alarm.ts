import { PutMetricAlarmCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** Properties that name other resources of the stack (its topics): the emulated alarm notifies nobody. */
const ACTIONS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;

/**
 * Creates in an emulated CloudWatch the metric alarm `alarmName` exactly as the app's synthesized stacks declare
 * it: name, metrics or metric math, threshold, evaluation (CloudFormation's AWS::CloudWatch::Alarm properties are
 * PutMetricAlarm's, same names). Its actions are left out (they reference the stack's topics).
 * @throws if no stack declares it, or a property left is still a CloudFormation reference
 */
export async function putSynthesizedAlarm(cloudwatch: CloudWatchClient, stacks: readonly Stack[], alarmName: string): Promise<void> {
  const declared = stacks.flatMap((stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: alarmName } })),
  );
  const properties = (declared[0] as { Properties?: Record<string, unknown> } | undefined)?.Properties;
  if (!properties) throw new Error(`no synthesized stack declares the alarm ${alarmName}`);
  const input = Object.fromEntries(Object.entries(properties).filter(([name]) => !(ACTIONS as readonly string[]).includes(name)));
  const unresolved = JSON.stringify(input).match(/"(Ref|Fn::[A-Za-z]+)"/);
  if (unresolved) throw new Error(`the alarm ${alarmName} still holds a CloudFormation ${unresolved[1]}: the emulated account cannot resolve it`);
  await cloudwatch.send(new PutMetricAlarmCommand(input as unknown as PutMetricAlarmCommandInput));
}
