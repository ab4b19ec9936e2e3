import { Command, CommanderError } from 'commander';
import { ENVIRONMENTS } from '../../config';
import { InputError, type Environments } from '../core/evaluator';
import { COMMANDS } from './commands';
import { EXIT, type CliContext, type CliIo } from './context';
import { AwsUnavailableError, explainAwsError, NotFoundError } from './session';

/** Writes to the process's stdout and stderr. */
export const PROCESS_IO: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
};

/**
 * The `oncall` program with every command of lib/cli/commands registered. Errors do not exit the process:
 * they surface from `parseAsync` so {@link runCli} can map them to exit codes.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('oncall')
    .description('On-call tooling for the runbook alerting stack')
    .exitOverride()
    .configureOutput({ writeOut: ctx.io.out, writeErr: ctx.io.err })
    .showHelpAfterError('(run with --help for usage)');
  for (const command of COMMANDS) command.register(program, ctx);
  return program;
}

/**
 * Runs `oncall` with the arguments after the program name.
 * @returns the exit code: 0 done or passed, 1 a failure found, 2 bad usage or input
 */
export async function runCli(args: readonly string[], io: CliIo = PROCESS_IO, environments: Environments = ENVIRONMENTS): Promise<number> {
  const ctx: CliContext = { io, environments, exitCode: EXIT.OK };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (error instanceof InputError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.USAGE;
    }
    if (error instanceof NotFoundError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.NOT_FOUND;
    }
    const aws = error instanceof AwsUnavailableError ? error.message : explainAwsError(error, ctx.sessionConfig);
    if (aws !== undefined) {
      io.err(`error: ${aws}\n`);
      return EXIT.AWS_UNAVAILABLE;
    }
    throw error;
  }
}
