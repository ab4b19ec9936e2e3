import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Log } from '../shared/observability';

/** Starts the verification of an action that succeeded. */
export interface Verification {
  start(actionId: string, at: Date): Promise<void>;
}

/**
 * The verification of the stack's state machine, or none when the stack has none (a regional stack, until it gets
 * one): its actions are then announced and audited but not checked, which is logged once, at cold start, so that
 * nobody reads the missing verifications as checks that passed.
 */
export function verificationOf(sfn: SFNClient, stateMachineArn: string | undefined, logger: Log): Verification | undefined {
  if (stateMachineArn) return stepFunctionsVerification(sfn, stateMachineArn);
  logger.warn('actions will not be verified: this stack has no verification state machine (VERIFY_STATE_MACHINE_ARN unset)');
  return undefined;
}

/** Starts the verification execution of an action (Wait, then check the alarm); one per action, by name. */
function stepFunctionsVerification(sfn: SFNClient, stateMachineArn: string): Verification {
  return {
    async start(actionId, at) {
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `verify-${actionId}`, input: JSON.stringify({ actionId, at: at.toISOString() }) }));
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
  };
}
