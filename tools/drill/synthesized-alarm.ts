import { PutMetricAlarmCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { findResource, type CfnTemplate } from './templates';

/** Properties that name other resources of the stack (its topics): the emulated alarm notifies nobody. */
const ACTIONS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;

/**
 * Creates in an emulated CloudWatch the metric alarm `alarmName` exactly as the app's synthesized templates declare
 * it: name, metrics or metric math, threshold, evaluation (CloudFormation's AWS::CloudWatch::Alarm properties are
 * PutMetricAlarm's, same names). Its actions are left out (they reference the stack's topics).
 * @throws if no template declares it, or a property left is still a CloudFormation reference
 */
export async function putSynthesizedAlarm(cloudwatch: CloudWatchClient, templates: Iterable<CfnTemplate>, alarmName: string): Promise<void> {
  const properties = findResource(templates, 'AWS::CloudWatch::Alarm', 'AlarmName', alarmName)?.Properties;
  if (!properties) throw new Error(`no synthesized stack declares the alarm ${alarmName}`);
  const input = Object.fromEntries(Object.entries(properties).filter(([name]) => !(ACTIONS as readonly string[]).includes(name)));
  const unresolved = JSON.stringify(input).match(/"(Ref|Fn::[A-Za-z]+)"/);
  if (unresolved) throw new Error(`the alarm ${alarmName} still holds a CloudFormation ${unresolved[1]}: the emulated account cannot resolve it`);
  await cloudwatch.send(new PutMetricAlarmCommand(input as unknown as PutMetricAlarmCommandInput));
}
