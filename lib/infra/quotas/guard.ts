import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';
import type { CfnTemplate } from './intrinsics';
import { measureStacks, type QuotaMeasurement, type StackTemplate } from './measure';
import { QUOTAS, formatLimit } from './quota-table';

/** The measurements over their quota's value. */
export function quotaBreaches(measurements: readonly QuotaMeasurement[]): QuotaMeasurement[] {
  return measurements.filter((m) => m.value > m.quota.value);
}

/** Where a measurement was taken: `stack/LogicalId` (the stack alone for a template-wide quota). */
export const measuredAt = (m: QuotaMeasurement): string => (m.logicalId === undefined ? m.stackName : `${m.stackName}/${m.logicalId}`);

/** One line naming the quota, its AWS value, the resource and its size: what synth stops with. */
export function describeBreach(m: QuotaMeasurement): string {
  const q = m.quota;
  return (
    `${q.source.page}: ${q.limits} ${q.per} is at most ${formatLimit(q)} (quota ${q.id}); ` +
    `${measuredAt(m)}${m.location ? ` (${m.location})` : ''} measures ${m.value.toLocaleString('en-US')} ${q.unit}` +
    ` after intrinsics resolve (conservative estimate). Source: ${q.source.url}`
  );
}

/** A template of a synthesized stack, read from the file CloudFormation will receive. */
export function readStackTemplate(templatePath: string, stackName: string, region?: string, account?: string): StackTemplate {
  const body = readFileSync(templatePath);
  return { stackName, templatePath, template: JSON.parse(body.toString('utf8')) as CfnTemplate, bodyBytes: statSync(templatePath).size, region, account };
}

/**
 * The quota guard: a CDK policy validation plugin that measures every synthesized template against AWS's
 * deploy-time quotas (./quota-table.ts) and fails synth on any breach, naming the quota, its AWS value, the
 * resource and its size. Registered on the app by `buildApp`, so `npm run synth`, `cdk synth` and every
 * test synth run it. A breach is `fatal`: it cannot be acknowledged away, since CloudFormation would fail.
 */
export class QuotaGuard implements IPolicyValidationPlugin {
  public readonly name = 'AWS-Quotas';
  public readonly version = '1.0.0';
  public readonly ruleIds = QUOTAS.map((q) => q.id);

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = context.stackTemplates.map((s) => readStackTemplate(s.templatePath, stackNameOf(s.templatePath), s.region, s.accountId));
    const breaches = quotaBreaches(measureStacks(stacks));
    return { success: breaches.length === 0, violations: breaches.map(toViolation) };
  }
}

/** The stack name of a template file: CDK names it `<artifact id>.template.json`, the artifact id being the stack name for top-level stacks. */
const stackNameOf = (templatePath: string) => basename(templatePath).replace(/\.template\.json$/, '');

function toViolation(m: QuotaMeasurement): PolicyViolation {
  return {
    ruleName: m.quota.id,
    description: describeBreach(m),
    fix: m.quota.remedy ?? `Split or shrink what ${measuredAt(m)} holds until it fits ${formatLimit(m.quota)}; see docs/deploy.md#quotas`,
    severity: 'fatal',
    violatingResources: [{ resourceLogicalId: m.logicalId, templatePath: m.templatePath, locations: m.location ? [m.location] : [] }],
  };
}
