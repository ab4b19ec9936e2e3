/**
 * Alarm names are the contract between the stack and everything that reacts to an alarm: responders and the
 * CLI recover the alert id and the service from the name alone, so the scheme lives here, once.
 */

/** `<prefix>-<AlertId>[-<instance>]`, where instance is a service name, certificate name or region. */
export function alarmName(prefix: string, alertId: string, instance?: string): string {
  return instance === undefined ? `${prefix}-${alertId}` : `${prefix}-${alertId}-${instance}`;
}

/** Parsed form of an alarm name produced by {@link alarmName}. */
export interface ParsedAlarmName {
  readonly alertId: string;
  readonly instance: string | undefined;
}

/**
 * Reads an alarm name back. Alert ids are PascalCase without dashes, so the first dash after the prefix
 * ends the id. Returns undefined for names this stack did not create.
 */
export function parseAlarmName(prefix: string, name: string): ParsedAlarmName | undefined {
  const head = `${prefix}-`;
  if (!name.startsWith(head)) return undefined;
  const rest = name.slice(head.length);
  const match = /^([A-Z][A-Za-z0-9]*)(?:-(.+))?$/.exec(rest);
  if (!match) return undefined;
  return { alertId: match[1]!, instance: match[2] };
}
