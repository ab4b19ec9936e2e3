import { materialize, stringLength, type CfnTemplate, type ResolveContext, type TemplateResource } from './intrinsics';
import { quota, type Quota, type QuotaId } from './quota-table';

/** One synthesized template to measure, with what its intrinsics resolve against. */
export interface StackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The template file (the template body CloudFormation receives). */
  readonly templatePath?: string;
  /** The template file's size in bytes. @default the size of the template serialized as CDK writes it */
  readonly bodyBytes?: number;
  readonly region?: string;
  readonly account?: string;
}

/** One measurement of one quota on one resource (or the whole template). */
export interface QuotaMeasurement {
  readonly quota: Quota;
  readonly stackName: string;
  readonly templatePath?: string;
  /** The resource measured; undefined for a template-wide quota. */
  readonly logicalId?: string;
  /** Where in the resource (a property path), for the report. */
  readonly location?: string;
  readonly value: number;
}

/** Size in bytes of a JSON value as a service receives it (minified, UTF-8). */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

/** IAM's count: characters of the minified document, whitespace excluded (inside strings too). */
export const iamCharacters = (value: unknown): number => (JSON.stringify(value) ?? '').replace(/\s/g, '').length;

/**
 * Every quota measurement of a set of templates (one app). Intrinsics are resolved to their conservative
 * lengths (./intrinsics.ts); `Fn::ImportValue` resolves against the other templates' exports.
 */
export function measureStacks(stacks: readonly StackTemplate[]): QuotaMeasurement[] {
  const exports = exportLengths(stacks);
  return stacks.flatMap((stack) => measureTemplate(stack, exports));
}

/** Estimated length of every export of these templates, by export name. */
function exportLengths(stacks: readonly StackTemplate[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const stack of stacks) {
    const ctx = contextOf(stack);
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      const name = output.Export?.Name === undefined ? undefined : materialize(output.Export.Name, ctx);
      if (typeof name === 'string') out.set(name, stringLength(output.Value, ctx));
    }
  }
  return out;
}

const contextOf = (stack: StackTemplate, exports?: ReadonlyMap<string, number>): ResolveContext => ({
  template: stack.template,
  stackName: stack.stackName,
  region: stack.region,
  account: stack.account,
  exports,
});

/** Every quota measurement of one template. */
export function measureTemplate(stack: StackTemplate, exports?: ReadonlyMap<string, number>): QuotaMeasurement[] {
  const ctx = contextOf(stack, exports);
  const { template } = stack;
  const out: QuotaMeasurement[] = [];
  const add = (id: QuotaId, value: number, logicalId?: string, location?: string) =>
    out.push({ quota: quota(id), stackName: stack.stackName, templatePath: stack.templatePath, logicalId, location, value });
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const props = (r: TemplateResource) => r.Properties ?? {};

  // CDK writes templates with a one-space indent: that file is the body CloudFormation receives.
  add('cfn-template-body', stack.bodyBytes ?? Buffer.byteLength(JSON.stringify(template, undefined, 1)));
  add('cfn-resources', resources.length);
  add('cfn-outputs', Object.keys(template.Outputs ?? {}).length);
  add('cfn-parameters', Object.keys(template.Parameters ?? {}).length);
  if (template.Description !== undefined) add('cfn-description', Buffer.byteLength(template.Description), undefined, 'Description');

  for (const [id, r] of ofType('AWS::IAM::ManagedPolicy'))
    add('iam-managed-policy-size', iamCharacters(materialize(props(r).PolicyDocument, ctx)), id, 'Properties/PolicyDocument');
  for (const [roleId, role] of ofType('AWS::IAM::Role')) {
    const inline = ((props(role).Policies as { PolicyDocument?: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument);
    const attached = resources.filter(([, r]) => r.Type === 'AWS::IAM::Policy' && refersTo(props(r).Roles, roleId)).map(([, r]) => props(r).PolicyDocument);
    add(
      'iam-role-inline-policies',
      [...inline, ...attached].reduce((sum: number, doc) => sum + iamCharacters(materialize(doc, ctx)), 0),
      roleId,
      'Properties/Policies + AWS::IAM::Policy',
    );
    const arns = materialize(props(role).ManagedPolicyArns, ctx);
    const managed = (Array.isArray(arns) ? arns.length : 0) + ofType('AWS::IAM::ManagedPolicy').filter(([, r]) => refersTo(props(r).Roles, roleId)).length;
    add('iam-role-managed-policies', managed, roleId, 'Properties/ManagedPolicyArns + AWS::IAM::ManagedPolicy');
  }

  const functionPolicies = new Map<string, number[]>();
  for (const [id, r] of ofType('AWS::Lambda::Permission')) {
    const target = functionOf(props(r).FunctionName);
    functionPolicies.set(target, [...(functionPolicies.get(target) ?? []), jsonBytes(permissionStatement(id, props(r), ctx))]);
  }
  for (const [id, r] of ofType('AWS::Lambda::Function')) {
    const variables = (props(r).Environment as { Variables?: unknown } | undefined)?.Variables;
    add('lambda-environment', variables === undefined ? 0 : jsonBytes(materialize(variables, ctx)), id, 'Properties/Environment/Variables');
    const statements = functionPolicies.get(id) ?? [];
    // The envelope: {"Version":"2012-10-17","Id":"default","Statement":[...]} plus a comma between statements.
    const envelope = jsonBytes({ Version: '2012-10-17', Id: 'default', Statement: [] });
    add(
      'lambda-resource-policy',
      statements.length === 0 ? 0 : envelope + statements.reduce((a, b) => a + b, 0) + statements.length - 1,
      id,
      'AWS::Lambda::Permission',
    );
  }

  for (const [id, r] of ofType('AWS::StepFunctions::StateMachine')) {
    const p = props(r);
    const definition =
      p.DefinitionString !== undefined ? stringLength(p.DefinitionString, ctx) : p.Definition !== undefined ? jsonBytes(materialize(p.Definition, ctx)) : 0;
    add('sfn-definition', definition, id, p.DefinitionString !== undefined ? 'Properties/DefinitionString' : 'Properties/Definition');
  }

  for (const [id, r] of ofType('AWS::CloudWatch::Dashboard'))
    add('cw-dashboard-widgets', widgetCount(materialize(props(r).DashboardBody, ctx)), id, 'Properties/DashboardBody');

  for (const [id, r] of [...ofType('AWS::CloudWatch::Alarm'), ...ofType('AWS::CloudWatch::CompositeAlarm')]) {
    const p = props(r);
    if (p.AlarmName !== undefined) add('cw-alarm-name', stringLength(p.AlarmName, ctx), id, 'Properties/AlarmName');
    if (p.AlarmDescription !== undefined) add('cw-alarm-description', stringLength(p.AlarmDescription, ctx), id, 'Properties/AlarmDescription');
    if (r.Type === 'AWS::CloudWatch::CompositeAlarm') add('cw-composite-alarm-rule', stringLength(p.AlarmRule, ctx), id, 'Properties/AlarmRule');
  }

  for (const [id, r] of ofType('AWS::SNS::TopicPolicy'))
    add('sns-topic-policy', jsonBytes(materialize(props(r).PolicyDocument, ctx)), id, 'Properties/PolicyDocument');
  for (const [id, r] of ofType('AWS::KMS::Key')) add('kms-key-policy', jsonBytes(materialize(props(r).KeyPolicy ?? {}, ctx)), id, 'Properties/KeyPolicy');
  for (const [id, r] of ofType('AWS::Events::Rule'))
    add('events-rule-targets', ((props(r).Targets as unknown[] | undefined) ?? []).length, id, 'Properties/Targets');
  return out;
}

/** Whether a list of `{ Ref }`s (a policy's Roles) names this logical id. */
function refersTo(list: unknown, logicalId: string): boolean {
  return Array.isArray(list) && list.some((item) => (item as { Ref?: unknown } | null)?.Ref === logicalId);
}

/** The function a permission is on: the logical id it references, or its literal name. */
function functionOf(name: unknown): string {
  if (typeof name === 'string') return name;
  const ref = (name as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (name as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  return JSON.stringify(name);
}

/**
 * The statement Lambda adds to a function's policy for one AWS::Lambda::Permission, with the keys Lambda
 * writes (Sid, Effect, Principal, Action, Resource, Condition) and CloudFormation's generated statement id.
 */
function permissionStatement(logicalId: string, p: Record<string, unknown>, ctx: ResolveContext): unknown {
  const principal = materialize(p.Principal, ctx);
  const isService = typeof principal === 'string' && principal.endsWith('.amazonaws.com');
  const condition: Record<string, Record<string, unknown>> = {};
  if (p.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': materialize(p.SourceArn, ctx) };
  if (p.SourceAccount !== undefined) (condition.StringEquals ??= {})['AWS:SourceAccount'] = materialize(p.SourceAccount, ctx);
  if (p.FunctionUrlAuthType !== undefined) (condition.StringEquals ??= {})['lambda:FunctionUrlAuthType'] = materialize(p.FunctionUrlAuthType, ctx);
  if (p.PrincipalOrgID !== undefined) (condition.StringEquals ??= {})['aws:PrincipalOrgID'] = materialize(p.PrincipalOrgID, ctx);
  // A literal FunctionName may be a name, a partial or a full ARN: Lambda writes the full ARN.
  const functionArn =
    typeof p.FunctionName === 'string'
      ? materialize({ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${p.FunctionName.split(':').pop()}` }, ctx)
      : materialize({ 'Fn::GetAtt': [functionOf(p.FunctionName), 'Arn'] }, ctx);
  return {
    Sid: materialize({ 'Fn::Sub': `\${AWS::StackName}-${logicalId}-xxxxxxxxxxxxx` }, ctx),
    Effect: 'Allow',
    Principal: isService ? { Service: principal } : { AWS: principal === '*' ? '*' : `arn:aws-us-gov:iam::${String(principal)}:root` },
    Action: materialize(p.Action, ctx),
    Resource: functionArn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** Widgets of a dashboard body (its `widgets` array); a body that is not JSON counts each `"type":` it holds. */
function widgetCount(body: unknown): number {
  if (typeof body !== 'string') return 0;
  try {
    const parsed = JSON.parse(body) as { widgets?: unknown[] };
    return parsed.widgets?.length ?? 0;
  } catch {
    return body.match(/"type"\s*:/g)?.length ?? 0;
  }
}
