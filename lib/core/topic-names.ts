import type { Role, Severity } from './catalog';

/**
 * Topic names are fixed so that alarm stacks (and the CLI) can build a topic's ARN without a cross-stack
 * export: exports would pin the core stack and make every alarm-stack change a two-step deploy.
 */
export function severityTopicName(prefix: string, severity: Severity): string {
  return `${prefix}-alerts-${severity}`;
}

export function roleTopicName(prefix: string, role: Role): string {
  return `${prefix}-page-${role}`;
}
