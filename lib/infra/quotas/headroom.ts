import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { measuredAt, readStackTemplate } from './guard';
import { measureStacks, type QuotaMeasurement } from './measure';
import { QUOTAS, formatLimit, type Quota } from './quota-table';

/** How close one quota is to its value, at the tightest resource. */
export interface QuotaHeadroom {
  readonly quota: Quota;
  /** The measurement closest to the quota; undefined when no template holds what the quota limits. */
  readonly tightest?: QuotaMeasurement;
  /** tightest.value / quota.value, in percent (0 when nothing is measured). */
  readonly percentUsed: number;
}

/** Each quota's headroom across the stacks of a synthesized assembly, in the table's order. */
export function quotaHeadroom(assembly: CloudAssembly): QuotaHeadroom[] {
  const stacks = assembly.stacksRecursively.map((s) =>
    readStackTemplate(
      s.templateFullPath,
      s.stackName,
      s.environment.region === 'unknown-region' ? undefined : s.environment.region,
      s.environment.account === 'unknown-account' ? undefined : s.environment.account,
    ),
  );
  return headroomOf(measureStacks(stacks));
}

/** Each quota's tightest measurement. */
export function headroomOf(measurements: readonly QuotaMeasurement[]): QuotaHeadroom[] {
  return QUOTAS.map((q) => {
    const tightest = measurements
      .filter((m) => m.quota.id === q.id)
      .reduce<QuotaMeasurement | undefined>((best, m) => (best === undefined || m.value > best.value ? m : best), undefined);
    return { quota: q, tightest, percentUsed: tightest === undefined ? 0 : (tightest.value / q.value) * 100 };
  });
}

/** One line per quota: the tightest resource, its value / the limit, and the share used. */
export function formatHeadroom(headroom: readonly QuotaHeadroom[]): string[] {
  return headroom.map(({ quota: q, tightest, percentUsed }) => {
    const what = `${q.limits} ${q.per}`;
    if (tightest === undefined) return `  ${what.padEnd(58)} none in these templates (limit ${formatLimit(q)})`;
    return `  ${what.padEnd(58)} ${tightest.value.toLocaleString('en-US')} / ${formatLimit(q)} (${percentUsed.toFixed(1)}%) at ${measuredAt(tightest)}`;
  });
}
