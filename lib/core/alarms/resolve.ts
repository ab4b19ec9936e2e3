import type { AlertDefinition, MetricRef, Role } from '../catalog';
import { ALERTS, SEVERITY_LEVELS, alarmName } from '../catalog';
import type { Config } from '../config/schema';
import type { AlarmSpec, LogFilterSpec, MetricAlarmSpec, MetricQuery } from './alarm-spec';
import { latencyScale, resolveMetric, type MetricContext } from './metric-sources';
import { alertSettings, resolveThreshold, type AlertSettings } from '../config/alert-settings';
import { configuredRegions } from '../config/regions';

/** The runbook page of an alert. */
export function runbookUrl(config: Config, alertId: string): string {
  return `${config.runbookBaseUrl.replace(/\/+$/, '')}/${alertId}.md`;
}

/** Namespace of the metrics written by the catalog's log metric filters; per prefix, so environments sharing an account do not mix. */
export function logMetricNamespace(config: Config): string {
  return `${config.metrics.namespace}/${config.prefix}`;
}

/**
 * Turns the catalog and one environment's config into the list of alarms to create: one per enabled alert,
 * per instance (service, certificate) where the alert's scope asks for it.
 */
export function resolveAlarms(config: Config): AlarmSpec[] {
  return ALERTS.flatMap((alert) => {
    const settings = alertSettings(alert, config);
    if (!settings.enabled) return [];
    return instancesOf(alert, config).flatMap((ctx) => {
      const spec = buildSpec(alert, settings, ctx);
      return spec ? [spec] : [];
    });
  });
}

interface Instance extends MetricContext {
  readonly name: string | undefined;
}

function instancesOf(alert: AlertDefinition, config: Config): Instance[] {
  switch (alert.scope) {
    case 'global':
      return [{ config, name: undefined }];
    case 'service':
      return config.services.map((service) => ({ config, service, name: service.name }));
    case 'service-rds':
      return config.services.filter((s) => s.rds !== undefined).map((service) => ({ config, service, name: service.name }));
    case 'certificate':
      return config.certificates.map((c) => ({ config, certificateArn: c.arn, name: c.name }));
  }
}

function buildSpec(alert: AlertDefinition, settings: AlertSettings, ctx: Instance): AlarmSpec | undefined {
  const { config } = ctx;
  const name = alarmName(config.prefix, alert.id, ctx.name);
  const url = runbookUrl(config, alert.id);
  const base = {
    alarmName: name,
    alertId: alert.id,
    instance: ctx.name,
    service: ctx.service?.name,
    severity: settings.severity,
    category: alert.category,
    summary: alert.summary,
    description: describe(alert, settings, url, ctx.name),
    runbookUrl: url,
    mitigations: settings.mitigations,
    escalationPolicy: settings.escalationPolicy,
    customerFacing: alert.customerFacing,
    notifies: true,
    alsoNotifies: directRoles(alert),
  };
  const threshold = resolveThreshold(settings.threshold, config, ctx.service);
  const evaluation = {
    comparison: settings.comparison,
    periodSeconds: settings.periodSeconds,
    evaluationPeriods: settings.evaluationPeriods,
    datapointsToAlarm: settings.datapointsToAlarm,
    treatMissingData: settings.treatMissingData,
  };
  const m = alert.measurement;
  switch (m.kind) {
    case 'metric': {
      const [metric, ...extra] = resolveMetric(m.metric, ctx);
      if (!metric || extra.length > 0) throw new Error(`${alert.id}: a single-metric alert must resolve to one metric`);
      // A latency threshold is written in seconds; API Gateway reports milliseconds.
      const scale = m.metric.source === 'api' && m.metric.name === 'latency' ? latencyScale(ctx) : 1;
      return {
        ...base,
        ...evaluation,
        kind: 'metric',
        metrics: [{ id: 'm1', metric }],
        expression: undefined,
        label: undefined,
        threshold: threshold * scale,
        logFilters: [],
      };
    }
    case 'math':
    case 'anomaly': {
      const { queries, expression } = expandQueries(m.metrics, m.expression, ctx);
      return { ...base, ...evaluation, kind: m.kind, metrics: queries, expression, label: m.label, threshold, logFilters: [] };
    }
    case 'log': {
      const namespace = logMetricNamespace(config);
      const patterns = config.logPatterns[alert.id] ?? m.patterns;
      const logFilters: LogFilterSpec[] = Object.entries(patterns).map(([key, pattern]) => ({
        logGroupName: config.logGroups[m.logGroup]!,
        filterName: `${name}-${key}`,
        pattern: expandPattern(pattern, config),
        metricNamespace: namespace,
        metricName: m.metricName,
      }));
      const metric = { namespace, metricName: m.metricName, dimensions: {}, statistic: 'Sum' };
      return { ...base, ...evaluation, kind: 'metric', metrics: [{ id: 'm1', metric }], expression: undefined, label: undefined, threshold, logFilters };
    }
    case 'composite-regions': {
      const regions = configuredRegions(config);
      // "One region down, others OK" needs at least two regions to mean anything.
      if (regions.length < 2) return undefined;
      const children: MetricAlarmSpec[] = regions.map((region) => {
        const [metric] = resolveMetric(m.child, { ...ctx, region });
        return {
          ...base,
          ...evaluation,
          alarmName: alarmName(config.prefix, alert.id, region),
          instance: region,
          description: `Region ${region} unhealthy (child of ${name}; no actions of its own). Runbook: ${url}`,
          notifies: false,
          alsoNotifies: [],
          kind: 'metric',
          metrics: [{ id: 'm1', metric: metric! }],
          expression: undefined,
          label: undefined,
          threshold,
          logFilters: [],
        };
      });
      const any = children.map((c) => `ALARM("${c.alarmName}")`);
      return { ...base, kind: 'composite', rule: `(${any.join(' OR ')}) AND NOT (${any.join(' AND ')})`, children };
    }
  }
}

/**
 * Resolves the expression's metrics. A logical metric backed by several vendor metrics (ALB target and ELB
 * 5xx) becomes one query each, summed in the expression with FILL so a metric with no datapoint counts as 0.
 */
function expandQueries(metrics: Readonly<Record<string, MetricRef>>, expression: string, ctx: MetricContext): { queries: MetricQuery[]; expression: string } {
  const queries: MetricQuery[] = [];
  let expanded = expression;
  for (const [id, ref] of Object.entries(metrics)) {
    const resolved = resolveMetric(ref, ctx);
    if (resolved.length === 1) {
      queries.push({ id, metric: resolved[0]! });
      continue;
    }
    const ids = resolved.map((metric, i) => {
      queries.push({ id: `${id}${i + 1}`, metric });
      return `FILL(${id}${i + 1}, 0)`;
    });
    expanded = expanded.replace(new RegExp(`\\b${id}\\b`, 'g'), `(${ids.join(' + ')})`);
  }
  return { queries, expression: expanded };
}

/** Expands the config-derived fragments a catalog filter pattern may use. */
function expandPattern(pattern: string, config: Config): string {
  const { allowedCountries, countryField } = config.security;
  const notAllowed = allowedCountries.map((c) => `(${countryField} != "${c}")`).join(' && ');
  return pattern.replaceAll('{{countryNotAllowed}}', notAllowed);
}

function describe(alert: AlertDefinition, settings: AlertSettings, url: string, instance: string | undefined): string {
  const where = instance === undefined ? '' : ` [${instance}]`;
  const level = SEVERITY_LEVELS[settings.severity];
  return `${settings.severity} (${level.name})${where}: ${alert.summary}. Runbook: ${url}`;
}

/**
 * Role topics an alarm notifies directly, around the escalation: the stack's self-monitoring alarms watch the
 * escalation itself, which cannot be trusted to page about its own failure.
 */
export function directRoles(alert: AlertDefinition): readonly Role[] {
  return alert.category === 'self-monitoring' ? ['on-call-primary'] : [];
}
