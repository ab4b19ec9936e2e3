import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { findResource, type CfnTemplate } from './templates';
import type { EscalationInput, EscalationRunner } from '../../lambdas/escalation/runner';

// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks.
const withResolvers = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
(Promise as unknown as { withResolvers?: unknown }).withResolvers ??= withResolvers;

/** One execution run in-process. */
export interface LocalExecution {
  readonly name: string;
  readonly input: EscalationInput;
  /** Settles when the execution ends (succeeded, failed or stopped). */
  readonly done: Promise<'succeeded' | 'failed' | 'aborted'>;
  /** States entered, in order: what Step Functions bills as state transitions. */
  readonly states: string[];
  /** Why the execution failed, once it has. */
  readonly error: unknown;
}

/**
 * A Task state's local handler. `execution.stopped` aborts when the execution is stopped: a handler that holds
 * its task (the drill's clock standing in for a Wait) lets go then, as Step Functions would never have run it.
 */
export type LocalTaskHandler = (input: unknown, execution: { readonly name: string; readonly stopped: AbortSignal }) => Promise<unknown>;

/** A runner that executes a real state machine definition in-process, tasks mapped to local handlers. */
export interface LocalRunner extends EscalationRunner {
  readonly executions: ReadonlyMap<string, LocalExecution>;
  /** Stops every execution still running (end of a test or of the drill). */
  stopAll(): Promise<void>;
}

const machines = new Map<string, StateMachine>();

/**
 * One StateMachine per definition and process; a StateMachine keeps no state between runs. It runs the definition
 * without validating it: asl-validator checks the synthesized definitions of every example environment in
 * test/stack/escalation-stack.test.ts, and compiling its schema again in each process that runs one cost 0.7 to 1 s
 * of CPU (docs/testing.md#speed).
 */
function stateMachine(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  let machine = machines.get(key);
  if (!machine) machines.set(key, (machine = new StateMachine(definition, { validationOptions: { noValidate: true } })));
  return machine;
}

/**
 * Runs the synthesized Amazon States Language definition with aws-local-stepfunctions: Waits wait for real
 * unless `waitMs` says otherwise (the drill and the tests on its clock hold each task on the clock instead), Task
 * states call the given handlers in-process, as Lambda would. Starting an existing name returns it, as Step Functions does.
 */
export function localRunner(
  definition: StateMachineDefinition,
  handlers: Record<string, LocalTaskHandler>,
  options: {
    retryIntervalMs?: number;
    /** Milliseconds every Wait state waits instead of its own time: for a clock that holds the tasks instead (drill-clock.ts). */
    waitMs?: number;
  } = {},
): LocalRunner {
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(statesWhere(definition, (s) => s.Retry !== undefined).map((name) => [name, options.retryIntervalMs!]));
  const waitTimeOverrides =
    options.waitMs === undefined ? undefined : Object.fromEntries(statesWhere(definition, (s) => s.Type === 'Wait').map((name) => [name, options.waitMs!]));
  const machine = stateMachine(definition);
  const executions = new Map<string, LocalExecution & { abort: () => void; arn: string }>();
  return {
    executions,
    async start(name, input) {
      const existing = executions.get(name);
      if (existing) return { arn: existing.arn };
      const stopping = new AbortController();
      const taskResourceLocalHandlers = Object.fromEntries(
        Object.entries(handlers).map(([state, handler]) => [state, (taskInput: unknown) => handler(taskInput, { name, stopped: stopping.signal })]),
      );
      const run = machine.run(input as never, {
        overrides: {
          taskResourceLocalHandlers: taskResourceLocalHandlers as never,
          ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
          ...(waitTimeOverrides ? { waitTimeOverrides } : {}),
        },
        noThrowOnAbort: true,
      });
      const states: string[] = [];
      void (async () => {
        for await (const event of run.eventLogs) if (event.type === 'StateEntered') states.push(event.state.name);
      })();
      let error: unknown;
      const done = run.result.then(
        (result) => (result === null ? 'aborted' : 'succeeded') as 'succeeded' | 'aborted',
        (e: unknown) => {
          error = e;
          return 'failed' as const;
        },
      );
      const arn = `arn:aws:states:us-east-1:123456789012:execution:local:${name}`;
      const abort = () => {
        stopping.abort();
        run.abort();
      };
      executions.set(name, {
        name,
        input,
        done,
        states,
        abort,
        arn,
        get error() {
          return error;
        },
      });
      return { arn };
    },
    async stop(arn) {
      for (const execution of executions.values()) if (execution.arn === arn) execution.abort();
    },
    async stopAll() {
      for (const execution of executions.values()) execution.abort();
      await Promise.all([...executions.values()].map((e) => e.done));
    },
  };
}

/** Names of the states that match, nested ones (Map, Parallel) included. */
function statesWhere(definition: { States?: Record<string, unknown> }, matches: (state: { Type?: string; Retry?: unknown }) => boolean): string[] {
  return Object.entries(definition.States ?? {}).flatMap(([name, raw]) => {
    const state = raw as {
      Type?: string;
      Retry?: unknown;
      ItemProcessor?: { States?: Record<string, unknown> };
      Iterator?: { States?: Record<string, unknown> };
      Branches?: { States?: Record<string, unknown> }[];
    };
    return [
      ...(matches(state) ? [name] : []),
      ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((inner) => (inner ? statesWhere(inner, matches) : [])),
    ];
  });
}

const PSEUDO: Readonly<Record<string, string>> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' };

/**
 * The ASL of a synthesized state machine: its DefinitionString with the pseudo parameters of moto's account and
 * every other reference replaced by a placeholder ARN (local handlers stand in for the resources).
 */
export function definitionOf(resource: { Properties?: { DefinitionString?: unknown } }): StateMachineDefinition {
  const raw = resource.Properties?.DefinitionString;
  const part = (p: unknown) =>
    typeof p === 'string' ? p : (PSEUDO[(p as { Ref?: string }).Ref ?? ''] ?? 'arn:aws:lambda:us-east-1:123456789012:function:local');
  const text = typeof raw === 'string' ? raw : (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(part).join('');
  return JSON.parse(text) as StateMachineDefinition;
}

/** The ASL of the state machine `name` of the synthesized templates ({@link definitionOf}). */
export function stateMachineDefinition(templates: Iterable<CfnTemplate>, name: string): StateMachineDefinition {
  const machine = findResource(templates, 'AWS::StepFunctions::StateMachine', 'StateMachineName', name);
  if (!machine) throw new Error(`no synthesized stack declares the state machine ${name}`);
  return definitionOf(machine);
}
