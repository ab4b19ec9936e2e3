import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { alarmName, type MitigationId } from '../../lib/catalog';
import { resolveMetric, type ResolvedMetric } from '../../lib/alarms/metric-sources';
import { describeService, ecsTarget } from './mitigations/ecs-service';
import type { MitigationContext } from './mitigations/mitigation';

/** One branch of the runbook's decision tree: whether its condition holds, and the facts it looked at. */
export interface Branch {
  readonly holds: boolean;
  readonly why: string;
  readonly facts: Readonly<Record<string, string | number | boolean | null>>;
}

/** Evidence for every branch, taken or not; recorded whole in each action's audit record. */
export type TreeEvidence = Readonly<Partial<Record<MitigationId, Branch>>>;

/** Alerts whose mitigations are chosen by a decision tree, rather than all applied. */
export function hasDecisionTree(alertId: string): boolean {
  return alertId === 'HighAPIErrorRate';
}

const WINDOW_MINUTES = 5;
const BASELINE_MINUTES = 60;

/**
 * The HighAPIErrorRate runbook's mitigation section as a decision tree. Each branch gates one mitigation:
 * recent deployment -> ecs-rollback, LLM dependency down -> fallback-mode, database overload -> rds-scale-up,
 * traffic spike -> rate-limit. Several branches can hold at once; each is evaluated on its own evidence.
 */
export async function evaluateApiErrorTree(ctx: MitigationContext): Promise<TreeEvidence> {
  const [deployment, metrics, llmAlarm] = await Promise.all([recentDeployment(ctx), readMetrics(ctx), alarmState(ctx, alarmName(ctx.config.prefix, 'LLMDependencyDown'))]);
  const a = ctx.config.automation;

  const llmRate = metrics.llmCalls > 0 ? metrics.llmErrors / metrics.llmCalls : 0;
  const llm: Branch = {
    holds: llmAlarm === 'ALARM' || llmRate > a.llmErrorRate,
    why: llmAlarm === 'ALARM' ? 'LLMDependencyDown is in ALARM' : `LLM error rate ${pct(llmRate)} vs ${pct(a.llmErrorRate)} threshold`,
    facts: { llmAlarmState: llmAlarm, llmErrorRate: round(llmRate), llmErrorRateThreshold: a.llmErrorRate },
  };

  const rds = ctx.service.rds;
  const connectionLimit = rds ? a.databaseConnectionsShare * rds.maxConnections : null;
  const cpuHigh = metrics.dbCpu !== null && metrics.dbCpu > a.databaseCpuPercent;
  const connectionsHigh = metrics.dbConnections !== null && connectionLimit !== null && metrics.dbConnections > connectionLimit;
  const database: Branch = {
    holds: rds !== undefined && (cpuHigh || connectionsHigh),
    why: rds === undefined ? 'no database configured for this service' : `database CPU ${metrics.dbCpu === null ? 'no data' : `${metrics.dbCpu}%`} (limit ${a.databaseCpuPercent}%), connections ${metrics.dbConnections ?? 'no data'} (limit ${connectionLimit})`,
    facts: { dbCpuPercent: metrics.dbCpu, dbCpuLimit: a.databaseCpuPercent, dbConnections: metrics.dbConnections, dbConnectionsLimit: connectionLimit },
  };

  const spikeRatio = metrics.baselineRequests > 0 ? metrics.recentRequests / metrics.baselineRequests : null;
  const traffic: Branch = {
    holds: spikeRatio !== null && spikeRatio > a.trafficSpikeFactor,
    why: spikeRatio === null ? 'no baseline traffic in the last hour' : `requests ${round(spikeRatio)}x the last hour's average (spike above ${a.trafficSpikeFactor}x)`,
    facts: { recentRequests: metrics.recentRequests, baselineRequestsPer5Min: round(metrics.baselineRequests), spikeFactor: a.trafficSpikeFactor },
  };

  return { 'ecs-rollback': deployment, 'fallback-mode': llm, 'rds-scale-up': database, 'rate-limit': traffic };
}

async function recentDeployment(ctx: MitigationContext): Promise<Branch> {
  const service = await describeService(ctx, ecsTarget(ctx));
  const started = service.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt;
  const window = ctx.config.automation.rollbackWindowMinutes;
  if (!started) return { holds: false, why: 'no primary deployment', facts: { deploymentStartedAt: null, rollbackWindowMinutes: window } };
  const age = (ctx.now().getTime() - started.getTime()) / 60_000;
  return {
    holds: age <= window,
    why: `newest deployment started ${Math.round(age)} min ago (window ${window} min)`,
    facts: { deploymentStartedAt: started.toISOString(), deploymentAgeMinutes: Math.round(age), rollbackWindowMinutes: window },
  };
}

async function alarmState(ctx: MitigationContext, name: string): Promise<string | null> {
  const { MetricAlarms } = await ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return MetricAlarms?.[0]?.StateValue ?? null;
}

interface Readings {
  readonly recentRequests: number;
  /** Average requests per 5 minutes over the hour before the recent window. */
  readonly baselineRequests: number;
  readonly llmErrors: number;
  readonly llmCalls: number;
  readonly dbCpu: number | null;
  readonly dbConnections: number | null;
}

/** One GetMetricData call for every metric the tree reads, in 5-minute buckets over the last 65 minutes. */
async function readMetrics(ctx: MitigationContext): Promise<Readings> {
  const metricCtx = { config: ctx.config, service: ctx.service };
  const queries: [string, ResolvedMetric][] = [
    ...resolveMetric({ source: 'api', name: 'requests', statistic: 'Sum' }, metricCtx).map((m, i) => [`requests${i}`, m] as [string, ResolvedMetric]),
    ['llmErrors', resolveMetric({ source: 'ai', name: 'LLMProviderErrors', statistic: 'Sum' }, metricCtx)[0]!],
    ['llmCalls', resolveMetric({ source: 'ai', name: 'LLMProviderCalls', statistic: 'Sum' }, metricCtx)[0]!],
  ];
  if (ctx.service.rds) {
    queries.push(['dbCpu', resolveMetric({ source: 'rds', name: 'CPUUtilization', statistic: 'Maximum' }, metricCtx)[0]!]);
    queries.push(['dbConnections', resolveMetric({ source: 'rds', name: 'DatabaseConnections', statistic: 'Maximum' }, metricCtx)[0]!]);
  }
  const period = WINDOW_MINUTES * 60;
  // The bucket holding `now` is the recent window; the twelve before it are the baseline.
  const end = new Date((Math.floor(ctx.now().getTime() / (period * 1000)) + 1) * period * 1000);
  const start = new Date(end.getTime() - (BASELINE_MINUTES + WINDOW_MINUTES) * 60_000);
  const { MetricDataResults } = await ctx.clients.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: start,
      EndTime: end,
      MetricDataQueries: queries.map(([id, m]): MetricDataQuery => ({
        Id: id,
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: period,
          Stat: m.statistic,
        },
      })),
    }),
  );
  const recentFrom = end.getTime() - period * 1000;
  const series = (prefix: string) => (MetricDataResults ?? []).filter((r) => r.Id?.startsWith(prefix));
  const points = (prefix: string) => series(prefix).flatMap((r) => (r.Timestamps ?? []).map((t, i) => ({ t: t.getTime(), v: r.Values?.[i] ?? 0 })));
  const sum = (prefix: string, recent: boolean) => points(prefix).filter((p) => (p.t >= recentFrom) === recent).reduce((s, p) => s + p.v, 0);
  const latestMax = (prefix: string) => {
    const recent = points(prefix).filter((p) => p.t >= recentFrom);
    return recent.length ? Math.max(...recent.map((p) => p.v)) : null;
  };
  return {
    recentRequests: sum('requests', true),
    baselineRequests: sum('requests', false) / (BASELINE_MINUTES / WINDOW_MINUTES),
    llmErrors: sum('llmErrors', true),
    llmCalls: sum('llmCalls', true),
    dbCpu: latestMax('dbCpu'),
    dbConnections: latestMax('dbConnections'),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
