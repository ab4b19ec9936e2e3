import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetParameterHistoryCommand, type ParameterHistory } from '@aws-sdk/client-ssm';
import { parseAlarmKey } from '../../lib/core/alarm-source';
import { automationModeParameter } from '../../lib/core/config/derived';
import type { Config, ServiceConfig } from '../../lib/core/config/schema';
import type { ActionRecord } from './storage/audit-log';
import type { AwsClients } from './clients';
import type { Incident } from './storage/incident';

/**
 * What a responder reads first ("reviewing recent changes"): the changes of the last minutes and the alarm's
 * recent datapoints, gathered when a page goes out. Plain JSON data: it travels in the PagerDuty event, the
 * `page` timeline event (DynamoDB) and from there to the channel post and the ticket.
 */

/** An ECS deployment of a configured service, created or updated inside the window. */
export interface DeploymentChange {
  /** The service's name in the config. */
  readonly service: string;
  readonly cluster: string;
  /** The ECS service name. */
  readonly ecsService: string;
  /** The task definition (ARN) the deployment rolls out. */
  readonly taskDefinition: string;
  /** PRIMARY (the newest), ACTIVE (being replaced) or INACTIVE. */
  readonly status: string;
  /** IN_PROGRESS, COMPLETED or FAILED; absent when the deployment controller reports none. */
  readonly rolloutState?: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly updatedAt?: string;
}

/** One version of a parameter the automation flips, written inside the window. */
export interface ParameterChange {
  readonly name: string;
  readonly version: number;
  /** The new value (cut at 200 characters). */
  readonly value: string;
  /** The value of the version before, when the history still has it: shown as old -> new. */
  readonly previousValue?: string;
  /** ISO 8601. */
  readonly modifiedAt: string;
  /** Who wrote it (IAM ARN), as SSM reports it. */
  readonly modifiedBy?: string;
}

/** An automatic action already taken for the incident (`acted`), or that would have been (`dry-run`). */
export interface ActionTaken {
  readonly actionId: string;
  readonly mitigation: string;
  /** `ecs:prod/chatbot-api`, `ssm:/chatbot/fallback-mode`...; absent when the action found no target. */
  readonly target?: string;
  readonly decision: 'acted' | 'dry-run';
  readonly outcome?: string;
  /** When it was decided (ISO 8601). */
  readonly at: string;
  /** The command that undoes it. */
  readonly revertCommand?: string;
  /** Set when this action is a human's revert of that action id. */
  readonly revertOf?: string;
}

/** The incident's alarm and its latest datapoints. */
export interface AlarmDatapoints {
  readonly alarmName: string;
  /** What the alarm watches: `ModelAccuracy (Environment=prod)`, a metric-math label, or `composite alarm`. */
  readonly metric: string;
  /** Average, Sum, p95...; absent for metric math. */
  readonly stat?: string;
  readonly periodSeconds?: number;
  readonly threshold?: number;
  /** The alarm's ComparisonOperator. */
  readonly comparison?: string;
  /** The rule of a composite alarm, which has no datapoints of its own. */
  readonly rule?: string;
  /** Oldest first; at most the last 60. */
  readonly points: readonly { readonly at: string; readonly value: number }[];
}

/** The context of a page. Lists are newest first and hold at most 25 entries each (see `omitted`). */
export interface IncidentContext {
  /** When it was gathered (ISO 8601): the end of the window. */
  readonly gatheredAt: string;
  /** Changes are listed from this many minutes before `gatheredAt` (escalation.recentChangesMinutes). @default 30 */
  readonly windowMinutes: number;
  readonly deployments: readonly DeploymentChange[];
  readonly parameterChanges: readonly ParameterChange[];
  readonly actions: readonly ActionTaken[];
  /** Absent when the alarm could not be read. */
  readonly datapoints?: AlarmDatapoints;
  /** Entries left out of a list beyond the 25 kept, so that a page stays within SNS's 256 KB. Absent when none. */
  readonly omitted?: { readonly deployments?: number; readonly parameterChanges?: number; readonly actions?: number };
  /** One short reason per source that failed or timed out, e.g. `ECS deployments: AccessDeniedException`. */
  readonly unavailable: readonly string[];
}

/** Source labels: the prefix of their `unavailable` entries. */
export const SOURCES = { deployments: 'ECS deployments', parameters: 'SSM parameter history', datapoints: 'Alarm datapoints' } as const;

const MAX_KEPT = 25;
const MAX_POINTS = 60;
const MAX_VALUE = 200;
const ECS_BATCH = 10; // DescribeServices takes at most 10 services per call

/** What one source found, and what went wrong on the way (partial results are kept). */
interface Found<T> {
  readonly value: T;
  readonly problems: readonly string[];
}

/**
 * Gathers the context of an incident: ECS deployments, SSM parameter changes and the alarm's datapoints, in
 * parallel, each bounded by `timeoutMs`. Never throws: a source that fails or is too slow is named in
 * `unavailable`, so the page it goes into is delayed by at most the timeout.
 * @param actions the incident's action records; those `acted` or `dry-run` are listed
 * @param options.timeoutMs how long each source may take. @default 3000
 */
export async function gatherContext(
  deps: { clients: AwsClients; config: Config; now: Date },
  incident: Incident,
  actions: readonly ActionRecord[],
  options: { timeoutMs?: number } = {},
): Promise<IncidentContext> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const windowMinutes = deps.config.escalation.recentChangesMinutes;
  const since = deps.now.getTime() - windowMinutes * 60_000;
  const [deployments, parameterChanges, datapoints] = await Promise.all([
    bounded(SOURCES.deployments, timeoutMs, [] as DeploymentChange[], (signal) => recentDeployments(deps, incident, since, signal)),
    bounded(SOURCES.parameters, timeoutMs, [] as ParameterChange[], (signal) => recentParameterChanges(deps, since, signal)),
    bounded(SOURCES.datapoints, timeoutMs, undefined, (signal) => alarmDatapoints(deps, incident.alarmName, windowMinutes, signal)),
  ]);
  const taken = actions.filter((a) => a.decision === 'acted' || a.decision === 'dry-run').map(actionTaken);
  const lists = {
    deployments: newestFirst(deployments.value, (d) => d.updatedAt ?? d.createdAt),
    parameterChanges: newestFirst(parameterChanges.value, (p) => p.modifiedAt),
    actions: newestFirst(taken, (a) => a.at),
  };
  const omitted = Object.fromEntries(
    Object.entries(lists)
      .filter(([, list]) => list.length > MAX_KEPT)
      .map(([name, list]) => [name, list.length - MAX_KEPT]),
  );
  return {
    gatheredAt: deps.now.toISOString(),
    windowMinutes,
    deployments: lists.deployments.slice(0, MAX_KEPT),
    parameterChanges: lists.parameterChanges.slice(0, MAX_KEPT),
    actions: lists.actions.slice(0, MAX_KEPT),
    ...(datapoints.value ? { datapoints: datapoints.value } : {}),
    ...(Object.keys(omitted).length ? { omitted } : {}),
    unavailable: [...deployments.problems, ...parameterChanges.problems, ...datapoints.problems],
  };
}

/** Runs a source with an abort signal and a deadline; a failure or timeout becomes a problem, never a throw. */
async function bounded<T>(source: string, timeoutMs: number, fallback: T, run: (signal: AbortSignal) => Promise<Found<T>>): Promise<Found<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const found = await Promise.race([run(controller.signal), deadline]);
    return { value: found.value, problems: found.problems.map((p) => `${source}: ${p}`) };
  } catch (error) {
    return { value: fallback, problems: [`${source}: ${reasonOf(error)}`] };
  } finally {
    clearTimeout(timer);
  }
}

/** The AWS error code (AccessDeniedException...), else the system code (ECONNREFUSED), else the message. */
function reasonOf(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string } | undefined;
  const reason = e?.name && e.name !== 'Error' ? e.name : (e?.code ?? e?.message ?? String(error));
  return reason.slice(0, 120);
}

function newestFirst<T>(items: readonly T[], at: (item: T) => string): T[] {
  return [...items].sort((a, b) => at(b).localeCompare(at(a)));
}

/** Deployments of the incident's service (every configured service for an environment-wide incident). */
async function recentDeployments(
  deps: { clients: AwsClients; config: Config },
  incident: Incident,
  since: number,
  abortSignal: AbortSignal,
): Promise<Found<DeploymentChange[]>> {
  const own = deps.config.services.filter((s) => s.name === incident.service);
  const services = own.length > 0 ? own : deps.config.services;
  const batches: ServiceConfig[][] = [];
  for (const cluster of new Set(services.map((s) => s.ecs.cluster))) {
    const inCluster = services.filter((s) => s.ecs.cluster === cluster);
    for (let i = 0; i < inCluster.length; i += ECS_BATCH) batches.push(inCluster.slice(i, i + ECS_BATCH));
  }
  const inWindow = (at: Date | undefined) => at !== undefined && at.getTime() >= since;
  const results = await Promise.allSettled(
    batches.map(async (batch) => {
      const cluster = batch[0]!.ecs.cluster;
      const out = await deps.clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch.map((s) => s.ecs.service) }), { abortSignal });
      const found = (out.services ?? []).flatMap((ecs) => {
        const service = batch.find((s) => s.ecs.service === ecs.serviceName || s.ecs.service === ecs.serviceArn);
        return (ecs.deployments ?? [])
          .filter((d) => inWindow(d.createdAt) || inWindow(d.updatedAt))
          .map((d) => ({
            service: service?.name ?? ecs.serviceName ?? '?',
            cluster,
            ecsService: ecs.serviceName ?? '?',
            taskDefinition: d.taskDefinition ?? '?',
            status: d.status ?? '?',
            ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
            createdAt: (d.createdAt ?? d.updatedAt)!.toISOString(),
            ...(d.updatedAt ? { updatedAt: d.updatedAt.toISOString() } : {}),
          }));
      });
      return { found, problems: (out.failures ?? []).map((f) => `${f.arn?.split(':').pop() ?? cluster} ${f.reason ?? 'failed'}`) };
    }),
  );
  return {
    value: results.flatMap((r) => (r.status === 'fulfilled' ? r.value.found : [])),
    problems: results.flatMap((r, i) => (r.status === 'fulfilled' ? r.value.problems : [`${reasonOf(r.reason)} (cluster ${batches[i]![0]!.ecs.cluster})`])),
  };
}

/** Versions of the parameters the mitigations flip (and the automation switch) written inside the window. */
async function recentParameterChanges(
  deps: { clients: AwsClients; config: Config },
  since: number,
  abortSignal: AbortSignal,
): Promise<Found<ParameterChange[]>> {
  const { ssm } = deps.config;
  const names = [...new Set([ssm.fallbackMode, ssm.rateLimit, ssm.aiFeatureFlag, automationModeParameter(deps.config)])];
  const results = await Promise.allSettled(names.map((name) => parameterHistory(deps.clients, name, abortSignal)));
  const changes = results.flatMap((r) => {
    if (r.status === 'rejected') return [];
    const history = [...r.value].sort((a, b) => (a.Version ?? 0) - (b.Version ?? 0));
    return history.flatMap((p, i) => {
      if (!p.LastModifiedDate || p.LastModifiedDate.getTime() < since) return [];
      const previous = history[i - 1];
      return [
        {
          name: p.Name ?? '?',
          version: p.Version ?? 0,
          value: (p.Value ?? '').slice(0, MAX_VALUE),
          ...(previous && previous.Version === (p.Version ?? 0) - 1 ? { previousValue: (previous.Value ?? '').slice(0, MAX_VALUE) } : {}),
          modifiedAt: p.LastModifiedDate.toISOString(),
          ...(p.LastModifiedUser ? { modifiedBy: p.LastModifiedUser } : {}),
        },
      ];
    });
  });
  return { value: changes, problems: results.flatMap((r, i) => (r.status === 'rejected' ? [`${reasonOf(r.reason)} (${names[i]})`] : [])) };
}

/** The whole history of one parameter (SSM keeps the last 100 versions); a parameter that does not exist has none. */
async function parameterHistory(clients: AwsClients, name: string, abortSignal: AbortSignal): Promise<ParameterHistory[]> {
  const history: ParameterHistory[] = [];
  let NextToken: string | undefined;
  do {
    try {
      const page = await clients.ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 50, NextToken }), { abortSignal });
      history.push(...(page.Parameters ?? []));
      NextToken = page.NextToken;
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') return [];
      throw error;
    }
  } while (NextToken);
  return history;
}

/** The alarm's definition and its datapoints over max(window, 6 periods), oldest first. */
async function alarmDatapoints(
  deps: { clients: AwsClients; now: Date },
  alarmName: string,
  windowMinutes: number,
  abortSignal: AbortSignal,
): Promise<Found<AlarmDatapoints | undefined>> {
  const { cloudwatch } = deps.clients;
  // The clients are the home region's: an alarm of another region or account is described where it lives.
  const where = parseAlarmKey(alarmName);
  if (where.region !== undefined)
    return {
      value: undefined,
      problems: [`${where.alarmName} is in ${where.region}${where.account ? ` of ${where.account}` : ''}: not read from the home region`],
    };
  const { MetricAlarms, CompositeAlarms } = await cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    { abortSignal },
  );
  const composite = CompositeAlarms?.[0];
  if (composite)
    return { value: { alarmName, metric: 'composite alarm', ...(composite.AlarmRule ? { rule: composite.AlarmRule } : {}), points: [] }, problems: [] };
  const alarm = MetricAlarms?.[0];
  if (!alarm) return { value: undefined, problems: [`alarm ${alarmName} not found`] };
  const shape = queriesOf(alarm);
  if (!shape) return { value: undefined, problems: [`alarm ${alarmName} has neither a metric nor metric math`] };

  const seconds = Math.max(windowMinutes * 60, 6 * (shape.periodSeconds ?? 60));
  const points: { at: string; value: number }[] = [];
  let NextToken: string | undefined;
  do {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: shape.queries,
        StartTime: new Date(deps.now.getTime() - seconds * 1000),
        EndTime: deps.now,
        ScanBy: 'TimestampAscending',
        NextToken,
      }),
      { abortSignal },
    );
    const result = out.MetricDataResults?.find((r) => r.Id === shape.returned);
    (result?.Timestamps ?? []).forEach((at, i) => {
      const value = result?.Values?.[i];
      if (value !== undefined && Number.isFinite(value)) points.push({ at: at.toISOString(), value });
    });
    NextToken = out.NextToken;
  } while (NextToken);
  points.sort((a, b) => a.at.localeCompare(b.at));

  return {
    value: {
      alarmName,
      metric: shape.label,
      ...(shape.stat ? { stat: shape.stat } : {}),
      ...(shape.periodSeconds ? { periodSeconds: shape.periodSeconds } : {}),
      ...(alarm.Threshold !== undefined && !alarm.ThresholdMetricId ? { threshold: alarm.Threshold } : {}),
      ...(alarm.ComparisonOperator ? { comparison: alarm.ComparisonOperator } : {}),
      points: points.slice(-MAX_POINTS),
    },
    problems: [],
  };
}

/** The queries that reproduce what the alarm evaluates, and which result is the alarm's own series. */
function queriesOf(alarm: MetricAlarm): { queries: MetricDataQuery[]; returned: string; label: string; stat?: string; periodSeconds?: number } | undefined {
  if (alarm.MetricName) {
    const stat = alarm.Statistic ?? alarm.ExtendedStatistic;
    const dims = (alarm.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ');
    return {
      queries: [
        {
          Id: 'alarm',
          MetricStat: {
            Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions },
            Period: alarm.Period,
            Stat: stat,
            Unit: alarm.Unit,
          },
          ReturnData: true,
        },
      ],
      returned: 'alarm',
      label: dims ? `${alarm.MetricName} (${dims})` : alarm.MetricName,
      ...(stat ? { stat } : {}),
      ...(alarm.Period ? { periodSeconds: alarm.Period } : {}),
    };
  }
  // Metric math: the alarm's own queries; the one with ReturnData is the series it compares to the threshold.
  const returned = alarm.Metrics?.find((q) => q.ReturnData);
  if (!returned?.Id) return undefined;
  const periodSeconds = returned.MetricStat?.Period ?? returned.Period ?? alarm.Metrics?.find((q) => q.MetricStat?.Period)?.MetricStat?.Period;
  return {
    queries: alarm.Metrics!,
    returned: returned.Id,
    label: returned.Label ?? returned.Expression ?? returned.MetricStat?.Metric?.MetricName ?? returned.Id,
    ...(returned.MetricStat?.Stat ? { stat: returned.MetricStat.Stat } : {}),
    ...(periodSeconds ? { periodSeconds } : {}),
  };
}

function actionTaken(a: ActionRecord): ActionTaken {
  const revertOf = a.evidence.revertOf;
  return {
    actionId: a.actionId,
    mitigation: a.mitigation,
    ...(a.target ? { target: a.target } : {}),
    decision: a.decision as 'acted' | 'dry-run',
    ...(a.outcome ? { outcome: a.outcome } : {}),
    at: a.createdAt,
    ...(a.revertCommand ? { revertCommand: a.revertCommand } : {}),
    ...(typeof revertOf === 'string' ? { revertOf } : {}),
  };
}

const MAX_LISTED = 10;
const MAX_LINE = 220;
const COMPARISON: Readonly<Record<string, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/**
 * The context as the plain-text section of a page (or post, or ticket): recent changes, the alarm's last
 * values against its threshold, and what could not be read. At most 10 entries per list, lines cut at 220.
 * `actions: false` leaves the automatic actions out, for a message that lists them itself.
 */
export function contextLines(context: IncidentContext, options: { actions?: boolean } = {}): string[] {
  const now = Date.parse(context.gatheredAt);
  const when = (iso: string) => {
    const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
    return `${iso.slice(11, 16)} UTC (${minutes} min ago)`;
  };
  const failed = (source: string) => context.unavailable.some((u) => u.startsWith(`${source}:`));
  const list = <T>(title: string, items: readonly T[], omitted: number | undefined, line: (item: T) => string, unknown: boolean): string[] => {
    if (items.length === 0) return [`  ${title}: ${unknown ? 'unknown (see below)' : 'none'}`];
    const more = items.length - MAX_LISTED + (omitted ?? 0);
    return [`  ${title}:`, ...items.slice(0, MAX_LISTED).map((item) => `    - ${line(item)}`), ...(more > 0 ? [`    ... and ${more} more`] : [])];
  };

  const lines = [
    `Recent changes (last ${context.windowMinutes} min):`,
    ...list(
      'Deployments',
      context.deployments,
      context.omitted?.deployments,
      (d) => {
        const taskDefinition = d.taskDefinition.split('/').pop();
        return `${when(d.createdAt)} ${d.service} (${d.cluster}/${d.ecsService}): ${taskDefinition} ${d.status}${d.rolloutState ? `, ${d.rolloutState}` : ''}`;
      },
      failed(SOURCES.deployments),
    ),
    ...list(
      'Parameter changes',
      context.parameterChanges,
      context.omitted?.parameterChanges,
      (p) => {
        const change = p.previousValue === undefined ? `set to ${p.value}` : `${p.previousValue} -> ${p.value}`;
        return `${when(p.modifiedAt)} ${p.name}: ${change} (v${p.version}${p.modifiedBy ? `, by ${p.modifiedBy}` : ''})`;
      },
      failed(SOURCES.parameters),
    ),
    ...(options.actions === false
      ? []
      : list(
          'Automatic actions',
          context.actions,
          context.omitted?.actions,
          (a) => {
            const what = `${when(a.at)} ${a.mitigation} on ${a.target ?? 'no target'}`;
            if (a.revertOf) return `${what}: revert of ${a.revertOf}, ${a.outcome ?? 'no outcome'}`;
            return `${what}: ${a.decision}, ${a.outcome ?? 'no outcome'}${a.revertCommand ? `; revert: ${a.revertCommand}` : ''}`;
          },
          false,
        )),
    ...datapointLines(context.datapoints),
    ...(context.unavailable.length ? [`Context unavailable: ${context.unavailable.join('; ')}`] : []),
  ];
  return lines.map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 3)}...` : l));
}

/** "Alarm datapoints:" and one line of the last values, those beyond the threshold marked with `*`. */
function datapointLines(d: AlarmDatapoints | undefined): string[] {
  if (!d) return [];
  if (d.rule !== undefined || d.metric === 'composite alarm')
    return ['Alarm datapoints:', `  composite alarm, no datapoints of its own; rule: ${d.rule ?? '?'}`];
  const op = d.comparison ? COMPARISON[d.comparison] : undefined;
  const rule = op && d.threshold !== undefined ? `alarm when ${op} ${d.threshold}` : d.comparison;
  const of = [d.stat, d.periodSeconds ? `per ${d.periodSeconds} s` : undefined].filter(Boolean).join(' ');
  const header = `Alarm datapoints (${d.metric}${of ? `, ${of}` : ''}${rule ? `; ${rule}` : ''}):`;
  if (d.points.length === 0) return [header, '  no datapoints in this window'];
  const breaches = (v: number) => {
    if (!op || d.threshold === undefined) return false;
    return op === '>' ? v > d.threshold : op === '>=' ? v >= d.threshold : op === '<' ? v < d.threshold : v <= d.threshold;
  };
  const last = d.points.slice(-MAX_LISTED);
  const values = last.map((p) => `${Number(p.value.toPrecision(4))}${breaches(p.value) ? '*' : ''}`).join(' ');
  const span = `${last[0]!.at.slice(11, 16)}-${last[last.length - 1]!.at.slice(11, 16)} UTC, oldest first${op ? ', * beyond threshold' : ''}`;
  return [header, `  ${values} (${span})`];
}
