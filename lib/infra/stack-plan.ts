import type { Config, ServiceConfig } from '../core/config/schema';
import type { AlarmSpec } from '../core/alarms/alarm-spec';
import { resolveAlarms } from '../core/alarms/resolve';
import { findAlert, type MetricSource } from '../core/catalog';
import { configIn, regionalServices, runsAtHome } from '../core/config/regions';

/** CloudWatch alarms an alarm spec creates (a composite counts its children). */
export function cloudWatchAlarmCount(spec: AlarmSpec): number {
  return spec.kind === 'composite' ? 1 + spec.children.length : 1;
}

/** One alarm stack of the plan. */
export interface AlarmStackPlan {
  /** Stable index: part of the stack name `<prefix>-alarms-<index>`. */
  readonly index: number;
  readonly services: readonly string[];
  readonly alarms: readonly AlarmSpec[];
}

/** Where every alarm goes: environment-wide alarms with the core stack, home-region service alarms in alarm stacks. */
export interface StackPlan {
  readonly core: readonly AlarmSpec[];
  readonly alarmStacks: readonly AlarmStackPlan[];
}

/**
 * Places alarms so that no template passes CloudFormation's limits, and so that an alarm does not move
 * between stacks when the config grows: a service keeps its stack (pinned with `stack`, or filled in config
 * order), because a named alarm that moves is created in its new stack before it is deleted from the old
 * one, and the deploy fails on the duplicate name.
 */
export function planStacks(config: Config, specs: readonly AlarmSpec[]): StackPlan {
  const byService = new Map<string, AlarmSpec[]>();
  const core: AlarmSpec[] = [];
  for (const spec of specs) {
    if (spec.service === undefined) core.push(spec);
    else byService.set(spec.service, [...(byService.get(spec.service) ?? []), spec]);
  }

  const stacks = new Map<number, { services: string[]; alarms: AlarmSpec[]; count: number }>();
  const stackAt = (index: number) => {
    let stack = stacks.get(index);
    if (!stack) stacks.set(index, (stack = { services: [], alarms: [], count: 0 }));
    return stack;
  };
  // A service that does not run in the home region keeps its room in its stack, so that the others do not move when
  // its regions change, but gets no alarms there: UsageDrop, missing data breaching, would page on the absent traffic.
  const place = (index: number, service: ServiceConfig, alarms: AlarmSpec[]): void => {
    const stack = stackAt(index);
    stack.count += alarms.reduce((n, a) => n + cloudWatchAlarmCount(a), 0);
    if (!runsAtHome(config, service)) return;
    stack.services.push(service.name);
    stack.alarms.push(...alarms);
  };

  const pinned = config.services.filter((s) => s.stack !== undefined);
  for (const service of pinned) place(service.stack!, service, byService.get(service.name) ?? []);
  let next = 0;
  for (const service of config.services.filter((s) => s.stack === undefined)) {
    const alarms = byService.get(service.name) ?? [];
    const size = alarms.reduce((n, a) => n + cloudWatchAlarmCount(a), 0);
    while ((stacks.get(next)?.count ?? 0) + size > config.maxAlarmsPerStack && (stacks.get(next)?.count ?? 0) > 0) next += 1;
    place(next, service, alarms);
  }

  // A stack whose services all run elsewhere has nothing to create (CloudFormation refuses an empty template).
  const alarmStacks = [...stacks.entries()]
    .filter(([, s]) => s.services.length > 0)
    .sort(([a], [b]) => a - b)
    .map(([index, s]) => ({ index, services: s.services, alarms: s.alarms }));
  return { core, alarmStacks };
}

/** The alarms of one serving region outside the home one (of another account, if `account` is set). */
export interface RegionalStackPlan {
  readonly region: string;
  readonly account?: string;
  /** The environment as the region sees it: its services only, each named as it is there (`services[].regional`). */
  readonly config: Config;
  readonly services: readonly string[];
  readonly alarms: readonly AlarmSpec[];
}

/** What every regional stack has its own of, under the same names as at home: its responder and that one's dead-letter queue. */
const REGIONAL_SOURCES: ReadonlySet<MetricSource> = new Set<MetricSource>(['responder-function', 'dead-letter-queue']);

/**
 * Whether an environment-wide alert watches only metrics a regional stack has too (today the catalog's
 * ResponderErrors and ResponderDeadLetters): read from the alert's measurement, so a new such alert comes along.
 */
function watchesRegionalResponder(alertId: string): boolean {
  const measurement = findAlert(alertId)?.measurement;
  const refs =
    measurement?.kind === 'metric'
      ? [measurement.metric]
      : measurement?.kind === 'math' || measurement?.kind === 'anomaly'
        ? Object.values(measurement.metrics)
        : [];
  return refs.length > 0 && refs.every((ref) => REGIONAL_SOURCES.has(ref.source));
}

/**
 * Per serving region outside the home one where some service runs, the alarms of the services running there,
 * resolved against their names in that region, and those watching the region's own responder. The other
 * environment-wide alarms stay in the home region only.
 */
export function planRegionalStacks(config: Config): RegionalStackPlan[] {
  return regionalServices(config).map((group) => {
    const local = configIn(config, group);
    const alarms = resolveAlarms(local).filter((spec) => spec.service !== undefined || watchesRegionalResponder(spec.alertId));
    return { region: group.region, account: group.account, config: local, services: local.services.map((s) => s.name), alarms };
  });
}
