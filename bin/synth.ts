/**
 * `npm run synth [-- --env <name>] [--fleet <N>] [--out <dir>]`: synthesizes every stack of an environment into
 * cdk.out (exactly what `cdk synth` does, the quota guard included) and prints what it built: alarms per severity
 * and category, topics, stacks with their resource counts and template sizes, each AWS quota's tightest resource,
 * and the alarms' estimated monthly cost. `--fleet N` replaces the environment's services with N generated ones
 * (lib/core/config/fleet.ts): what the stack would look like at that size, for capacity planning.
 */
import './sdk-notice';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENTS } from '../config';
import { buildApp } from '../lib/infra/app';
import { loadEnvironment } from '../lib/core/config/environment';
import { fleetServices } from '../lib/core/config/fleet';
import type { Config } from '../lib/core/config/schema';
import { ConfigError } from '../lib/core/errors';
import { quotaHeadroom } from '../lib/infra/quotas/headroom';
import { summarize, formatSummary } from '../lib/infra/synth-summary';

const { values } = parseArgs({
  options: { env: { type: 'string', default: 'default' }, fleet: { type: 'string' }, out: { type: 'string', default: 'cdk.out' } },
});

try {
  const fleet = values.fleet === undefined ? undefined : Number(values.fleet);
  if (fleet !== undefined && !(Number.isInteger(fleet) && fleet >= 1)) {
    throw new ConfigError(values.env!, [
      { field: '--fleet', message: 'must be a whole number of services, at least 1', received: JSON.stringify(values.fleet) },
    ]);
  }
  let config = loadEnvironment(values.env!, fleet === undefined ? {} : { services: fleetServices(fleet) });
  if (fleet !== undefined && config.automation.targetScope === 'resources' && !fitsIam(config)) {
    // Capacity planning answers "what would my stack be at N": at this size the roles can no longer list every
    // target, so show the stack as it would have to be deployed, and say what that takes.
    console.log(`--fleet ${fleet}: the roles no longer fit IAM's quotas listing ${fleet} services by ARN (automation.targetScope 'resources');`);
    console.log(`synthesizing with automation.targetScope 'tags', which deploying this size takes (docs/configuration.md#fleets-and-iam).\n`);
    config = loadEnvironment(values.env!, { services: fleetServices(fleet), automation: { ...ENVIRONMENTS[values.env!]?.automation, targetScope: 'tags' } });
  }
  const built = buildApp({ config, appProps: { outdir: values.out } });
  const assembly = synthOrExplain(built.app);
  console.log(formatSummary(summarize(config, built, assembly)));
  console.log(`\nTemplates written to ${assembly.directory}`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

/** Whether the config's IAM policies fit IAM's quotas: measured on a quick synth (no bundles, cdk-nag or guard). */
function fitsIam(config: Config): boolean {
  const outdir = mkdtempSync(join(tmpdir(), 'alerting-fit-'));
  try {
    const assembly = buildApp({ config, nag: false, quotaGuard: false, appProps: { outdir, context: { 'aws:cdk:bundling-stacks': [] } } }).app.synth();
    return quotaHeadroom(assembly).every((h) => !h.quota.id.startsWith('iam-') || h.percentUsed <= 100);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes; when a validation (the quota guard, cdk-nag) stops it, CDK has already printed its report with each
 * finding and its fix, so the stack trace under it would only bury them: exit 1 with one line instead.
 */
function synthOrExplain(app: ReturnType<typeof buildApp>['app']): ReturnType<typeof app.synth> {
  try {
    return app.synth();
  } catch (error) {
    if (!/Validation failed/i.test(String(error))) throw error;
    console.error(`\nSynth stopped: ${String((error as Error).message).split('\n')[0]} (each finding and its fix are listed above).`);
    process.exit(1);
  }
}
