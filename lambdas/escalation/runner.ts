import { ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Starts and stops escalation executions. Step Functions in AWS; an in-process runner in tests and the drill. */
export interface EscalationRunner {
  /** Starts an execution; starting the same name with the same input again returns the same execution. */
  start(name: string, input: EscalationInput): Promise<{ arn: string }>;
  /** Ends an execution: no Wait runs out, no further page. */
  stop(arn: string, cause: string): Promise<void>;
}

/** The input of one escalation execution: the incident and its timetable. */
export interface EscalationInput {
  readonly incidentId: string;
  readonly steps: readonly {
    readonly index: number;
    readonly at: string;
    readonly roles: readonly string[];
    readonly ticket: boolean;
    readonly cancelledByAck: boolean;
  }[];
}

export function stepFunctionsRunner(sfn: SFNClient, stateMachineArn: string): EscalationRunner {
  return {
    async start(name, input) {
      try {
        const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
        return { arn: executionArn! };
      } catch (error) {
        // StartExecution (API reference): the same name and input as an open execution of a Standard workflow
        // returns that execution; the same name with another input, or of a closed execution, is
        // ExecutionAlreadyExists. Either way an execution for this incident exists already; that one stands.
        if (error instanceof ExecutionAlreadyExists) return { arn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}` };
        throw error;
      }
    },
    async stop(arn, cause) {
      try {
        await sfn.send(new StopExecutionCommand({ executionArn: arn, cause: cause.slice(0, 32_000) }));
      } catch (error) {
        // An execution that already ended (every step ran) or never existed has nothing left to stop.
        if (!(error instanceof ExecutionDoesNotExist)) throw error;
      }
    },
  };
}
