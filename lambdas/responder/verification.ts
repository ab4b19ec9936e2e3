import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Starts the verification execution of an action (Wait, then check the alarm); one per action, by name. */
export function stepFunctionsVerification(sfn: SFNClient, stateMachineArn: string): { start(actionId: string, at: Date): Promise<void> } {
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
