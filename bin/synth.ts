/**
 * `npm run synth [-- --env <name>] [--out <dir>]`: synthesizes every stack of an environment into cdk.out
 * (exactly what `cdk synth` does) and prints what it built: alarms per severity and category, topics,
 * stacks with their resource counts and template sizes, and the alarms' estimated monthly cost.
 */
import '../lib/cli/sdk-notice';
import { parseArgs } from 'node:util';
import { buildApp } from '../lib/infra/app';
import { loadEnvironment } from '../lib/core/config/environment';
import { ConfigError } from '../lib/core/errors';
import { summarize, formatSummary } from '../lib/infra/synth-summary';

const { values } = parseArgs({ options: { env: { type: 'string', default: 'default' }, out: { type: 'string', default: 'cdk.out' } } });

try {
  const config = loadEnvironment(values.env!);
  const built = buildApp({ config, appProps: { outdir: values.out } });
  const assembly = built.app.synth();
  console.log(formatSummary(summarize(config, built, assembly)));
  console.log(`\nTemplates written to ${assembly.directory}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
