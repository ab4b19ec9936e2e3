import { App, Stack, Tags, type AppProps, type Environment } from 'aws-cdk-lib';
import { resolveAlarms } from '../core/alarms/resolve';
import { planStacks } from './stack-plan';
import type { Config } from '../core/config/schema';
import { AlarmStack } from './stacks/alarm-stack';
import { CoreStack } from './stacks/core-stack';
import { applyNagChecks } from './nag';

/** Props of {@link buildApp}. */
export interface BuildAppOptions {
  readonly config: Config;
  /** Passed to the CDK App (outdir, context, builtin validation). @default {} */
  readonly appProps?: AppProps;
  /** An App to build into (the CDK CLI's entry point creates it to read `-c env=...`). @default a new App */
  readonly app?: App;
  /** Run cdk-nag's AwsSolutions pack at synth. @default true */
  readonly nag?: boolean;
}

/** What {@link buildApp} created. */
export interface BuiltApp {
  readonly app: App;
  readonly core: CoreStack;
  readonly alarmStacks: readonly AlarmStack[];
}

/** Builds the whole CDK app for one environment: the core stack and as many alarm stacks as the fleet needs. */
export function buildApp(options: BuildAppOptions): BuiltApp {
  const { config } = options;
  const app = options.app ?? new App(options.appProps);
  const env: Environment = { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
  const plan = planStacks(config, resolveAlarms(config));

  const core = new CoreStack(app, `${config.prefix}-alerting`, {
    env,
    config,
    alarms: plan.core,
    description: `Runbook alerting (${config.prefix}): topics, escalation and environment-wide alarms`,
  });
  const alarmStacks = plan.alarmStacks.map((shard) => {
    const stack = new AlarmStack(app, `${config.prefix}-alarms-${shard.index}`, {
      env,
      config,
      alarms: shard.alarms,
      description: `Runbook alerting (${config.prefix}): alarms of ${shard.services.join(', ')}`.slice(0, 1024),
    });
    stack.addStackDependency(core, 'alarms notify the core stack topics');
    return stack;
  });

  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  Tags.of(app).add('AlertingPrefix', config.prefix);
  if (options.nag ?? true) applyNagChecks(app);
  return { app, core, alarmStacks };
}

/** Every stack of a built app, core first. */
export function stacksOf(built: BuiltApp): Stack[] {
  return [built.core, ...built.alarmStacks];
}
