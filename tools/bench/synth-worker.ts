/**
 * One synth of the synth benchmark, in its own process so that its wall time and peak memory are its own:
 *
 *   node --import tsx tools/bench/synth-worker.ts <ours|ours-alarms|peer> <default|N services> [--dump <file>]
 *
 * - ours: the product, `buildApp` exactly as `cdk synth` runs it (core stack with the responder, escalation and
 *   their Lambda bundles, sharded alarm stacks), cdk-nag and CDK's builtin template validation off.
 * - ours-alarms: like for like with the peer: the same core stack scaffold as the peer (our topics only, no
 *   functions) and our alarm factory in our sharded alarm stacks.
 * - peer: the same alarms built with cdk-monitoring-constructs (tools/bench/synth-peer.ts) in the same scaffold.
 *
 * Writes the templates to a temporary directory (deleted afterwards), checks the number of CloudWatch alarms
 * against the specs, and prints one JSON line: times, stacks, largest template, counts, peak RSS. With --dump it
 * also writes every alarm and metric filter in a canonical form, so the parent can check the variants are the same.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import { ENVIRONMENTS } from '../../config';
import { addAlarmStacks, buildApp, coreStackName, environmentOf, stacksOf, tagApp } from '../../lib/infra/app';
import { AlarmFactory } from '../../lib/infra/alarm-factory';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { cloudWatchAlarmCount, planStacks, type StackPlan } from '../../lib/infra/stack-plan';
import { fleetConfig } from '../../lib/core/config/fleet';
import { parseConfig } from '../../lib/core/config/load';
import type { Config } from '../../lib/core/config/schema';
import { AlertTopics } from '../../lib/infra/constructs/alert-topics';

export type Variant = 'ours' | 'ours-alarms' | 'peer';

/** What one worker run reports (the last line of its stdout). */
export interface WorkerResult {
  readonly variant: Variant;
  readonly size: string;
  /** From process start to the first line of main: node, tsx and the imports. */
  readonly startMs: number;
  /** Constructing the app (resolve, plan, constructs). */
  readonly buildMs: number;
  /** `app.synth()`: aspects, bundling (ours), templates written. */
  readonly synthMs: number;
  readonly stacks: number;
  readonly largest: { readonly name: string; readonly resources: number; readonly bytes: number };
  /** Largest resource count of any stack (may be another stack than the largest in bytes). */
  readonly maxResources: number;
  readonly totalResources: number;
  readonly cloudWatchAlarms: number;
  readonly expectedAlarms: number;
  readonly metricFilters: number;
  readonly dashboards: number;
  readonly lambdaFunctions: number;
  readonly maxRssMiB: number;
}

/**
 * The default environment in its home region (the peer builds no regional stack, and its services' alarms have
 * the same names in each region), or a generated fleet of `count` services (lib/core/config/fleet.ts) with IAM
 * scoped by tag, as a fleet past 80 services must be deployed (docs/configuration.md#fleets-and-iam).
 */
export function sizedConfig(size: string): Config {
  const base = ENVIRONMENTS.default!;
  if (size !== 'default') return fleetConfig({ ...base, automation: { ...base.automation, targetScope: 'tags' } }, Number(size));
  return parseConfig('default', { ...base, services: base.services.map(({ regions, regional, ...service }) => service) });
}

/** Our alarms in the peer's scaffold: a core stack with the topics and environment-wide alarms only, then our own alarm stacks. */
function buildOursAlarmsOnly(app: App, config: Config, plan: StackPlan): Stack[] {
  const core = new Stack(app, coreStackName(config), {
    env: environmentOf(config),
    description: `Runbook alerting (${config.prefix}): topics and environment-wide alarms (alarms only)`,
  });
  const topics = new AlertTopics(core, 'Topics', { config });
  const factory = new AlarmFactory(core, (spec) => [
    topics.severityTopics[spec.severity].topicArn,
    ...spec.alsoNotifies.map((role) => topics.roleTopics[role].topicArn),
  ]);
  plan.core.forEach((spec) => factory.add(spec));
  const shards = addAlarmStacks(app, config, plan, core);
  tagApp(app, config);
  return [core, ...shards];
}

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource> };

/** A topic an action points to, by name: `{Ref}` to a topic of the template, or an ARN built with Fn::Join. */
function topicName(action: unknown, resources: Record<string, Resource>): string {
  if (typeof action === 'string') return action.split(':').pop()!;
  const ref = (action as { Ref?: string }).Ref;
  if (ref !== undefined) return String(resources[ref]?.Properties?.TopicName ?? `?${ref}`);
  return flatten(action, resources).split(':').pop()!;
}

/** An Fn::Join as text: GetAtt of an alarm becomes its name, any other token `*`. */
function flatten(value: unknown, resources: Record<string, Resource>): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => flatten(part, resources)).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return String(resources[getAtt[0]]?.Properties?.AlarmName ?? '*');
  return '*';
}

type MetricDataQuery = {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] }; Period: number; Stat: string };
};

/** A dimension's value as the template holds it: a string, or the string of its Fn::Sub (a state machine's ARN). */
const dimValue = (v: unknown) => (typeof v === 'object' && v !== null && 'Fn::Sub' in v ? String((v as { 'Fn::Sub': unknown })['Fn::Sub']) : String(v));
const dims = (d: { Name: string; Value: unknown }[] | undefined) =>
  (d ?? [])
    .map((x) => `${x.Name}=${dimValue(x.Value)}`)
    .sort()
    .join(',');

/**
 * An alarm in a form that does not depend on how it was built: the metric queries by id (CDK names the
 * expression's own id `expr_1`, ours `expr`; the anomaly band's id differs too), actions by topic name, the
 * composite rule with its parentheses removed (CDK's AlarmRule adds its own) and alarm ARNs as names.
 */
function canonicalAlarm(p: Record<string, unknown>, resources: Record<string, Resource>): Record<string, unknown> {
  const queries = (p.Metrics as MetricDataQuery[] | undefined) ?? [];
  const inputs = queries
    .filter((q) => q.MetricStat)
    .map(
      (q) =>
        `${q.Id}:${q.MetricStat!.Metric.Namespace}/${q.MetricStat!.Metric.MetricName}[${dims(q.MetricStat!.Metric.Dimensions)}] ${q.MetricStat!.Stat}/${q.MetricStat!.Period}`,
    )
    .sort();
  const expressions = queries.filter((q) => q.Expression !== undefined);
  const band = expressions.find((q) => q.Expression!.startsWith('ANOMALY_DETECTION_BAND'));
  const bandMatch = band?.Expression!.match(/^ANOMALY_DETECTION_BAND\((\w+),\s*([\d.]+)\)$/);
  const evaluated = band ? expressions.find((q) => q.Id === bandMatch?.[1]) : expressions.find((q) => q.ReturnData !== false);
  const actions = (key: string) => ((p[key] as unknown[] | undefined) ?? []).map((a) => topicName(a, resources)).sort();
  return {
    description: p.AlarmDescription,
    comparison: p.ComparisonOperator,
    threshold: band ? `band ${Number(bandMatch?.[2])}` : p.Threshold,
    thresholdMetricIsBand: band ? p.ThresholdMetricId === band.Id : undefined,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm,
    treatMissingData: p.TreatMissingData,
    actionsEnabled: p.ActionsEnabled ?? true,
    alarmActions: actions('AlarmActions'),
    okActions: actions('OKActions'),
    insufficientDataActions: actions('InsufficientDataActions'),
    metric:
      p.MetricName === undefined
        ? undefined
        : `${String(p.Namespace)}/${String(p.MetricName)}[${dims(p.Dimensions as { Name: string; Value: unknown }[])}] ${String(p.Statistic ?? p.ExtendedStatistic)}/${String(p.Period)}`,
    inputs,
    expression: evaluated?.Expression,
    tags: ((p.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
  };
}

function canonicalComposite(p: Record<string, unknown>, resources: Record<string, Resource>): Record<string, unknown> {
  const actions = (key: string) => ((p[key] as unknown[] | undefined) ?? []).map((a) => topicName(a, resources)).sort();
  const rule = flatten(p.AlarmRule, resources).replace(/arn:[^"]*:alarm:/g, '');
  return {
    description: p.AlarmDescription,
    rule: rule.replace(/[()\s]/g, ''),
    actionsEnabled: p.ActionsEnabled ?? true,
    alarmActions: actions('AlarmActions'),
    okActions: actions('OKActions'),
    tags: ((p.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
  };
}

async function main(): Promise<void> {
  const startMs = performance.now();
  const [variant, size = 'default'] = process.argv.slice(2) as [Variant, string];
  const dumpAt = process.argv.indexOf('--dump');
  const dumpFile = dumpAt > 0 ? process.argv[dumpAt + 1] : undefined;
  const outdir = mkdtempSync(join(tmpdir(), `synth-bench-${variant}-`));
  try {
    const t0 = performance.now();
    const config = sizedConfig(size);
    const specs = resolveAlarms(config);
    const appProps = { outdir, builtinCloudFormationValidation: false };
    let app: App;
    let stacks: Stack[];
    if (variant === 'ours') {
      const built = buildApp({ config, nag: false, appProps });
      app = built.app;
      stacks = stacksOf(built);
    } else {
      app = new App(appProps);
      const plan = planStacks(config, specs);
      if (variant === 'ours-alarms') stacks = buildOursAlarmsOnly(app, config, plan);
      else if (variant === 'peer') stacks = (await import('./synth-peer.js')).buildPeerApp(app, config, plan);
      else throw new Error(`unknown variant ${String(variant)}`);
    }
    const t1 = performance.now();
    const assembly = app.synth();
    const t2 = performance.now();
    // The synth's own high-water mark, before the templates are read back (Linux reports KiB).
    const maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);

    let largest = { name: '', resources: 0, bytes: 0 };
    let maxResources = 0;
    let totalResources = 0;
    const counts = { alarms: 0, filters: 0, dashboards: 0, functions: 0 };
    const dump: Record<'alarms' | 'composites' | 'filters', Record<string, unknown>> = { alarms: {}, composites: {}, filters: {} };
    for (const stack of stacks) {
      const artifact = assembly.getStackArtifact(stack.artifactId);
      const text = readFileSync(join(assembly.directory, artifact.templateFile), 'utf8');
      const resources = (JSON.parse(text) as Template).Resources ?? {};
      const n = Object.keys(resources).length;
      const bytes = Buffer.byteLength(text);
      totalResources += n;
      maxResources = Math.max(maxResources, n);
      if (bytes > largest.bytes) largest = { name: stack.stackName, resources: n, bytes };
      for (const r of Object.values(resources)) {
        const p = r.Properties ?? {};
        if (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') counts.alarms++;
        if (r.Type === 'AWS::Logs::MetricFilter') counts.filters++;
        if (r.Type === 'AWS::CloudWatch::Dashboard') counts.dashboards++;
        if (r.Type === 'AWS::Lambda::Function') counts.functions++;
        if (!dumpFile) continue;
        if (r.Type === 'AWS::CloudWatch::Alarm') dump.alarms[String(p.AlarmName)] = canonicalAlarm(p, resources);
        if (r.Type === 'AWS::CloudWatch::CompositeAlarm') dump.composites[String(p.AlarmName)] = canonicalComposite(p, resources);
        if (r.Type === 'AWS::Logs::MetricFilter')
          dump.filters[String(p.FilterName)] = { logGroupName: p.LogGroupName, pattern: p.FilterPattern, transformations: p.MetricTransformations };
      }
    }
    const expectedAlarms = specs.reduce((sum, spec) => sum + cloudWatchAlarmCount(spec), 0);
    if (counts.alarms !== expectedAlarms)
      throw new Error(`${variant} at ${size}: ${counts.alarms} CloudWatch alarms synthesized, the specs have ${expectedAlarms}`);
    if (dumpFile) writeFileSync(dumpFile, JSON.stringify(dump));

    const result: WorkerResult = {
      variant,
      size,
      startMs: Math.round(startMs),
      buildMs: Math.round(t1 - t0),
      synthMs: Math.round(t2 - t1),
      stacks: stacks.length,
      largest,
      maxResources,
      totalResources,
      cloudWatchAlarms: counts.alarms,
      expectedAlarms,
      metricFilters: counts.filters,
      dashboards: counts.dashboards,
      lambdaFunctions: counts.functions,
      maxRssMiB,
    };
    process.stdout.write(`\n${JSON.stringify(result)}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
