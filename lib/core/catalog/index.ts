import { BUSINESS_ALERTS } from './alerts/business';
import { COST_ALERTS } from './alerts/cost';
import { DATA_QUALITY_ALERTS } from './alerts/data-quality';
import { DEPENDENCY_ALERTS } from './alerts/dependencies';
import { INFORMATIONAL_ALERTS } from './alerts/informational';
import { INFRASTRUCTURE_ALERTS } from './alerts/infrastructure';
import { MODEL_PERFORMANCE_ALERTS } from './alerts/model-performance';
import { SECURITY_ALERTS } from './alerts/security';
import { SELF_MONITORING_ALERTS } from './alerts/self-monitoring';
import type { AlertDefinition } from './types';

export * from './types';
export * from './severities';
export * from './escalation';
export * from './naming';

/** Every alert of the runbook, in runbook order. The single source the stack, the Lambdas and the CLI read. */
export const ALERTS: readonly AlertDefinition[] = [
  ...INFRASTRUCTURE_ALERTS,
  ...DEPENDENCY_ALERTS,
  ...MODEL_PERFORMANCE_ALERTS,
  ...DATA_QUALITY_ALERTS,
  ...BUSINESS_ALERTS,
  ...COST_ALERTS,
  ...SECURITY_ALERTS,
  ...INFORMATIONAL_ALERTS,
  ...SELF_MONITORING_ALERTS,
];

export const ALERT_IDS: readonly string[] = ALERTS.map((alert) => alert.id);

const BY_ID: ReadonlyMap<string, AlertDefinition> = new Map(ALERTS.map((alert) => [alert.id, alert]));

/** The catalog entry for an id, or undefined. */
export function findAlert(id: string): AlertDefinition | undefined {
  return BY_ID.get(id);
}

const RELATED: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const related = new Map<string, Set<string>>(ALERTS.map((a) => [a.id, new Set<string>()]));
  for (const alert of ALERTS) {
    for (const other of alert.relatedAlerts) {
      related.get(alert.id)?.add(other);
      related.get(other)?.add(alert.id);
    }
  }
  return related;
})();

/** Alerts related to this one, in either direction ("A lists B" makes them related both ways). */
export function relatedTo(alertId: string): ReadonlySet<string> {
  return RELATED.get(alertId) ?? new Set();
}
