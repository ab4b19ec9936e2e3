import type { AlertDefinition, ComparisonOperator, EscalationPolicyId, MissingDataTreatment, MitigationId, Severity, ThresholdSpec } from '../catalog';
import { ALERTS, STANDARD_POLICY } from '../catalog';
import type { ConfigProblem } from '../errors';
import { showValue } from '../errors';
import type { Config, ServiceConfig } from './schema';

/** An alert's evaluation settings once the environment's overrides are applied. */
export interface AlertSettings {
  readonly enabled: boolean;
  readonly severity: Severity;
  readonly comparison: ComparisonOperator;
  /** The threshold as written in the catalog or the override, before it is resolved against config. */
  readonly threshold: ThresholdSpec;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingDataTreatment;
  readonly mitigations: readonly MitigationId[];
  /** The catalog's policy, or the standard policy of the overridden severity. */
  readonly escalationPolicy: EscalationPolicyId;
}

/**
 * Merges the catalog entry with `config.alerts[id]`. One `??` chain per field: override, then catalog.
 * A `durationMinutes` override sets both N and M of "M out of N" to cover exactly that duration.
 */
export function alertSettings(alert: AlertDefinition, config: Config): AlertSettings {
  const override = config.alerts[alert.id] ?? {};
  const periodSeconds = override.periodSeconds ?? alert.periodSeconds;
  const durationMinutes = override.durationMinutes ?? configuredDuration(alert, config);
  const fromDuration = durationMinutes === undefined ? undefined : (durationMinutes * 60) / periodSeconds;
  const evaluationPeriods = override.evaluationPeriods ?? fromDuration ?? alert.evaluationPeriods;
  const severity = override.severity ?? alert.severity;
  return {
    enabled: override.enabled ?? true,
    mitigations: override.mitigations ?? alert.mitigations,
    severity,
    // A P1 alert downgraded to P2 must not keep paging the incident commander.
    escalationPolicy: severity === alert.severity ? alert.escalationPolicy : STANDARD_POLICY[severity],
    comparison: override.comparison ?? alert.comparison,
    threshold: override.threshold ?? alert.threshold,
    periodSeconds,
    evaluationPeriods,
    // The catalog's "for N minutes" entries use M = N; an override of N alone keeps that meaning.
    datapointsToAlarm:
      override.datapointsToAlarm ??
      fromDuration ??
      (alert.datapointsToAlarm === alert.evaluationPeriods ? evaluationPeriods : Math.min(alert.datapointsToAlarm, evaluationPeriods)),
    treatMissingData: override.treatMissingData ?? alert.treatMissingData,
  };
}

/** An alert's duration taken from config (`durationFrom`), in minutes. */
function configuredDuration(alert: AlertDefinition, config: Config): number | undefined {
  switch (alert.durationFrom) {
    case undefined:
      return undefined;
    case 'dataPipelineWindow':
      return config.dataPipeline.scheduleMinutes + config.dataPipeline.allowedDelayMinutes;
  }
}

/** Resolves "2x the SLA"-style thresholds against the environment (and the service, for per-service values). */
export function resolveThreshold(spec: ThresholdSpec, config: Config, service?: ServiceConfig): number {
  if (typeof spec === 'number') return spec;
  switch (spec.of) {
    case 'slaSeconds':
      return spec.times * config.slaSeconds;
    case 'dailyBudgetUsd':
      return spec.times * config.dailyBudgetUsd;
    case 'expectedLlmCallsPerMinute':
      return spec.times * config.expectedLlmCallsPerMinute;
    case 'rdsMaxConnections':
      if (!service?.rds) throw new Error(`threshold relative to rdsMaxConnections needs a service with rds`);
      return spec.times * service.rds.maxConnections;
  }
}

/** CloudWatch's limits on an alarm's evaluation window (PutMetricAlarm reference). */
const MAX_WINDOW_SECONDS = 7 * 86_400;
const MAX_WINDOW_SHORT_PERIOD_SECONDS = 86_400;

/**
 * Checks what zod cannot see field by field: settings that are only invalid once merged with the catalog,
 * and log-based alerts without their log group.
 */
export function checkAlertSettings(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const alert of ALERTS) {
    const s = alertSettings(alert, config);
    const field = (name: string): string => `alerts.${alert.id}.${name}`;
    const override = config.alerts[alert.id] ?? {};
    if (!s.enabled) continue;
    if (!Number.isInteger(s.evaluationPeriods) || s.evaluationPeriods < 1) {
      problems.push({
        field: field('durationMinutes'),
        message: `must be a whole number of ${s.periodSeconds}-second periods`,
        received: showValue(override.durationMinutes),
      });
      continue;
    }
    if (s.datapointsToAlarm > s.evaluationPeriods) {
      problems.push({
        field: field('datapointsToAlarm'),
        message: `must not exceed evaluationPeriods (${s.evaluationPeriods})`,
        received: showValue(s.datapointsToAlarm),
      });
    }
    const window = s.periodSeconds * s.evaluationPeriods;
    const limit = s.periodSeconds < 3600 ? MAX_WINDOW_SHORT_PERIOD_SECONDS : MAX_WINDOW_SECONDS;
    if (window > limit) {
      problems.push({
        field: field(override.durationMinutes !== undefined ? 'durationMinutes' : 'evaluationPeriods'),
        message: `period x evaluationPeriods is ${window} s; CloudWatch allows at most ${limit} s for a ${s.periodSeconds}-second period`,
        received: showValue(override.durationMinutes ?? s.evaluationPeriods),
      });
    }
    if (alert.measurement.kind === 'log' && config.logGroups[alert.measurement.logGroup] === undefined) {
      problems.push({
        field: `logGroups.${alert.measurement.logGroup}`,
        message: `is required while ${alert.id} is enabled (or set alerts.${alert.id}.enabled to false)`,
        received: undefined,
      });
    }
    if (alert.measurement.kind !== 'log' && config.logPatterns[alert.id] !== undefined) {
      problems.push({
        field: `logPatterns.${alert.id}`,
        message: `${alert.id} is not a log-based alert`,
        received: showValue(config.logPatterns[alert.id]),
      });
    }
  }
  return problems;
}
