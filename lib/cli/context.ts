import type { Command } from 'commander';
import type { Environments } from '../evaluator';

/** Exit codes of every `oncall` command. */
export const EXIT = {
  /** Everything passed / done. */
  OK: 0,
  /** The command ran and found a failure (a failing alert test). */
  FAILED: 1,
  /** Bad usage or input: unknown option, missing file, invalid YAML or CSV, unknown alarm. */
  USAGE: 2,
} as const;

/** Where a command writes; a test passes buffers, the binary passes stdout and stderr. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** What every command receives. */
export interface CliContext {
  readonly io: CliIo;
  /** Environments commands resolve alarms in (config/index.ts). */
  readonly environments: Environments;
  /** Set by the command that ran; returned by `runCli`. */
  exitCode: number;
}

/** One `oncall` command: a module in lib/cli/commands/ that adds itself to the program. */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}
