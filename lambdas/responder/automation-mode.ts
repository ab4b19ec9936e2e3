import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { AUTOMATION_MODES, type AutomationMode } from '../../lib/core/config/schema';

/** The switch as read, with the reason when it could not be read. */
export interface ModeReading {
  readonly mode: AutomationMode;
  readonly note?: string;
}

/**
 * Reads the automation switch. Read on every invocation, never cached: on-call flips it at 3 a.m. and the
 * next alarm must obey. Fails closed: a missing, unreadable or unknown value means "disabled".
 */
export async function readAutomationMode(ssm: SSMClient, parameter: string): Promise<ModeReading> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: parameter }));
    const value = Parameter?.Value?.trim();
    if ((AUTOMATION_MODES as readonly string[]).includes(value ?? '')) return { mode: value as AutomationMode };
    return { mode: 'disabled', note: `automation switch ${parameter} holds "${value}", not one of ${AUTOMATION_MODES.join(' | ')}` };
  } catch (error) {
    const note =
      error instanceof ParameterNotFound
        ? `automation switch ${parameter} does not exist`
        : `automation switch ${parameter} unreadable: ${(error as Error).message}`;
    return { mode: 'disabled', note };
  }
}
