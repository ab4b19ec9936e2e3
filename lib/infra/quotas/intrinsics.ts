/**
 * Conservative sizes of CloudFormation intrinsics after CloudFormation resolves them. Quotas apply to the
 * resolved value (IAM measures the policy CloudFormation sends, with real ARNs in it), but at synth a policy
 * holds `Ref`s, `Fn::GetAtt`s and `Fn::Join`s. {@link materialize} replaces each intrinsic with a placeholder
 * string as long as the longest value it can resolve to, so the caller measures an upper bound.
 *
 * The estimates (documented in docs/deploy.md#quotas):
 * - AWS::AccountId: 12 digits. AWS::Region: the stack's region when known, else the longest region name
 *   (14, "ap-southeast-5"). AWS::Partition: derived from a known region ("aws" for commercial ones), else
 *   the longest partition (10, "aws-us-gov"). AWS::URLSuffix: "amazonaws.com", or 16 ("amazonaws.com.cn")
 *   when the region is unknown. AWS::StackName: the stack's name.
 * - A Ref or Fn::GetAtt of a resource: its name or ARN built from parts. A name the template sets as a
 *   literal is used as is; a name CloudFormation generates is `<stack>-<logicalId>-<13-char suffix>`, cut at
 *   the service's maximum name length (role 64, topic 256, queue 80, table 255, function 64, ...).
 * - A Ref of a parameter: its default value, else 4,096 (CloudFormation's parameter value quota).
 * - Fn::ImportValue: the exporting output's estimate when the exporting template is at hand, else 4,096.
 * - Fn::If: the longer branch. Fn::Select: the selected item (the longest when the index is a token).
 * - Fn::Base64: 4/3 of its input. Anything else: 1,024 characters.
 */

/** A resource of a template, as much of it as the estimator reads. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A CloudFormation template, as much of it as the quota guard reads. */
export interface CfnTemplate {
  readonly Description?: string;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Where intrinsics resolve: the template, its stack's name and environment, other stacks' exports. */
export interface ResolveContext {
  readonly template: CfnTemplate;
  readonly stackName: string;
  /** The stack's region, when the app pins it. */
  readonly region?: string;
  /** The stack's account, when the app pins it. */
  readonly account?: string;
  /** Estimated length of each export of the app (by export name), for Fn::ImportValue. */
  readonly exports?: ReadonlyMap<string, number>;
}

export const ACCOUNT_LENGTH = 12;
/** The longest region names are 14 characters ("ap-southeast-5", "ap-northeast-3"). */
export const LONGEST_REGION = 14;
/** The longest partition is "aws-us-gov". */
export const LONGEST_PARTITION = 10;
/** CloudFormation's maximum parameter value: the bound for a value the template cannot tell. */
export const UNBOUNDED_VALUE = 4_096;
/** An intrinsic the estimator does not model (Fn::Cidr, Fn::GetAZs, Fn::Split, ...). */
export const UNKNOWN_INTRINSIC = 1_024;
/** The random suffix CloudFormation appends to a generated physical name ("-" plus 12-13 characters). */
const GENERATED_SUFFIX = 14;

/** How a resource type is named and what its ARN looks like. */
interface Naming {
  /** The property that sets the name, when the template may set it. */
  readonly nameProperty?: string;
  /** The service's maximum name length, which a generated name is cut at. */
  readonly maxName: number;
  /** The ARN, from partition, region, account and name. */
  readonly arn: (p: string, r: string, a: string, name: string) => string;
  /** What `Ref` returns. */
  readonly ref: 'name' | 'arn' | 'id';
}

const NAMING: Record<string, Naming> = {
  'AWS::SNS::Topic': { nameProperty: 'TopicName', maxName: 256, arn: (p, r, a, n) => `arn:${p}:sns:${r}:${a}:${n}`, ref: 'arn' },
  'AWS::IAM::Role': { nameProperty: 'RoleName', maxName: 64, arn: (p, _r, a, n) => `arn:${p}:iam::${a}:role/${n}`, ref: 'name' },
  'AWS::IAM::ManagedPolicy': { nameProperty: 'ManagedPolicyName', maxName: 128, arn: (p, _r, a, n) => `arn:${p}:iam::${a}:policy/${n}`, ref: 'arn' },
  'AWS::IAM::Policy': { nameProperty: 'PolicyName', maxName: 128, arn: (p, _r, a, n) => `arn:${p}:iam::${a}:policy/${n}`, ref: 'name' },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', maxName: 64, arn: (p, r, a, n) => `arn:${p}:lambda:${r}:${a}:function:${n}`, ref: 'name' },
  'AWS::SQS::Queue': { nameProperty: 'QueueName', maxName: 80, arn: (p, r, a, n) => `arn:${p}:sqs:${r}:${a}:${n}`, ref: 'id' },
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', maxName: 255, arn: (p, r, a, n) => `arn:${p}:dynamodb:${r}:${a}:table/${n}`, ref: 'name' },
  'AWS::KMS::Key': { maxName: 36, arn: (p, r, a, n) => `arn:${p}:kms:${r}:${a}:key/${n}`, ref: 'name' },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    maxName: 80,
    arn: (p, r, a, n) => `arn:${p}:states:${r}:${a}:stateMachine:${n}`,
    ref: 'arn',
  },
  'AWS::Events::Rule': { nameProperty: 'Name', maxName: 64, arn: (p, r, a, n) => `arn:${p}:events:${r}:${a}:rule/${n}`, ref: 'name' },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', maxName: 512, arn: (p, r, a, n) => `arn:${p}:logs:${r}:${a}:log-group:${n}:*`, ref: 'name' },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    maxName: 512,
    arn: (p, r, a, n) => `arn:${p}:secretsmanager:${r}:${a}:secret:${n}-xxxxxx`,
    ref: 'arn',
  },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', maxName: 255, arn: (p, r, a, n) => `arn:${p}:cloudwatch:${r}:${a}:alarm:${n}`, ref: 'name' },
  'AWS::CloudWatch::CompositeAlarm': { nameProperty: 'AlarmName', maxName: 255, arn: (p, r, a, n) => `arn:${p}:cloudwatch:${r}:${a}:alarm:${n}`, ref: 'name' },
  'AWS::SSM::Parameter': { nameProperty: 'Name', maxName: 2_048, arn: (p, r, a, n) => `arn:${p}:ssm:${r}:${a}:parameter/${n}`, ref: 'name' },
  'AWS::CloudWatch::Dashboard': { nameProperty: 'DashboardName', maxName: 255, arn: (p, _r, a, n) => `arn:${p}:cloudwatch::${a}:dashboard/${n}`, ref: 'name' },
};

/** A resource type the table does not know: an ARN of a 255-character name. */
const GENERIC: Naming = { maxName: 255, arn: (p, r, a, n) => `arn:${p}:service:${r}:${a}:${n}`, ref: 'name' };

/** A string of `length` characters standing for a resolved value. No whitespace: IAM counts every one of them. */
export function placeholder(length: number): string {
  return 'x'.repeat(Math.max(0, Math.ceil(length)));
}

/** The partition of a known region; the longest partition for an unknown one. */
export function partitionLength(region: string | undefined): number {
  if (region === undefined) return LONGEST_PARTITION;
  if (region.startsWith('cn-')) return 'aws-cn'.length;
  if (region.startsWith('us-gov-')) return 'aws-us-gov'.length;
  if (region.startsWith('us-isob-')) return 'aws-iso-b'.length;
  if (region.startsWith('us-iso-')) return 'aws-iso'.length;
  if (region.startsWith('eusc-')) return 'aws-eusc'.length;
  return 'aws'.length;
}

/** The resolved length of a pseudo parameter (`AWS::Region`, ...), or undefined for an unknown one. */
export function pseudoLength(name: string, ctx: ResolveContext): number | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return ctx.account?.length ?? ACCOUNT_LENGTH;
    case 'AWS::Region':
      return ctx.region?.length ?? LONGEST_REGION;
    case 'AWS::Partition':
      return partitionLength(ctx.region);
    case 'AWS::URLSuffix':
      return ctx.region === undefined || ctx.region.startsWith('cn-') ? 'amazonaws.com.cn'.length : 'amazonaws.com'.length;
    case 'AWS::StackName':
      return ctx.stackName.length;
    case 'AWS::StackId':
      return arnParts(ctx).arnPrefix('cloudformation') + `stack/${ctx.stackName}/`.length + 36;
    case 'AWS::NoValue':
      return 0;
    default:
      return undefined;
  }
}

function arnParts(ctx: ResolveContext) {
  const p = placeholder(partitionLength(ctx.region));
  const r = placeholder(pseudoLength('AWS::Region', ctx)!);
  const a = placeholder(pseudoLength('AWS::AccountId', ctx)!);
  return { p, r, a, arnPrefix: (service: string) => `arn:${p}:${service}:${r}:${a}:`.length };
}

/** The name of a template resource: its literal name property, or CloudFormation's generated name cut at the service maximum. */
export function nameLength(logicalId: string, ctx: ResolveContext): number {
  const resource = ctx.template.Resources?.[logicalId];
  const naming = (resource && NAMING[resource.Type]) ?? GENERIC;
  const set = naming.nameProperty === undefined ? undefined : resource?.Properties?.[naming.nameProperty];
  if (set !== undefined) return Math.min(stringLength(set, ctx), naming.maxName);
  return Math.min(naming.maxName, ctx.stackName.length + 1 + logicalId.length + GENERATED_SUFFIX);
}

function arnLength(logicalId: string, ctx: ResolveContext): number {
  const naming = NAMING[ctx.template.Resources?.[logicalId]?.Type ?? ''] ?? GENERIC;
  const { p, r, a } = arnParts(ctx);
  return naming.arn(p, r, a, placeholder(nameLength(logicalId, ctx))).length;
}

/** The resolved length of `{ Ref: target }`. */
export function refLength(target: string, ctx: ResolveContext): number {
  const pseudo = pseudoLength(target, ctx);
  if (pseudo !== undefined) return pseudo;
  const parameter = ctx.template.Parameters?.[target];
  if (parameter !== undefined) return typeof parameter.Default === 'string' ? parameter.Default.length : UNBOUNDED_VALUE;
  const resource = ctx.template.Resources?.[target];
  if (resource === undefined) return UNKNOWN_INTRINSIC;
  const naming = NAMING[resource.Type] ?? GENERIC;
  if (naming.ref === 'arn') return arnLength(target, ctx);
  if (naming.ref === 'id' && resource.Type === 'AWS::SQS::Queue') {
    const { r, a } = arnParts(ctx);
    return `https://sqs.${r}.amazonaws.com.cn/${a}/`.length + nameLength(target, ctx);
  }
  return nameLength(target, ctx);
}

/** The resolved length of `{ 'Fn::GetAtt': [target, attribute] }`. */
export function getAttLength(target: string, attribute: string, ctx: ResolveContext): number {
  const resource = ctx.template.Resources?.[target];
  if (resource === undefined) return UNKNOWN_INTRINSIC;
  const { r } = arnParts(ctx);
  switch (attribute) {
    case 'Arn':
    case 'TopicArn':
      return arnLength(target, ctx);
    case 'StreamArn':
      return arnLength(target, ctx) + '/stream/2026-12-07T15:00:00.000'.length;
    case 'Name':
    case 'TopicName':
    case 'QueueName':
    case 'RoleId':
      return attribute === 'RoleId' ? 128 : nameLength(target, ctx);
    case 'QueueUrl':
      return refLength(target, ctx);
    case 'FunctionUrl':
      return `https://${placeholder(32)}.lambda-url.${r}.on.aws/`.length;
    default:
      return attribute.endsWith('Arn') ? arnLength(target, ctx) : 255;
  }
}

/** The resolved length of a string-valued expression (a literal string or an intrinsic). */
export function stringLength(value: unknown, ctx: ResolveContext): number {
  const resolved = materialize(value, ctx);
  return typeof resolved === 'string' ? resolved.length : (JSON.stringify(resolved) ?? '').length;
}

const isIntrinsic = (value: object): value is Record<string, unknown> => {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
};

/**
 * The value with every intrinsic replaced by a placeholder as long as its longest resolution (module comment).
 * Plain JSON comes back unchanged; `Fn::Join` and `Fn::Sub` come back as strings of the right length.
 */
export function materialize(value: unknown, ctx: ResolveContext): unknown {
  const resolved = resolve(value, ctx);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** {@link materialize}, with `AWS::NoValue` as a marker its callers drop from objects and lists. */
function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, ctx)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  if (!isIntrinsic(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolve(item, ctx);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }
  const [name, arg] = Object.entries(value)[0]!;
  switch (name) {
    case 'Ref':
      return arg === 'AWS::NoValue' ? NO_VALUE : placeholder(refLength(String(arg), ctx));
    case 'Fn::GetAtt': {
      const [target, ...attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return placeholder(getAttLength(target!, attribute.join('.'), ctx));
    }
    case 'Fn::Join': {
      const [delimiter, parts] = arg as [string, unknown];
      const items = materialize(parts, ctx);
      if (!Array.isArray(items)) return placeholder(UNKNOWN_INTRINSIC);
      return items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(delimiter);
    }
    case 'Fn::Sub':
      return substitute(arg, ctx);
    case 'Fn::If': {
      const [, whenTrue, whenFalse] = arg as [unknown, unknown, unknown];
      const [a, b] = [materialize(whenTrue, ctx), materialize(whenFalse, ctx)];
      return JSON.stringify(a ?? '').length >= JSON.stringify(b ?? '').length ? a : b;
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = materialize(list, ctx);
      if (!Array.isArray(items)) return placeholder(UNKNOWN_INTRINSIC);
      const i = Number(index);
      if (Number.isInteger(i) && items[i] !== undefined) return items[i];
      return items.reduce((longest: unknown, item) => (JSON.stringify(item).length > JSON.stringify(longest ?? '').length ? item : longest), '');
    }
    case 'Fn::FindInMap': {
      const [map, top, second] = (arg as unknown[]).map((part) => materialize(part, ctx));
      const found = ctx.template.Mappings?.[String(map)]?.[String(top)]?.[String(second)];
      return found ?? placeholder(UNKNOWN_INTRINSIC);
    }
    case 'Fn::Base64':
      return placeholder(Math.ceil(stringLength(arg, ctx) / 3) * 4);
    case 'Fn::ImportValue': {
      const exportName = materialize(arg, ctx);
      return placeholder((typeof exportName === 'string' ? ctx.exports?.get(exportName) : undefined) ?? UNBOUNDED_VALUE);
    }
    default:
      return placeholder(UNKNOWN_INTRINSIC);
  }
}

/** `AWS::NoValue`: the property or list item disappears. */
const NO_VALUE = Symbol('AWS::NoValue');

function substitute(arg: unknown, ctx: ResolveContext): string {
  const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>?]) : [String(arg), undefined];
  return text.replace(/\$\{(!?)([^}]*)\}/g, (_match, literal: string, name: string) => {
    if (literal === '!') return '${' + name + '}';
    if (variables && name in variables) {
      const resolved = materialize(variables[name], ctx);
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    }
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return placeholder(getAttLength(name.slice(0, dot), name.slice(dot + 1), ctx));
    return placeholder(refLength(name, ctx));
  });
}
