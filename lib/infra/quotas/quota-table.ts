/**
 * AWS's deploy-time quotas that a synthesized template can break, in one table. Nothing local enforces
 * them (synth, cfn-lint, cdk-nag and moto all accept an oversized policy); CloudFormation fails at deploy.
 * The quota guard (./guard.ts) measures every template against this table on every synth.
 *
 * Each value was checked against the AWS page named in `source` (December 2026). Where a page says "KB",
 * the value is in KiB: the services' own errors count 1,024-byte kilobytes (Lambda: "The final policy size
 * (20539) is bigger than the limit (20480)").
 */

/** What a quota counts. IAM counts characters without whitespace; the others count bytes or items. */
export type QuotaUnit = 'bytes' | 'characters' | 'characters (whitespace excluded)' | 'items';

/** The AWS documentation page a quota's value comes from. */
export interface QuotaSource {
  readonly page: string;
  readonly url: string;
}

/** One AWS quota. */
export interface Quota {
  /** Stable id, used as the validation rule name. */
  readonly id: string;
  /** What it limits, as a short phrase ("managed policy size"). */
  readonly limits: string;
  /** What one measurement is taken on ("per template", "per role"). */
  readonly per: string;
  /** AWS's value. */
  readonly value: number;
  readonly unit: QuotaUnit;
  readonly source: QuotaSource;
  /** Why the value is this one, where the page needs reading (default vs. adjustable, KB vs. bytes). */
  readonly note?: string;
  /** What this stack's user can do about a breach, when it is more than "make it smaller". */
  readonly remedy?: string;
}

/** The roles list every configured target by ARN unless told to use tags: the one IAM growth a user controls. */
const IAM_REMEDY =
  "the stack's roles name every configured ECS service and RDS instance by ARN (automation.targetScope 'resources'); " +
  "set automation.targetScope: 'tags' and tag each target with automation.targetTagKey = the prefix (docs/configuration.md#fleets-and-iam)";

const CFN: QuotaSource = { page: 'CloudFormation quotas', url: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html' };
const IAM: QuotaSource = { page: 'IAM and AWS STS quotas', url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html' };
const LAMBDA: QuotaSource = { page: 'Lambda quotas', url: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' };
const SFN: QuotaSource = { page: 'Step Functions service quotas', url: 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html' };
const CLOUDWATCH: QuotaSource = {
  page: 'CloudWatch service quotas',
  url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html',
};
const CLOUDWATCH_API: QuotaSource = {
  page: 'CloudWatch API Reference: PutMetricAlarm / PutCompositeAlarm',
  url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html',
};
const SNS: QuotaSource = {
  page: 'Amazon SNS API permissions: policy quotas',
  url: 'https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html',
};
const KMS: QuotaSource = {
  page: 'KMS key policies (key policy format)',
  url: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
};
const EVENTBRIDGE: QuotaSource = { page: 'EventBridge quotas', url: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html' };

/** Every quota the guard checks, in the order the reports print them. */
export const QUOTAS = [
  {
    id: 'cfn-template-body',
    limits: 'template body size (uploaded through S3)',
    per: 'per template',
    value: 1_048_576,
    unit: 'bytes',
    source: CFN,
    note: "the page says 1 MB; CloudFormation counts 1,048,576 bytes. CDK's own synth warning fires earlier, at 1,000,000",
  },
  { id: 'cfn-resources', limits: 'resources', per: 'per template', value: 500, unit: 'items', source: CFN },
  { id: 'cfn-outputs', limits: 'outputs', per: 'per template', value: 200, unit: 'items', source: CFN },
  { id: 'cfn-parameters', limits: 'parameters', per: 'per template', value: 200, unit: 'items', source: CFN },
  { id: 'cfn-description', limits: 'template description', per: 'per template', value: 1_024, unit: 'bytes', source: CFN },
  {
    id: 'iam-managed-policy-size',
    limits: 'managed policy document',
    per: 'per managed policy',
    value: 6_144,
    unit: 'characters (whitespace excluded)',
    source: IAM,
    remedy: IAM_REMEDY,
  },
  {
    id: 'iam-role-inline-policies',
    limits: "a role's inline policies together",
    per: 'per role',
    value: 10_240,
    unit: 'characters (whitespace excluded)',
    source: IAM,
    remedy: IAM_REMEDY,
  },
  {
    id: 'iam-role-managed-policies',
    limits: 'managed policies attached',
    per: 'per role',
    value: 10,
    unit: 'items',
    source: IAM,
    note: 'the default quota; adjustable up to 20, which this project does not assume',
    remedy: IAM_REMEDY,
  },
  {
    id: 'lambda-environment',
    limits: 'environment variables together',
    per: 'per function',
    value: 4_096,
    unit: 'bytes',
    source: LAMBDA,
    note: '4 KB, measured by Lambda as the JSON of the variables',
  },
  {
    id: 'lambda-resource-policy',
    limits: 'resource-based policy',
    per: 'per function',
    value: 20_480,
    unit: 'bytes',
    source: LAMBDA,
    note: '20 KB: every AWS::Lambda::Permission of a function adds a statement to one policy',
  },
  {
    id: 'sfn-definition',
    limits: 'state machine definition',
    per: 'per state machine',
    value: 1_048_576,
    unit: 'bytes',
    source: SFN,
    note: '1 MB, a hard quota',
  },
  {
    id: 'cw-dashboard-widgets',
    limits: 'widgets',
    per: 'per dashboard',
    value: 500,
    unit: 'items',
    source: CLOUDWATCH,
    note: 'the dashboard body size has no documented quota of its own: the template body quota bounds it',
  },
  { id: 'cw-alarm-name', limits: 'alarm name', per: 'per alarm', value: 255, unit: 'characters', source: CLOUDWATCH_API },
  { id: 'cw-alarm-description', limits: 'alarm description', per: 'per alarm', value: 1_024, unit: 'characters', source: CLOUDWATCH_API },
  { id: 'cw-composite-alarm-rule', limits: 'composite alarm rule', per: 'per composite alarm', value: 10_240, unit: 'characters', source: CLOUDWATCH_API },
  { id: 'sns-topic-policy', limits: 'topic policy', per: 'per topic policy', value: 30_720, unit: 'bytes', source: SNS, note: '30 KB' },
  { id: 'kms-key-policy', limits: 'key policy', per: 'per key', value: 32_768, unit: 'bytes', source: KMS, note: '32 KB (32,768 bytes)' },
  { id: 'events-rule-targets', limits: 'targets', per: 'per rule', value: 5, unit: 'items', source: EVENTBRIDGE },
] as const satisfies readonly Quota[];

/** The id of one of {@link QUOTAS}. */
export type QuotaId = (typeof QUOTAS)[number]['id'];

/** The quota with this id. */
export function quota(id: QuotaId): Quota {
  return QUOTAS.find((q) => q.id === id)!;
}

/** A quota's value with its unit, as reports print it ("6,144 characters (whitespace excluded)"). */
export function formatLimit(q: Quota): string {
  return `${q.value.toLocaleString('en-US')} ${q.unit}`;
}
