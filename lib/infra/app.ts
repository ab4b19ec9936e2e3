import { App, Stack, Tags, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { resolveAlarms } from '../core/alarms/resolve';
import { planRegionalStacks, planStacks, type RegionalStackPlan, type StackPlan } from './stack-plan';
import type { Config } from '../core/config/schema';
import { AlarmStack } from './stacks/alarm-stack';
import { CoreStack } from './stacks/core-stack';
import { RegionalStack } from './stacks/regional-stack';
import { applyNagChecks } from './nag';
import { QuotaGuard } from './quotas/guard';

/** Props of {@link buildApp}. */
export interface BuildAppOptions {
  readonly config: Config;
  /** Passed to the CDK App (outdir, context, builtin validation). @default {} */
  readonly appProps?: AppProps;
  /** An App to build into (the CDK CLI's entry point creates it to read `-c env=...`). @default a new App */
  readonly app?: App;
  /** Run cdk-nag's AwsSolutions pack at synth. @default true */
  readonly nag?: boolean;
  /**
   * Stop synth on any AWS quota breach (lib/infra/quotas). Only capacity planning turns it off, to measure a size
   * before choosing how to deploy it (bin/synth.ts --fleet). @default true
   */
  readonly quotaGuard?: boolean;
}

/** What {@link buildApp} created. */
export interface BuiltApp {
  readonly app: App;
  readonly core: CoreStack;
  readonly alarmStacks: readonly AlarmStack[];
  /** One per serving region outside the home one where some service runs. */
  readonly regionalStacks: readonly RegionalStack[];
}

/**
 * Builds the whole CDK app for one environment: the core stack, as many alarm stacks as the fleet needs, and a
 * stack in each other serving region some service runs in.
 */
export function buildApp(options: BuildAppOptions): BuiltApp {
  const { config } = options;
  const app = options.app ?? new App(options.appProps);
  const specs = resolveAlarms(config);
  const plan = planStacks(config, specs);
  const core = new CoreStack(app, coreStackName(config), {
    env: environmentOf(config),
    config,
    alarms: plan.core,
    description: `Runbook alerting (${config.prefix}): topics, escalation and environment-wide alarms`,
  });
  const alarmStacks = addAlarmStacks(app, config, plan, core);
  const regionalStacks = addRegionalStacks(app, config, planRegionalStacks(config), core);
  tagApp(app, config);
  // A template over an AWS quota synthesizes fine and fails only at deploy (docs/deploy.md#quotas).
  if (options.quotaGuard ?? true) Validations.of(app).addPlugins(new QuotaGuard());
  if (options.nag ?? true) applyNagChecks(app);
  return { app, core, alarmStacks, regionalStacks };
}

/** The account and region an environment deploys to (the CLI's default account when the config names none). */
export function environmentOf(config: Config): Environment {
  return { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
}

/** The core stack's name: its topics are what the alarm stacks notify. */
export function coreStackName(config: Config): string {
  return `${config.prefix}-alerting`;
}

/**
 * The per-service alarm stacks of a plan, each deployed after `core` (whose topics their alarms notify). Shared
 * with the synth benchmark, which puts the same alarm stacks behind a topics-only core for a like-for-like run.
 */
export function addAlarmStacks(app: App, config: Config, plan: StackPlan, core: Stack): AlarmStack[] {
  return plan.alarmStacks.map((shard) => {
    const stack = new AlarmStack(app, `${config.prefix}-alarms-${shard.index}`, {
      env: environmentOf(config),
      config,
      alarms: shard.alarms,
      description: `Runbook alerting (${config.prefix}): alarms of ${shard.services.join(', ')}`.slice(0, 1024),
    });
    stack.addStackDependency(core, 'alarms notify the core stack topics');
    return stack;
  });
}

/** A stack per serving region outside the home one, deployed after `core` (whose escalation its forwarded alarm state changes reach). */
function addRegionalStacks(app: App, config: Config, plans: readonly RegionalStackPlan[], core: Stack): RegionalStack[] {
  return plans.map(({ region, account, services, alarms, config: local }) => {
    const stack = new RegionalStack(app, [coreStackName(config), account, region].filter(Boolean).join('-'), {
      env: { account: account ?? environmentOf(config).account, region },
      config: local,
      alarms,
      ...(account !== undefined && { otherAccount: account }),
      description:
        `Runbook alerting (${config.prefix}) in ${account ? `${account}/` : ''}${region}: alarms of ${services.join(', ')}, forwarded to ${config.region}`.slice(
          0,
          1024,
        ),
    });
    stack.addStackDependency(core, 'forwarded alarm state changes reach the core stack escalation');
    return stack;
  });
}

/** The config's tags on every resource, and the prefix's tag that scopes the automation's IAM conditions. */
export function tagApp(app: App, config: Config): void {
  for (const [key, value] of Object.entries(config.tags)) Tags.of(app).add(key, value);
  Tags.of(app).add('AlertingPrefix', config.prefix);
}

/** Every stack of a built app, core first, the home region's before the other regions'. */
export function stacksOf(built: BuiltApp): Stack[] {
  return [built.core, ...built.alarmStacks, ...built.regionalStacks];
}
