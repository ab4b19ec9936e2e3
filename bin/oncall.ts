/**
 * Entry point of the `oncall` CLI (TypeScript). package.json's `bin` points at a small JavaScript shim that
 * registers tsx and requires this file; `node --import tsx bin/oncall.ts <command>` runs it directly.
 */
import './sdk-notice';
import { runCli } from '../lib/cli/program';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error (a bug in oncall, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
