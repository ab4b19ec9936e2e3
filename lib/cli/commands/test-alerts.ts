import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatFileResult, InputError, loadTestFile, runTestFile, totals, type FileResult } from '../../core/evaluator';
import { EXIT, type CliCommand, type CliContext } from '../context';

/** Options of `oncall test-alerts`. */
interface TestAlertsOptions {
  readonly env?: string;
  readonly verbose?: boolean;
}

/**
 * `oncall test-alerts FILE|DIR...`: runs alert test files (format: lib/core/evaluator/test-file.ts) against the
 * alarms the catalog and config deploy. Exit 0 when every case passes, 1 when one fails, 2 when a file
 * cannot be read or names something that does not exist.
 */
export const testAlertsCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('test-alerts')
      .description('Run alert unit tests (YAML) against the alarms the stack deploys')
      .argument('<files...>', 'test files, or directories of *.yaml test files')
      .option('--env <name>', "evaluate in this config environment instead of each file's `env`")
      .option('-v, --verbose', 'print every state transition, also for passing tests')
      .action((files: string[], options: TestAlertsOptions) => {
        ctx.exitCode = testAlerts(files, options, ctx);
      });
  },
};

function testAlerts(paths: readonly string[], options: TestAlertsOptions, ctx: CliContext): number {
  const results: FileResult[] = [];
  let inputErrors = 0;
  for (const path of expandPaths(paths)) {
    try {
      const result = runTestFile(loadTestFile(path), { environments: ctx.environments, env: options.env });
      results.push(result);
      ctx.io.out(`${formatFileResult(result, { verbose: options.verbose === true })}\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      inputErrors += 1;
      ctx.io.err(`error: ${error.message}\n`);
    }
  }
  const { passed, failed } = totals(results);
  const errors = inputErrors > 0 ? `, ${inputErrors} file${inputErrors === 1 ? '' : 's'} with errors` : '';
  ctx.io.out(`\n${passed} passed, ${failed} failed${errors}\n`);
  if (inputErrors > 0) return EXIT.USAGE;
  return failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Files as given; a directory stands for its *.yaml and *.yml files, sorted. */
function expandPaths(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      return [path];
    }
    if (!isDirectory) return [path];
    const files = readdirSync(path)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(path, f));
    if (files.length === 0) throw new InputError('no *.yaml test files in this directory', path);
    return files;
  });
}
