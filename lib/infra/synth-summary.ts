import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CATEGORIES, ROLES, SEVERITIES, type Category, type Severity } from '../core/catalog';
import { cloudWatchAlarmCount, planRegionalStacks } from './stack-plan';
import { resolveAlarms } from '../core/alarms/resolve';
import { stacksOf, type BuiltApp } from './app';
import type { Config } from '../core/config/schema';
import { monthlyAlarmCost } from '../core/cost';
import { formatHeadroom, quotaHeadroom, type QuotaHeadroom } from './quotas/headroom';

/** What `npm run synth` reports. */
export interface SynthSummary {
  readonly env: string;
  /** CloudWatch alarms (composite children included, every region's) per severity and per category. */
  readonly alarmsBySeverity: Readonly<Record<Severity, number>>;
  readonly alarmsByCategory: Readonly<Record<Category, number>>;
  readonly totalAlarms: number;
  readonly topics: { readonly severity: number; readonly role: number };
  readonly stacks: readonly { readonly name: string; readonly region: string; readonly resources: number; readonly bytes: number }[];
  readonly monthlyAlarmCostUsd: number;
  /** Each AWS quota's tightest resource across the stacks (lib/infra/quotas). */
  readonly quotas: readonly QuotaHeadroom[];
}

export function summarize(config: Config, built: BuiltApp, assembly: CloudAssembly): SynthSummary {
  const home = resolveAlarms(config);
  // A service running in several regions has its alarms, and their cost, in each.
  const specs = [...home, ...planRegionalStacks(config).flatMap((plan) => plan.alarms)];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const spec of specs) {
    bySeverity[spec.severity] += cloudWatchAlarmCount(spec);
    byCategory[spec.category] += cloudWatchAlarmCount(spec);
  }
  const stacks = stacksOf(built).map((stack) => {
    const artifact = assembly.getStackArtifact(stack.artifactId);
    const template = artifact.template as { Resources?: Record<string, unknown> };
    return {
      name: stack.stackName,
      region: stack.region,
      resources: Object.keys(template.Resources ?? {}).length,
      bytes: statSync(join(assembly.directory, artifact.templateFile)).size,
    };
  });
  return {
    env: config.prefix,
    alarmsBySeverity: bySeverity,
    alarmsByCategory: byCategory,
    totalAlarms: specs.reduce((n, s) => n + cloudWatchAlarmCount(s), 0),
    // Every other region notifies its own severity topics.
    topics: { severity: SEVERITIES.length * (1 + built.regionalStacks.length), role: ROLES.length },
    stacks,
    monthlyAlarmCostUsd: Math.round(specs.reduce((sum, s) => sum + monthlyAlarmCost(s), 0) * 100) / 100,
    quotas: quotaHeadroom(assembly),
  };
}

export function formatSummary(s: SynthSummary): string {
  const pad = (text: string, width: number) => text.padEnd(width);
  const lines = [
    `Alerting stack "${s.env}": ${s.totalAlarms} CloudWatch alarms`,
    `  by severity: ${SEVERITIES.map((sev) => `${sev} ${s.alarmsBySeverity[sev]}`).join(', ')}`,
    `  by category: ${CATEGORIES.filter((c) => s.alarmsByCategory[c] > 0)
      .map((c) => `${c} ${s.alarmsByCategory[c]}`)
      .join(', ')}`,
    `Topics: ${s.topics.severity} severity (P1-P4), ${s.topics.role} role topics`,
    'Stacks:',
    ...s.stacks.map(
      (st) =>
        `  ${pad(st.name, Math.max(34, ...s.stacks.map((x) => x.name.length)))} ${String(st.resources).padStart(4)} resources  ${(st.bytes / 1024).toFixed(1).padStart(7)} KiB  ${st.region}`,
    ),
    `Estimated CloudWatch alarm cost: $${s.monthlyAlarmCostUsd.toFixed(2)} / month`,
    'AWS quotas (tightest resource: value / limit):',
    ...formatHeadroom(s.quotas),
  ];
  return lines.join('\n');
}
