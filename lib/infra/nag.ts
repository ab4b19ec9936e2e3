import { CfnElement, Stack, Token, Validations, type App } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Registers cdk-nag's AwsSolutions pack. Every acknowledgement of a finding lives next to the construct it
 * concerns, with its reason (Validations.of(scope).acknowledge), never here in bulk.
 */
export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** An ARN as cdk-nag prints it in a finding id: tokens as `<AWS::Partition>`, `<AWS::AccountId>`. */
export function nagArn(scope: IConstruct, service: string, resource: string): string {
  const stack = Stack.of(scope);
  const show = (value: string, token: string) => (Token.isUnresolved(value) ? `<${token}>` : value);
  return `arn:<AWS::Partition>:${service}:${show(stack.region, 'AWS::Region')}:${show(stack.account, 'AWS::AccountId')}:${resource}`;
}

/**
 * Acknowledges, on one role, the wildcards that CDK's own grants produce (the audit table's index, KMS data
 * keys of the encrypted topics) and the given extra findings, each with its reason.
 */
export function acknowledgeGrantWildcards(role: iam.Role, table: dynamodb.ITable, extra: readonly (readonly [finding: string, reason: string])[] = []): void {
  const tableId = Stack.of(role).getLogicalId(table.node.defaultChild as CfnElement);
  const findings: (readonly [string, string])[] = [
    [`Resource::<${tableId}.Arn>/index/*`, "queries of the audit table's own time index (CDK's table grant)"],
    ['Action::kms:GenerateDataKey*', 'publishing to the KMS-encrypted topics needs data keys of the topic key only (CDK topic grant)'],
    ...extra,
  ];
  for (const [finding, reason] of findings) Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason });
}

/** The wildcards of a state machine role that invokes Lambda functions with X-Ray tracing and logging on, and pages on-call directly. */
export function acknowledgeStateMachineWildcards(machine: IConstruct, functions: readonly IConstruct[]): void {
  const stack = Stack.of(machine);
  Validations.of(machine).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray trace segments and CloudWatch Logs delivery take no resource-level permission (CDK state machine grants)',
  });
  Validations.of(machine).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'the direct page to on-call (the catch target) publishes to the KMS-encrypted topic: data keys of the topic key only (CDK topic grant)',
  });
  for (const fn of functions) {
    const id = stack.getLogicalId((fn.node.defaultChild ?? fn) as CfnElement);
    Validations.of(machine).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${id}.Arn>:*]`,
      reason: 'invoking the versions and aliases of its own task function (CDK LambdaInvoke grant)',
    });
  }
}
