import { DescribeAlarmsCommand, paginateGetMetricData, type MetricAlarm, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { Service } from '@aws-sdk/client-ecs';
import { alarmName, type MitigationId } from '../../lib/core/catalog';
import { resolveMetric, type ResolvedMetric } from '../../lib/core/alarms/metric-sources';
import { describeService, ecsTarget } from './mitigations/ecs-service';
import type { MitigationContext } from './mitigations/mitigation';
import { reasonDataEvidence, type AlarmEvidence } from './alarm-evidence';
import { READ_PERIOD_MS, treeWindow, type TreeWindow } from './tree-window';

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

/**
 * The HighAPIErrorRate runbook's mitigation section as a decision tree. Each branch gates one mitigation:
 * recent deployment -> ecs-rollback, LLM dependency down -> fallback-mode, database overload -> rds-scale-up,
 * traffic spike -> rate-limit. Several branches can hold at once; each is evaluated on its own evidence.
 * The metric branches read complete periods only (tree-window.ts): the datapoints the alarm evaluated when the
 * notification lists them, otherwise the latest periods allowing for ingestion lag.
 * `untagged`: why the service may not be read (automation.targetScope 'tags', the service lacks the tag:
 * target-tag.ts); its deployment branch then does not hold, with that reason and the fact `targetTagMissing`, and
 * the others are read as usual.
 */
export async function evaluateApiErrorTree(ctx: MitigationContext, untagged?: string): Promise<TreeEvidence> {
  const a = ctx.config.automation;
  const llmAlarmName = alarmName(ctx.config.prefix, 'LLMDependencyDown');
  const [deployment, alarms] = await Promise.all([recentDeployment(ctx, untagged), describeAlarms(ctx, [llmAlarmName, ctx.notification.alarmName])]);
  const evidence = withStoredReasonData(ctx.notification.evidence, alarms.get(ctx.notification.alarmName));
  if (evidence.problem)
    ctx.logger.warn('alarm reason data not used: the tree reads the latest complete periods', { alarm: ctx.notification.alarmName, problem: evidence.problem });
  const window = treeWindow(ctx.now().getTime(), a.ingestionLagSeconds * 1000, evidence);
  const metrics = await readMetrics(ctx, window);
  const llmAlarm = alarms.get(llmAlarmName)?.StateValue ?? null;
  // Where the data came from, in every metric branch: the audit record then says what "recent" meant.
  const alarmValues = window.source === 'alarm' ? evidence.evaluated!.map((d) => round(d.value)).join(', ') : null;
  const read = { windowFrom: iso(window.from), windowTo: iso(window.to), windowSource: window.source, window: window.why, alarmEvaluatedValues: alarmValues };

  const llmRate = metrics.llmCalls > 0 ? metrics.llmErrors / metrics.llmCalls : 0;
  const llm: Branch = {
    holds: llmAlarm === 'ALARM' || llmRate > a.llmErrorRate,
    why: llmAlarm === 'ALARM' ? 'LLMDependencyDown is in ALARM' : `LLM error rate ${pct(llmRate)} vs ${pct(a.llmErrorRate)} threshold`,
    facts: {
      llmAlarmState: llmAlarm,
      llmErrors: metrics.llmErrors,
      llmCalls: metrics.llmCalls,
      llmErrorRate: round(llmRate),
      llmErrorRateThreshold: a.llmErrorRate,
      ...read,
    },
  };

  const rds = ctx.service.rds;
  const connectionLimit = rds ? a.databaseConnectionsShare * rds.maxConnections : null;
  const cpuHigh = metrics.dbCpu !== null && metrics.dbCpu > a.databaseCpuPercent;
  const connectionsHigh = metrics.dbConnections !== null && connectionLimit !== null && metrics.dbConnections > connectionLimit;
  const database: Branch = {
    holds: rds !== undefined && (cpuHigh || connectionsHigh),
    why:
      rds === undefined
        ? 'no database configured for this service'
        : `database CPU ${metrics.dbCpu === null ? 'no data' : `${metrics.dbCpu}%`} (limit ${a.databaseCpuPercent}%), connections ${metrics.dbConnections ?? 'no data'} (limit ${connectionLimit})`,
    facts: {
      dbCpuPercent: metrics.dbCpu,
      dbCpuLimit: a.databaseCpuPercent,
      dbConnections: metrics.dbConnections,
      dbConnectionsLimit: connectionLimit,
      ...read,
    },
  };

  const { recentPerMinute, baselinePerMinute } = metrics;
  const spikeRatio = recentPerMinute !== null && baselinePerMinute !== null ? recentPerMinute / baselinePerMinute : null;
  const traffic: Branch = {
    holds: spikeRatio !== null && spikeRatio > a.trafficSpikeFactor,
    why:
      baselinePerMinute === null
        ? 'no baseline traffic in the last hour'
        : spikeRatio === null
          ? 'no request data in the window'
          : `requests ${round(spikeRatio)}x the last hour's average per minute (spike above ${a.trafficSpikeFactor}x)`,
    facts: {
      recentRequestsPerMinute: roundOrNull(recentPerMinute),
      baselineRequestsPerMinute: roundOrNull(baselinePerMinute),
      spikeFactor: a.trafficSpikeFactor,
      ...read,
    },
  };

  return { 'ecs-rollback': deployment, 'fallback-mode': llm, 'rds-scale-up': database, 'rate-limit': traffic };
}

/**
 * When the service's newest deployment started. A rolling (ECS) deployment is the PRIMARY one of `deployments`; a
 * blue/green (CODE_DEPLOY) or EXTERNAL service is deployed as task sets instead (ECS API reference, Service.taskSets:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html), the newest being the newest deployment.
 */
function deploymentStart(service: Service): Date | undefined {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY')?.createdAt;
  if (primary) return primary;
  return (service.taskSets ?? []).map((t) => t.createdAt).reduce<Date | undefined>((newest, at) => (at && (!newest || at > newest) ? at : newest), undefined);
}

async function recentDeployment(ctx: MitigationContext, untagged: string | undefined): Promise<Branch> {
  const window = ctx.config.automation.rollbackWindowMinutes;
  if (untagged) return { holds: false, why: untagged, facts: { deploymentStartedAt: null, rollbackWindowMinutes: window, targetTagMissing: true } };
  const service = await describeService(ctx, ecsTarget(ctx));
  const started = deploymentStart(service);
  if (!started) return { holds: false, why: 'no primary deployment', facts: { deploymentStartedAt: null, rollbackWindowMinutes: window } };
  const age = (ctx.now().getTime() - started.getTime()) / 60_000;
  return {
    holds: age <= window,
    why: `newest deployment started ${Math.round(age)} min ago (window ${window} min)`,
    facts: { deploymentStartedAt: started.toISOString(), deploymentAgeMinutes: Math.round(age), rollbackWindowMinutes: window },
  };
}

/** The LLM dependency's alarm and the notified alarm itself, in one call. */
async function describeAlarms(ctx: MitigationContext, names: readonly string[]): Promise<Map<string, MetricAlarm>> {
  const { MetricAlarms } = await ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names] }));
  return new Map((MetricAlarms ?? []).map((alarm) => [alarm.AlarmName!, alarm]));
}

/**
 * An SNS notification often carries no reason data (AWS's own SNS sample has none), but the alarm keeps the last
 * evaluation's as `StateReasonData`. Taken only while the alarm is still in ALARM; treeWindow refuses datapoints
 * that are older than the latest complete periods, so a stale transition's evidence is never used.
 */
function withStoredReasonData(evidence: AlarmEvidence, alarm: MetricAlarm | undefined): AlarmEvidence {
  if (evidence.evaluated || alarm?.StateValue !== 'ALARM') return evidence;
  const stored = reasonDataEvidence(alarm.StateReasonData, 'StateReasonData');
  if (!stored.evaluated) return stored.problem ? { ...evidence, problem: evidence.problem ?? stored.problem } : evidence;
  return { ...evidence, ...stored, problem: undefined };
}

interface Readings {
  /** Requests per minute of data in the window, and in the hour before it; null without data. */
  readonly recentPerMinute: number | null;
  readonly baselinePerMinute: number | null;
  readonly llmErrors: number;
  readonly llmCalls: number;
  readonly dbCpu: number | null;
  readonly dbConnections: number | null;
}

/**
 * One GetMetricData call for every metric the tree reads, in one-minute periods over the window and the hour
 * before it. Traffic is compared per minute that has data: a minute CloudWatch does not hold yet (lag longer than
 * allowed for) is left out instead of counting as no traffic; the ALB reports no datapoint for a minute without
 * requests, which makes a sparse baseline look busier and a spike harder to call, the safe side.
 */
async function readMetrics(ctx: MitigationContext, window: TreeWindow): Promise<Readings> {
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
  const request = {
    StartTime: new Date(window.baselineFrom),
    EndTime: new Date(window.to),
    MetricDataQueries: queries.map(
      ([id, m]): MetricDataQuery => ({
        Id: id,
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) },
          Period: READ_PERIOD_MS / 1000,
          Stat: m.statistic,
        },
      }),
    ),
  };
  // A series can continue on the next page (NextToken): every page is read, the same Id appearing in several.
  const MetricDataResults: MetricDataResult[] = [];
  for await (const page of paginateGetMetricData({ client: ctx.clients.cloudwatch }, request)) MetricDataResults.push(...(page.MetricDataResults ?? []));
  // EndTime is exclusive in CloudWatch; the filter also drops anything an emulator returns at or past it.
  const points = (prefix: string, from: number, to: number) =>
    MetricDataResults.filter((r) => r.Id?.startsWith(prefix)).flatMap((r) =>
      (r.Timestamps ?? []).map((t, i) => ({ t: t.getTime(), v: r.Values?.[i] ?? 0 })).filter((p) => p.t >= from && p.t < to),
    );
  const recent = (prefix: string) => points(prefix, window.from, window.to);
  const sum = (prefix: string) => recent(prefix).reduce((s, p) => s + p.v, 0);
  const max = (prefix: string) => (recent(prefix).length ? Math.max(...recent(prefix).map((p) => p.v)) : null);
  const perMinute = (from: number, to: number) => {
    const byMinute = new Map<number, number>();
    for (const p of points('requests', from, to)) byMinute.set(p.t, (byMinute.get(p.t) ?? 0) + p.v);
    const total = [...byMinute.values()].reduce((s, v) => s + v, 0);
    return byMinute.size > 0 && total > 0 ? total / byMinute.size : null;
  };
  return {
    recentPerMinute: perMinute(window.from, window.to),
    baselinePerMinute: perMinute(window.baselineFrom, window.from),
    llmErrors: sum('llmErrors'),
    llmCalls: sum('llmCalls'),
    dbCpu: max('dbCpu'),
    dbConnections: max('dbConnections'),
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const roundOrNull = (n: number | null) => (n === null ? null : round(n));
const iso = (t: number) => new Date(t).toISOString();
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
