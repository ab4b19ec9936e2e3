/**
 * Monthly cost of the default stack and of a 100-service fleet, at idle and in a bad month, in USD, us-east-1.
 *
 * What is deployed is read from the synthesized templates (dashboards, KMS keys, secrets, functions and their
 * memory, state machines, topics); the alarms are priced with lib/core/cost.ts over every region's alarms. What
 * happens in a month is a named scenario (BAD_MONTH) and named per-event assumptions (USAGE), all below.
 *
 * - Idle month: no alarm fires. Alarms, the dashboard, the key, the secret, the metrics of the log metric filters,
 *   the weekly digest, table storage.
 * - Bad month: the idle month plus BAD_MONTH's events: alarm notifications, incidents, automatic actions, pages.
 * Free tiers are ignored (they are per account and shared with everything else in it). SMS is excluded: its price
 * depends on the destination country (the SMS count is given in the note). Prices are per month of 730 hours.
 *
 *   node --import tsx tools/bench/cost.bench.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENTS } from '../../config';
import { buildApp, stacksOf } from '../../lib/infra/app';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { cloudWatchAlarmCount, planRegionalStacks } from '../../lib/infra/stack-plan';
import { escalationFunctionName, responderFunctionName } from '../../lib/core/config/derived';
import { parseConfig } from '../../lib/core/config/load';
import type { Config } from '../../lib/core/config/schema';
import { monthlyAlarmCost } from '../../lib/core/cost';
import { type BenchRow, runStandalone } from './bench-row';
import { sizedConfig } from './synth-worker';

// ---------------------------------------------------------------------------------------------------------------
// Prices, us-east-1, USD. Each from the service's public pricing page, as published on 2026-11-27 (the date they
// were checked; this machine has no access to the pages themselves, so they were checked against the figures
// AWS publishes there as quoted in the project brief and secondary copies). Alarm prices: lib/core/cost.ts.
// ---------------------------------------------------------------------------------------------------------------

/** CloudWatch dashboard, per dashboard-month (https://aws.amazon.com/cloudwatch/pricing/, "Dashboards", read 2026-11-27). */
export const PRICE_DASHBOARD_MONTH_USD = 3.0;
/** CloudWatch custom metric (EMF and metric filters), first 10,000 metrics, per metric-month, prorated by the hour (https://aws.amazon.com/cloudwatch/pricing/, "Metrics", read 2026-11-27). */
export const PRICE_CUSTOM_METRIC_MONTH_USD = 0.3;
/** CloudWatch GetMetricData, per metric requested (https://aws.amazon.com/cloudwatch/pricing/, "API", $0.01 per 1,000 metrics, read 2026-11-27). */
export const PRICE_GET_METRIC_DATA_PER_METRIC_USD = 0.01 / 1000;
/** CloudWatch Logs ingestion, Standard class (Lambda and Step Functions vended logs: same $0.50 in the first tier), per GB (https://aws.amazon.com/cloudwatch/pricing/, "Logs", read 2026-11-27). */
export const PRICE_LOGS_INGESTION_PER_GB_USD = 0.5;
/** CloudWatch Logs storage (archived, compressed), per GB-month (https://aws.amazon.com/cloudwatch/pricing/, "Logs", read 2026-11-27). */
export const PRICE_LOGS_STORAGE_PER_GB_MONTH_USD = 0.03;
/** KMS customer managed key, per key-month, first year (each rotation adds $1 for the first two rotations) (https://aws.amazon.com/kms/pricing/, read 2026-11-27). */
export const PRICE_KMS_KEY_MONTH_USD = 1.0;
/** KMS requests, per request ($0.03 per 10,000) (https://aws.amazon.com/kms/pricing/, read 2026-11-27). */
export const PRICE_KMS_REQUEST_USD = 0.03 / 10_000;
/** Secrets Manager, per secret-month (https://aws.amazon.com/secrets-manager/pricing/, read 2026-11-27). */
export const PRICE_SECRET_MONTH_USD = 0.4;
/** Secrets Manager API calls, per call ($0.05 per 10,000) (https://aws.amazon.com/secrets-manager/pricing/, read 2026-11-27). */
export const PRICE_SECRET_API_CALL_USD = 0.05 / 10_000;
/** Lambda requests, per request ($0.20 per 1M) (https://aws.amazon.com/lambda/pricing/, read 2026-11-27). */
export const PRICE_LAMBDA_REQUEST_USD = 0.2 / 1_000_000;
/** Lambda duration, arm64, first 7.5 billion GB-s, per GB-second (https://aws.amazon.com/lambda/pricing/, read 2026-11-27). */
export const PRICE_LAMBDA_ARM_GB_SECOND_USD = 0.0000133334;
/** Lambda duration, x86_64, per GB-second, for a function not on arm64 (https://aws.amazon.com/lambda/pricing/, read 2026-11-27). */
export const PRICE_LAMBDA_X86_GB_SECOND_USD = 0.0000166667;
/** Step Functions Standard workflows, per state transition ($0.025 per 1,000; tools/bench/escalation.bench.ts uses the same) (https://aws.amazon.com/step-functions/pricing/, read 2026-11-27). */
export const PRICE_SFN_TRANSITION_USD = 0.025 / 1000;
/** X-Ray traces recorded (the state machines trace), per trace ($5.00 per 1M) (https://aws.amazon.com/xray/pricing/, read 2026-11-27). */
export const PRICE_XRAY_TRACE_USD = 5.0 / 1_000_000;
/** DynamoDB on-demand write request unit ($0.625 per million since the November 2024 price cut) (https://aws.amazon.com/dynamodb/pricing/on-demand/, read 2026-11-27). */
export const PRICE_DYNAMODB_WRU_USD = 0.625 / 1_000_000;
/** DynamoDB on-demand read request unit ($0.125 per million) (https://aws.amazon.com/dynamodb/pricing/on-demand/, read 2026-11-27). */
export const PRICE_DYNAMODB_RRU_USD = 0.125 / 1_000_000;
/** DynamoDB Standard table storage, per GB-month (https://aws.amazon.com/dynamodb/pricing/on-demand/, read 2026-11-27). */
export const PRICE_DYNAMODB_STORAGE_GB_MONTH_USD = 0.25;
/** DynamoDB continuous backups (point-in-time recovery), per GB-month (https://aws.amazon.com/dynamodb/pricing/on-demand/, read 2026-11-27). */
export const PRICE_DYNAMODB_PITR_GB_MONTH_USD = 0.2;
/** SNS Standard topic publish request, per request ($0.50 per 1M after the first 1M) (https://aws.amazon.com/sns/pricing/, read 2026-11-27). */
export const PRICE_SNS_PUBLISH_USD = 0.5 / 1_000_000;
/** SNS email/email-JSON notification, per notification ($2.00 per 100,000) (https://aws.amazon.com/sns/pricing/, read 2026-11-27). */
export const PRICE_SNS_EMAIL_USD = 2.0 / 100_000;
/** SNS HTTP/S notification, per notification ($0.60 per 1M) (https://aws.amazon.com/sns/pricing/, read 2026-11-27). */
export const PRICE_SNS_HTTPS_USD = 0.6 / 1_000_000;
/** SNS deliveries to Lambda: no charge (https://aws.amazon.com/sns/pricing/, read 2026-11-27). */
export const PRICE_SNS_LAMBDA_DELIVERY_USD = 0;
/** SQS Standard request, per request ($0.40 per 1M) (https://aws.amazon.com/sqs/pricing/, read 2026-11-27). */
export const PRICE_SQS_REQUEST_USD = 0.4 / 1_000_000;
/** EventBridge: AWS service events (alarm state changes) delivered to rules, and scheduled rules on the default bus: no charge (https://aws.amazon.com/eventbridge/pricing/, read 2026-11-27). */
export const PRICE_EVENTBRIDGE_AWS_EVENT_USD = 0;

// ---------------------------------------------------------------------------------------------------------------
// The bad month, and what each event costs in requests: named assumptions, not measurements.
// ---------------------------------------------------------------------------------------------------------------

/** Hours in a billing month (AWS prices by the month of 730 hours). */
export const HOURS_PER_MONTH = 730;

/** The bad month: one month with a lot going wrong. Applied as is to both the default stack and the fleet. */
export const BAD_MONTH = {
  /** Alarm transitions into ALARM, each followed by one back to OK (so twice as many state changes and notifications). */
  alarmTransitions: 300,
  /** Incidents they open (the rest join an open incident: grouping). */
  incidents: 120,
  /** Automatic actions the responder takes (each verified after the runbook's window). */
  automaticActions: 400,
  /** Pages: messages the escalation publishes to role topics. */
  pages: 1500,
  /** Ack and resolve link clicks (each a GET for the confirmation page and a POST). */
  linkClicks: 180,
  /** Notifications the responder rejects or fails on, sent to the dead-letter queue. */
  deadLetters: 20,
} as const;

/** Per-event usage behind the bad month's requests. Named so they can be argued with. */
export const USAGE = {
  /** Average billed duration per invocation, ms, by function (SDK calls dominate: DynamoDB, SNS, ECS/RDS/SSM). */
  durationMs: { responder: 1500, starter: 400, pager: 500, verifier: 400, endpoint: 300, digest: 2000 } as Record<string, number>,
  /** Log volume per invocation (JSON logs, EMF lines), KiB. */
  logKiBPerInvocation: { responder: 12, starter: 4, pager: 4, verifier: 4, endpoint: 3, digest: 8 } as Record<string, number>,
  /** Step Functions log volume per state transition (level ALL with execution data), KiB. */
  sfnLogKiBPerTransition: 2,
  /** State transitions per incident: 10, the escalation benchmark's P1 that runs to the VP step (its worst case). */
  transitionsPerIncident: 10,
  /** State transitions per verification (Wait, VerifyAction, and the ends). */
  transitionsPerVerification: 4,
  /** Write request units per automatic action: intent, cooldown + window reservation (transaction: x2), outcome, GSI copies. */
  wruPerAction: 12,
  /** Write request units per incident: incident, open-alarm index, lock (transaction: x2), timeline events, GSI copies. */
  wruPerIncident: 16,
  /** Write request units per page (its timeline event) and per link click (nonce and event). */
  wruPerPage: 1,
  wruPerLinkClick: 2,
  /** Read request units per invocation of a function that reads the table. */
  rruPerInvocation: 4,
  /** Metrics the HighAPIErrorRate decision tree requests per notification into ALARM (GetMetricData). */
  metricsPerDecision: 8,
  /** KMS requests per publish to an encrypted topic (GenerateDataKey on publish, Decrypt on delivery). */
  kmsRequestsPerPublish: 2,
  /**
   * EMF datapoints per alarm notification into ALARM: one per mitigation of the alert (ActionsTaken, ActionsSkipped,
   * ActionsDryRun or ActionsFailed, by mitigation). Custom metrics are billed by the hour they receive data, so each
   * datapoint is counted as one metric-hour (upper bound: two in the same hour of the same metric bill once).
   */
  emfDatapointsPerNotification: 3,
  /** Deliveries per message to a role topic: one email and one HTTPS endpoint (e.g. PagerDuty) per page, plus one SMS (excluded). */
  deliveriesPerPage: { email: 1, https: 1, sms: 1 },
  /** The audit table's size, GB (records expire after automation.auditRetentionDays). */
  auditTableGb: 0.05,
  /** Weekly digest: invocations per month. */
  digestsPerMonth: 52 / 12,
} as const;

/** What the templates say is deployed. */
interface Inventory {
  readonly dashboards: number;
  readonly kmsKeys: number;
  readonly secrets: number;
  /** FunctionName -> memory (MB) and architecture. */
  readonly functions: ReadonlyMap<string, { memoryMb: number; arm: boolean }>;
  readonly stateMachines: number;
  readonly tables: number;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

function inventory(config: Config): Inventory {
  const outdir = mkdtempSync(join(tmpdir(), 'cost-bench-'));
  try {
    // Bundling skipped (a placeholder asset): the templates are the same otherwise, and bundling is slow.
    const built = buildApp({ config, nag: false, appProps: { outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } } });
    const assembly = built.app.synth();
    const resources: Resource[] = stacksOf(built).flatMap((stack) => {
      const artifact = assembly.getStackArtifact(stack.artifactId);
      const template = JSON.parse(readFileSync(join(assembly.directory, artifact.templateFile), 'utf8')) as { Resources?: Record<string, Resource> };
      return Object.values(template.Resources ?? {});
    });
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    const functions = new Map<string, { memoryMb: number; arm: boolean }>();
    for (const r of resources.filter((x) => x.Type === 'AWS::Lambda::Function')) {
      const p = r.Properties ?? {};
      if (typeof p.FunctionName !== 'string') continue; // CDK's own helper functions (none expected)
      functions.set(p.FunctionName, { memoryMb: Number(p.MemorySize ?? 128), arm: ((p.Architectures as string[] | undefined) ?? []).includes('arm64') });
    }
    return {
      dashboards: count('AWS::CloudWatch::Dashboard'),
      kmsKeys: count('AWS::KMS::Key'),
      secrets: count('AWS::SecretsManager::Secret'),
      functions,
      stateMachines: count('AWS::StepFunctions::StateMachine'),
      tables: count('AWS::DynamoDB::Table'),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** One line of a bill. */
interface Line {
  readonly item: string;
  readonly usd: number;
  readonly detail: string;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** The idle month: what is billed whether or not anything fires. */
function idleMonth(config: Config, inv: Inventory): Line[] {
  // Every region's: a service served from two regions has its alarms in each (lib/infra/synth-summary.ts alike).
  const specs = [...resolveAlarms(config), ...planRegionalStacks(config).flatMap((plan) => plan.alarms)];
  const alarms = specs.reduce((n, s) => n + cloudWatchAlarmCount(s), 0);
  const filterMetrics = new Set(specs.flatMap((s) => (s.kind === 'composite' ? [] : s.logFilters.map((f) => `${f.metricNamespace}/${f.metricName}`))));
  const digest = digestLines(config, inv);
  return [
    { item: 'alarms', usd: specs.reduce((sum, s) => sum + monthlyAlarmCost(s), 0), detail: `${fmt(alarms)} alarms (lib/core/cost.ts)` },
    { item: 'dashboard', usd: inv.dashboards * PRICE_DASHBOARD_MONTH_USD, detail: `${inv.dashboards}` },
    { item: 'KMS key', usd: inv.kmsKeys * PRICE_KMS_KEY_MONTH_USD, detail: `${inv.kmsKeys}, first year` },
    // The application writes the log groups all month: each filter metric is counted for all 730 hours (upper bound:
    // a filter with no match in an hour publishes nothing, and custom metrics are billed by the hour with data).
    { item: 'log-filter metrics', usd: filterMetrics.size * PRICE_CUSTOM_METRIC_MONTH_USD, detail: `${filterMetrics.size} custom metrics` },
    { item: 'Secrets Manager', usd: inv.secrets * PRICE_SECRET_MONTH_USD, detail: `${inv.secrets} secret` },
    {
      item: 'DynamoDB storage + PITR',
      usd: inv.tables * USAGE.auditTableGb * (PRICE_DYNAMODB_STORAGE_GB_MONTH_USD + PRICE_DYNAMODB_PITR_GB_MONTH_USD),
      detail: `${USAGE.auditTableGb} GB`,
    },
    ...digest,
    { item: 'EventBridge', usd: 0, detail: 'AWS service events and schedules are free' },
  ];
}

function lambdaCost(inv: Inventory, name: string, invocations: number, role: string): number {
  const fn = inv.functions.get(name);
  if (!fn) throw new Error(`function ${name} not in the templates (known: ${[...inv.functions.keys()].join(', ')})`);
  const gbSeconds = invocations * (USAGE.durationMs[role]! / 1000) * (fn.memoryMb / 1024);
  return invocations * PRICE_LAMBDA_REQUEST_USD + gbSeconds * (fn.arm ? PRICE_LAMBDA_ARM_GB_SECOND_USD : PRICE_LAMBDA_X86_GB_SECOND_USD);
}

/** The weekly digest: runs in the idle month too. */
function digestLines(config: Config, inv: Inventory): Line[] {
  const n = USAGE.digestsPerMonth;
  const deliveries = n * USAGE.deliveriesPerPage.email * PRICE_SNS_EMAIL_USD + n * USAGE.deliveriesPerPage.https * PRICE_SNS_HTTPS_USD;
  const logsGb = (n * USAGE.logKiBPerInvocation.digest!) / 1024 / 1024;
  return [
    {
      item: 'weekly digest',
      usd:
        lambdaCost(inv, escalationFunctionName(config, 'digest'), n, 'digest') +
        n * PRICE_SNS_PUBLISH_USD +
        deliveries +
        n * USAGE.kmsRequestsPerPublish * PRICE_KMS_REQUEST_USD +
        logsGb * PRICE_LOGS_INGESTION_PER_GB_USD,
      detail: `${n.toFixed(1)} runs`,
    },
  ];
}

/** What the bad month's events add to the idle month. */
function badMonthEvents(config: Config, inv: Inventory): Line[] {
  const b = BAD_MONTH;
  const u = USAGE;
  const stateChanges = 2 * b.alarmTransitions;
  const invocations: Record<string, [string, number]> = {
    responder: [responderFunctionName(config), stateChanges], // ALARM and OK notifications on the P1-P3 topics
    starter: [escalationFunctionName(config, 'starter'), stateChanges], // EventBridge: every ALARM and OK
    pager: [escalationFunctionName(config, 'pager'), b.pages],
    verifier: [escalationFunctionName(config, 'verifier'), b.automaticActions],
    endpoint: [escalationFunctionName(config, 'endpoint'), 2 * b.linkClicks],
  };
  const lambdaUsd = Object.entries(invocations).reduce((sum, [role, [name, n]]) => sum + lambdaCost(inv, name, n, role), 0);
  const totalInvocations = Object.values(invocations).reduce((n, [, k]) => n + k, 0);
  // The escalation functions read the link key at cold start: at this rate nearly every invocation is cold (upper bound).
  const secretReads = invocations.starter![1] + invocations.pager![1] + invocations.verifier![1] + invocations.endpoint![1];
  const transitions = b.incidents * u.transitionsPerIncident + b.automaticActions * u.transitionsPerVerification;
  const executions = b.incidents + b.automaticActions;
  const wru = b.automaticActions * u.wruPerAction + b.incidents * u.wruPerIncident + b.pages * u.wruPerPage + b.linkClicks * u.wruPerLinkClick;
  const rru = totalInvocations * u.rruPerInvocation;
  // Alarm notifications (ALARM and OK) to the severity topics, action announcements and pages to role topics.
  const humanMessages = b.automaticActions + b.pages;
  const publishes = stateChanges + humanMessages;
  const emails = humanMessages * u.deliveriesPerPage.email;
  const https = humanMessages * u.deliveriesPerPage.https;
  const logsKiB =
    Object.entries(invocations).reduce((sum, [role, [, n]]) => sum + n * u.logKiBPerInvocation[role]!, 0) + transitions * u.sfnLogKiBPerTransition;
  const logsGb = logsKiB / 1024 / 1024;
  // NotificationsRejected counts each dead letter.
  const emfMetricHours = b.alarmTransitions * u.emfDatapointsPerNotification + b.deadLetters;
  return [
    { item: 'Lambda', usd: lambdaUsd, detail: `${fmt(totalInvocations)} invocations` },
    { item: 'Step Functions', usd: transitions * PRICE_SFN_TRANSITION_USD, detail: `${fmt(transitions)} transitions` },
    { item: 'X-Ray', usd: executions * PRICE_XRAY_TRACE_USD, detail: `${fmt(executions)} traces` },
    {
      item: 'SNS',
      usd: publishes * PRICE_SNS_PUBLISH_USD + emails * PRICE_SNS_EMAIL_USD + https * PRICE_SNS_HTTPS_USD + stateChanges * PRICE_SNS_LAMBDA_DELIVERY_USD,
      detail: `${fmt(publishes)} publishes, ${fmt(emails)} emails, ${fmt(https)} HTTPS; ${fmt(humanMessages * u.deliveriesPerPage.sms)} SMS excluded`,
    },
    { item: 'KMS requests', usd: publishes * u.kmsRequestsPerPublish * PRICE_KMS_REQUEST_USD, detail: `${fmt(publishes * u.kmsRequestsPerPublish)}` },
    { item: 'Secrets Manager calls', usd: secretReads * PRICE_SECRET_API_CALL_USD, detail: `${fmt(secretReads)}` },
    { item: 'DynamoDB requests', usd: wru * PRICE_DYNAMODB_WRU_USD + rru * PRICE_DYNAMODB_RRU_USD, detail: `${fmt(wru)} WRU, ${fmt(rru)} RRU` },
    { item: 'EMF metrics', usd: (emfMetricHours * PRICE_CUSTOM_METRIC_MONTH_USD) / HOURS_PER_MONTH, detail: `${fmt(emfMetricHours)} metric-hours` },
    {
      item: 'GetMetricData',
      usd: b.alarmTransitions * u.metricsPerDecision * PRICE_GET_METRIC_DATA_PER_METRIC_USD,
      detail: `${fmt(b.alarmTransitions * u.metricsPerDecision)} metrics`,
    },
    {
      item: 'Logs',
      usd: logsGb * (PRICE_LOGS_INGESTION_PER_GB_USD + PRICE_LOGS_STORAGE_PER_GB_MONTH_USD),
      detail: `${(logsKiB / 1024).toFixed(1)} MiB ingested and stored`,
    },
    { item: 'SQS', usd: b.deadLetters * 3 * PRICE_SQS_REQUEST_USD, detail: `${b.deadLetters} dead letters` },
    { item: 'EventBridge', usd: stateChanges * PRICE_EVENTBRIDGE_AWS_EVENT_USD, detail: `${fmt(stateChanges)} alarm state changes, free` },
  ];
}

const total = (lines: readonly Line[]) => lines.reduce((sum, l) => sum + l.usd, 0);

/** Lines by amount, the small ones (under a cent) named together. */
function breakdown(lines: readonly Line[]): string {
  const merged = new Map<string, Line>();
  for (const l of lines) {
    const prior = merged.get(l.item);
    merged.set(l.item, prior ? { item: l.item, usd: prior.usd + l.usd, detail: `${prior.detail}; ${l.detail}` } : l);
  }
  const sorted = [...merged.values()].sort((a, b) => b.usd - a.usd);
  const big = sorted.filter((l) => l.usd >= 0.005).map((l) => `${l.item} $${l.usd.toFixed(2)} (${l.detail})`);
  const small = sorted.filter((l) => l.usd < 0.005).map((l) => `${l.item} (${l.detail})`);
  return [...big, ...(small.length > 0 ? [`under $0.01: ${small.join(', ')}`] : [])].join('; ');
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  void opts; // arithmetic over the templates: the same in quick mode
  const scenario = `bad month: ${BAD_MONTH.alarmTransitions} alarm transitions into ALARM and back, ${BAD_MONTH.incidents} incidents, ${BAD_MONTH.automaticActions} automatic actions, ${BAD_MONTH.pages.toLocaleString('en-US')} pages, ${BAD_MONTH.linkClicks} link clicks`;
  const rows: BenchRow[] = [];
  for (const [name, config] of [
    ['default stack', parseConfig('default', ENVIRONMENTS.default!)],
    ['100-service fleet', sizedConfig('100')],
  ] as const) {
    const inv = inventory(config);
    const idle = idleMonth(config, inv);
    const events = badMonthEvents(config, inv);
    rows.push({ name: `monthly cost: ${name}, idle`, value: Number(total(idle).toFixed(2)), unit: 'USD', note: `no alarm fires; ${breakdown(idle)}` });
    rows.push({
      name: `monthly cost: ${name}, bad month`,
      value: Number((total(idle) + total(events)).toFixed(2)),
      unit: 'USD',
      note: `${scenario}: the events add $${total(events).toFixed(2)}; ${breakdown([...idle, ...events])}; SMS excluded (priced per destination country)`,
    });
  }
  return rows;
}

if (require.main === module) runStandalone(run);
