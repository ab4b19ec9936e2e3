import type { Command } from 'commander';
import type { Config } from '../core/config/schema';
import type { Environments } from '../core/evaluator';

/** Exit codes of every `oncall` command. */
export const EXIT = {
  /** Everything passed / done. */
  OK: 0,
  /** The command ran and found a failure (a failing alert test). */
  FAILED: 1,
  /** Bad usage or input: unknown option, missing file, invalid YAML or CSV, unknown alarm. */
  USAGE: 2,
  /** An id that names nothing: unknown action, incident or silence. */
  NOT_FOUND: 3,
  /** AWS cannot be used: no credentials, endpoint unreachable, the stack's table missing. */
  AWS_UNAVAILABLE: 4,
} as const;

/** Where a command writes; a test passes buffers, the binary passes stdout and stderr. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour only when a person reads a terminal. @default false */
  readonly isTTY?: boolean;
}

/** What every command receives. */
export interface CliContext {
  readonly io: CliIo;
  /** Environments commands resolve alarms in (config/index.ts). */
  readonly environments: Environments;
  /** Set by the command that ran; returned by `runCli`. */
  exitCode: number;
  /** The environment the command opened a session on, for error messages. */
  sessionConfig?: Config;
}

/** One `oncall` command: a module in lib/cli/commands/ that adds itself to the program. */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}
