/**
 * The responder's cost at cold start and per event: bundle size with the AWS SDK bundled or left to the Lambda
 * runtime, cold load time in a fresh node process side by side with a bare node start and with a bundle that
 * only imports the same SDK clients (ratios, measured interleaved in one run: the machines are noisy), and
 * the warm decision time per event without AWS calls.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { CONFIG_DEFINE } from '../../lambdas/responder/env';
import { parseNotification } from '../../lambdas/responder/notification';
import { MITIGATIONS } from '../../lambdas/responder/mitigations';
import type { MitigationContext, State } from '../../lambdas/responder/mitigations/mitigation';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { loadEnvironment } from '../../lib/core/config/environment';
import { alarmNotification } from '../drill/notifications';
import { median, type BenchRow, runStandalone } from './bench-row';

const ROOT = join(__dirname, '..', '..');
/** Inside the repository so that an external `@aws-sdk/*` resolves to node_modules, as in the runtime. */
const OUT = join(ROOT, '.bench-tmp', 'responder');
const SDK_CLIENTS = ['client-cloudwatch', 'client-dynamodb', 'client-ecs', 'client-rds', 'client-sns', 'client-sqs', 'client-ssm', 'lib-dynamodb'];

function bundle(name: string, entry: string, sdkExternal: boolean, define: Record<string, string>): string {
  const outfile = join(OUT, `${name}.js`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    define,
    external: sdkExternal ? ['@aws-sdk/*'] : [],
    logLevel: 'error',
  });
  return outfile;
}

/** Wall time of a fresh `node` that loads the file (or nothing), as Lambda's init would. */
function coldLoadMs(file: string | undefined, env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['-e', file ? `require(${JSON.stringify(file)})` : ''], { env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`cold load of ${file} failed: ${run.stderr}`);
  return elapsed;
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const config = loadEnvironment('default');
  const define = { [CONFIG_DEFINE]: JSON.stringify(JSON.stringify(config)) };
  const sdkOnly = join(OUT, 'sdk-only.ts');
  writeFileSync(
    sdkOnly,
    SDK_CLIENTS.map((c, i) => `import * as c${i} from '@aws-sdk/${c}';`).join('\n') +
      `\nexport const loaded = [${SDK_CLIENTS.map((_, i) => `c${i}`).join(', ')}].length;\n`,
  );
  const entry = join(ROOT, 'lambdas', 'responder', 'index.ts');

  const variants = {
    'responder, SDK from the runtime (deployed)': bundle('responder-external', entry, true, define),
    'responder, SDK bundled': bundle('responder-bundled', entry, false, define),
    'SDK clients only, from the runtime': bundle('sdk-external', sdkOnly, true, {}),
    'SDK clients only, bundled': bundle('sdk-bundled', sdkOnly, false, {}),
  };
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AUDIT_TABLE: 'chatbot-alerting-audit',
    QUARANTINE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/chatbot-responder-dlq',
    ANNOUNCE_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:chatbot-page-on-call-primary',
    AUTOMATION_MODE_PARAMETER: '/chatbot/automation-mode',
    VERIFY_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:chatbot-verify',
    ACCOUNT_ID: '123456789012',
    PARTITION: 'aws',
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  };

  const rows: BenchRow[] = [];
  for (const [name, file] of Object.entries(variants).slice(0, 2)) {
    const bytes = readFileSync(file);
    rows.push({
      name: `bundle size: ${name}`,
      value: Math.round(bytes.length / 1024),
      unit: 'KiB',
      note: `${Math.round(gzipSync(bytes).length / 1024)} KiB gzip`,
    });
  }

  // Interleave the variants run by run, so a noisy neighbour slows all of them alike.
  const runs = opts.quick ? 5 : 15;
  const samples = new Map<string, number[]>([['bare node start', []], ...Object.keys(variants).map((k) => [k, []] as [string, number[]])]);
  coldLoadMs(undefined, env); // warm the file system cache
  for (let i = 0; i < runs; i++) {
    samples.get('bare node start')!.push(coldLoadMs(undefined, env));
    for (const [name, file] of Object.entries(variants)) samples.get(name)!.push(coldLoadMs(file, env));
  }
  const bare = median(samples.get('bare node start')!);
  for (const [name, values] of samples) {
    const ms = median(values);
    rows.push({ name: `cold load: ${name}`, value: Math.round(ms), unit: 'ms', note: `median of ${runs}; ${(ms / bare).toFixed(2)}x a bare node start` });
  }
  const deployed = median(samples.get('responder, SDK from the runtime (deployed)')!);
  const sdkExternal = median(samples.get('SDK clients only, from the runtime')!);
  rows.push({
    name: 'cold load ratio: responder / its SDK clients alone (SDK from the runtime)',
    value: Number((deployed / sdkExternal).toFixed(2)),
    unit: 'x',
    note: 'what our own code adds over the SDK it needs',
  });

  rows.push(warmDecision(opts.quick, config));
  rmSync(OUT, { recursive: true, force: true });
  return rows;
}

/** Parse, validate, settings and every mitigation's decision on a recorded before-state: all but the AWS calls. */
function warmDecision(quick: boolean, config: ReturnType<typeof loadEnvironment>): BenchRow {
  const expected = { config, accountId: '123456789012', partition: 'aws', region: config.region, now: new Date() };
  const bodies = ['HighAPIErrorRate', 'ModelAccuracyDrop', 'DatabaseConnectionPoolExhausted', 'HighAPILatency'].map((alertId) =>
    JSON.stringify(
      alarmNotification(config, {
        alertId,
        instance: ['HighAPIErrorRate', 'DatabaseConnectionPoolExhausted', 'HighAPILatency'].includes(alertId) ? 'chatbot-api' : undefined,
      }),
    ),
  );
  const now = new Date();
  const before: Record<string, State> = {
    'ecs-rollback': { taskDefinition: 'chatbot-api:2', deploymentStartedAt: now.toISOString(), previousTaskDefinition: 'chatbot-api:1' },
    'fallback-mode': { parameter: '/chatbot/fallback-mode', value: 'false', version: 1 },
    'rate-limit': { parameter: '/chatbot/rate-limit', value: '0', version: 1 },
    'ai-kill-switch': { parameter: '/feature/ai-model', value: 'true', version: 1 },
    'rds-scale-up': {
      instanceClass: 'db.r6g.large',
      status: 'available',
      multiAz: true,
      engine: 'postgres',
      clusterId: null,
      clusterHasReader: null,
      pendingModifications: '',
    },
    'ecs-scale-out': { desiredCount: 4, runningCount: 4, scalableTarget: false, minCapacity: null, maxCapacity: null },
  };
  const events = quick ? 20_000 : 100_000;
  let decisions = 0;
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const notification = parseNotification(bodies[i % bodies.length]!, expected);
    const ctx = { config, notification, service: config.services[0]!, now: () => now } as unknown as MitigationContext;
    for (const id of alertSettings(notification.alert, config).mitigations) {
      if (MITIGATIONS[id].decide(ctx, before[id]!).act) decisions++;
    }
  }
  const perEvent = ((performance.now() - started) * 1000) / events;
  return {
    name: 'warm decision time per event (parse, validate, decide; no AWS calls)',
    value: Number(perEvent.toFixed(1)),
    unit: 'µs',
    note: `${events.toLocaleString('en-US')} events, ${decisions.toLocaleString('en-US')} decisions to act`,
  };
}

if (require.main === module) runStandalone(run);
