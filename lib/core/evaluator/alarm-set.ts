import type { AlarmSpec } from '../alarms/alarm-spec';
import { resolveAlarms } from '../alarms/resolve';
import { ALERT_IDS } from '../catalog';
import { parseConfig } from '../config/load';
import type { Config, ConfigInput } from '../config/schema';
import { ConfigError } from '../errors';
import { InputError, UnknownAlarmError } from './errors';

/** The environments a test file or backtest may name (config/index.ts `ENVIRONMENTS`). */
export type Environments = Readonly<Record<string, ConfigInput>>;

/** The alarms one environment deploys, resolved from the catalog exactly as the stack does. */
export interface AlarmSet {
  readonly env: string;
  readonly config: Config;
  readonly alarms: readonly AlarmSpec[];
}

/**
 * Resolves an environment's alarms, optionally with a partial config deep-merged over it first (objects are
 * merged key by key; arrays and values are replaced), e.g. `{ alerts: { HighAPIErrorRate: { threshold: 0.07 } } }`.
 * @throws InputError for an unknown environment or a config the override made invalid
 */
export function resolveAlarmSet(env: string, environments: Environments, overrides?: unknown): AlarmSet {
  const base = environments[env];
  if (base === undefined) throw new InputError(`unknown env "${env}"; config/index.ts defines ${Object.keys(environments).join(', ')}`);
  try {
    const config = parseConfig(env, overrides === undefined ? base : deepMerge(base, overrides));
    return { env, config, alarms: resolveAlarms(config) };
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.message);
    throw error;
  }
}

/** Which alarm a test or backtest means: an alarm name, or an alert id and (when several) an instance. */
export interface AlarmQuery {
  readonly alarm?: string;
  readonly alert?: string;
  readonly instance?: string;
}

/**
 * Finds one alarm of the set; children of composite alarms can be named too.
 * @throws UnknownAlarmError with close matches, or InputError when the query is ambiguous
 */
export function findAlarm(set: AlarmSet, query: AlarmQuery): AlarmSpec {
  const all = set.alarms.flatMap((a) => (a.kind === 'composite' ? [a, ...a.children] : [a]));
  if (query.alarm !== undefined) {
    const found = all.find((a) => a.alarmName === query.alarm);
    if (found) return found;
    const asAlert = ALERT_IDS.includes(query.alarm) ? ` (that is an alert id: write "alert: ${query.alarm}")` : '';
    throw new UnknownAlarmError(query.alarm, closeMatches(query.alarm, [...all.map((a) => a.alarmName), ...ALERT_IDS]), asAlert);
  }
  const id = query.alert;
  if (id === undefined) throw new InputError('name the alarm: give "alarm" (an alarm name) or "alert" (an alert id)');
  if (!ALERT_IDS.includes(id)) throw new UnknownAlarmError(id, closeMatches(id, ALERT_IDS));
  const candidates = set.alarms.filter((a) => a.alertId === id);
  if (candidates.length === 0) throw new InputError(`alert ${id} is disabled in env "${set.env}" (config alerts.${id}.enabled)`);
  if (query.instance !== undefined) {
    const found = candidates.find((a) => a.instance === query.instance);
    if (found) return found;
    throw new InputError(
      `alert ${id} has no instance "${query.instance}" in env "${set.env}"; instances: ${candidates.map((a) => a.instance ?? '(global)').join(', ')}`,
    );
  }
  if (candidates.length > 1) {
    throw new InputError(
      `alert ${id} has ${candidates.length} alarms in env "${set.env}"; name one with "instance": ${candidates.map((a) => a.instance).join(', ')}`,
    );
  }
  return candidates[0]!;
}

/** Up to three names close to `query` (edit distance, or containment ignoring case), best first. */
export function closeMatches(query: string, names: readonly string[]): string[] {
  const q = query.toLowerCase();
  return names
    .map((name) => ({ name, distance: editDistance(q, name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(query.length / 3)) || name.toLowerCase().includes(q) || q.includes(name.toLowerCase()))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Merges `patch` over `base`: plain objects key by key, anything else replaced. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
