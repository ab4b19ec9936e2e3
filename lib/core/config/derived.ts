import type { Config, ServiceConfig } from './schema';

/**
 * Values derived from the config that the stack, the responders and the CLI must agree on. Plain functions,
 * no CDK: one definition, three users.
 */

/** The automation switch (enabled | dry-run | disabled). */
export function automationModeParameter(config: Config): string {
  return config.ssm.automationMode ?? `/${config.prefix}/automation-mode`;
}

/** The service environment-wide alerts act on (the one hosting the model). */
export function modelService(config: Config): ServiceConfig {
  const name = config.automation.modelService;
  return config.services.find((s) => s.name === name) ?? config.services[0]!;
}

/** rds-scale-up's ladder for a service; the last class is the cap. */
export function rdsClassLadder(config: Config, service: ServiceConfig): readonly string[] {
  return service.rds?.classLadder ?? config.automation.rdsClassLadder;
}

/** Where the config names a service's ladder, for messages that tell a reader what to change. */
export function rdsClassLadderField(service: ServiceConfig): string {
  return service.rds?.classLadder ? `services[${service.name}].rds.classLadder` : 'automation.rdsClassLadder';
}

/** ecs-scale-out's cap for a service. */
export function ecsMaxDesiredCount(config: Config, service: ServiceConfig): number {
  return service.ecs.maxDesiredCount ?? config.automation.ecsMaxDesiredCount;
}

/** Fixed so the self-monitoring alarms can name them before they exist. */
export function responderFunctionName(config: Config): string {
  return `${config.prefix}-responder`;
}

export function deadLetterQueueName(config: Config): string {
  return `${config.prefix}-responder-dlq`;
}

/** Functions and state machines of the escalation, named so alarms and the CLI can find them. */
export function escalationFunctionName(config: Config, name: string): string {
  return `${config.prefix}-escalation-${name}`;
}

/** The function that talks to Slack, the status page, the ticket tracker and PagerDuty. */
export function collaborationFunctionName(config: Config): string {
  return `${config.prefix}-collaboration`;
}

export function escalationStateMachineName(config: Config): string {
  return `${config.prefix}-escalation`;
}

export function verifyStateMachineName(config: Config): string {
  return `${config.prefix}-verify`;
}

/** Name of the audit table. */
export function auditTableName(config: Config): string {
  return `${config.prefix}-alerting-audit`;
}
