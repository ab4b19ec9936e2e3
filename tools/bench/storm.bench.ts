/**
 * Issue 8, alert storm against moto: 1,000 notifications for 200 alarms over 50 targets (quick: 200 for 40 over
 * 10), 30% exact duplicates and 10% OK transitions, shuffled, delivered through the real handler with 32 in
 * flight, as Lambda would run them. Figures: notifications per second over the whole storm, p50 and p99
 * handling time. Then the exactness checks, which throw (a wrong count fails `npm run bench`):
 *   - one action per (target, mitigation) per cooldown: the `acted` records are exactly the pairs expected from
 *     the notifications and the known world, computed here without the pipeline;
 *   - one record per (incident, mitigation) of each distinct ALARM notification, none for an OK notification;
 *   - every `acted` record has a final outcome and was announced; no record is left `evaluating`;
 *   - the world agrees: desired count raised once per scale-out, rolled-back services run revision 1, others
 *     untouched; no handler error, no notification rejected.
 * The number of on-call announcements per action is measured and shown, not asserted.
 *
 * Handling time is measured around each handler call in one process (32 concurrent calls share one event loop
 * and one moto server on a 2-core machine). moto is the bottleneck: its DynamoDB conditional writes run alone (see
 * isolateMotoConditionalWrites), and its TransactWriteItems copies the whole table, so a reservation costs more as the
 * audit log grows. The figures compare runs of this bench; they are not Lambda's durations or DynamoDB's.
 *
 * Alone: `node --import tsx tools/bench/storm.bench.ts [--quick]`.
 */
import { localResponder } from '../drill/local-responder';
import { performance } from 'node:perf_hooks';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { createClients, type AwsClients, type ClientSettings } from '../../lambdas/shared/clients';
import type { Log } from '../../lambdas/shared/observability';
import { alertSettings } from '../../lib/core/config/alert-settings';
import { alarmName, findAlert } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { startMoto, type Moto } from '../drill/moto';
import { alarmNotification, snsEvent } from '../drill/notifications';
import type { SampleWorld } from '../drill/sample-world';
import { median, runStandalone, type BenchRow } from './bench-row';
import { isolateMotoConditionalWrites } from '../drill/moto';
import { createStormWorld, inPool, INITIAL_DESIRED_COUNT, servicePlans, stormConfig, type ServicePlan } from './storm-world';

/** Lambda's concurrency for the storm: notifications in flight at once. */
const CONCURRENCY = 32;
const DUPLICATE_SHARE = 0.3;
const OK_SHARE = 0.1;
const SEED = 8;
const ACCOUNT = '123456789012';

/** The 4 per-service alerts of the storm. The three latency/CPU alerts share one mitigation on one target. */
const SCALE_OUT_ALERTS = ['HighAPILatency', 'CriticalAPILatency', 'HighCPUUtilization'] as const;
/** Decision tree: only its rollback branch holds in the storm's world (no metric data, LLM alarm not in ALARM). */
const TREE_ALERT = 'HighAPIErrorRate';
const STORM_ALERTS = [...SCALE_OUT_ALERTS, TREE_ALERT] as const;

interface Alarm {
  readonly name: string;
  readonly alertId: (typeof STORM_ALERTS)[number];
  readonly plan: ServicePlan;
  /** Recovering alarms: they only send OK in the storm, so nothing may act on their behalf. */
  readonly okOnly: boolean;
}

interface Notification {
  readonly alarm: Alarm;
  readonly state: 'ALARM' | 'OK';
  /** StateChangeTime as the pipeline normalizes it (ISO, UTC): with the alarm name, the incident. */
  readonly at: string;
  readonly event: Record<string, unknown>;
  readonly duplicate: boolean;
}

/** Deterministic PRNG (mulberry32), so every run delivers the same storm in the same order. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The bench's assumptions about the catalog: fail loudly if the wiring it relies on changes. */
function checkWiring(config: Config): void {
  for (const id of STORM_ALERTS) {
    const alert = findAlert(id);
    if (!alert || alert.scope !== 'service') throw new Error(`storm bench: ${id} is not a per-service alert any more`);
    const mitigations = alertSettings(alert, config).mitigations;
    const ok = id === TREE_ALERT ? mitigations.includes('ecs-rollback') : mitigations.length === 1 && mitigations[0] === 'ecs-scale-out';
    if (!ok)
      throw new Error(
        `storm bench: ${id} triggers [${mitigations.join(', ')}]; the storm's expectation assumes ${id === TREE_ALERT ? 'ecs-rollback among them' : 'ecs-scale-out only'}`,
      );
  }
}

/**
 * The storm: `total` notifications over 4 alarms per service. Distinct ALARM and OK transitions first (each
 * with its own StateChangeTime, so its own incident), then exact copies of some of them, then one shuffle.
 */
function buildStorm(
  config: Config,
  plans: readonly ServicePlan[],
  world: SampleWorld,
  total: number,
  random: () => number,
): { alarms: Alarm[]; notifications: Notification[] } {
  const alarms: Alarm[] = plans.flatMap((plan, i) =>
    STORM_ALERTS.map((alertId) => ({
      name: alarmName(config.prefix, alertId, plan.service.name),
      alertId,
      plan,
      // Every 5th service's error-rate alarm and every 10th service's latency/CPU alarms are recovering.
      okOnly: alertId === TREE_ALERT ? i % 5 === 3 : i % 10 === 6,
    })),
  );
  const duplicates = Math.round(total * DUPLICATE_SHARE);
  const okTotal = Math.round(total * OK_SHARE);
  const okDuplicates = Math.round(duplicates * OK_SHARE);
  const okDistinct = okTotal - okDuplicates;
  const alarmDistinct = total - duplicates - okDistinct;

  const firing = alarms.filter((a) => !a.okOnly);
  const recovering = alarms.filter((a) => a.okOnly);
  if (okDistinct < recovering.length) throw new Error(`storm bench: ${okDistinct} OK transitions cannot cover ${recovering.length} recovering alarms`);
  const pick = <T>(from: readonly T[]) => from[Math.floor(random() * from.length)]!;
  // Every recovering alarm recovers at least once; the other OK transitions fall on any alarm.
  const distinct: { alarm: Alarm; state: 'ALARM' | 'OK' }[] = [
    ...recovering.map((alarm) => ({ alarm, state: 'OK' as const })),
    ...Array.from({ length: okDistinct - recovering.length }, () => ({ alarm: pick(alarms), state: 'OK' as const })),
    ...Array.from({ length: alarmDistinct }, () => ({ alarm: pick(firing), state: 'ALARM' as const })),
  ];
  // One second apart, within the last half hour: fresh, and a distinct incident each.
  const start = Date.now() - 30 * 60_000;
  const made = distinct.map(({ alarm, state }, i): Notification => {
    const at = new Date(start + i * 1000);
    const body = alarmNotification(config, {
      alertId: alarm.alertId,
      instance: alarm.plan.service.name,
      newState: state,
      oldState: state === 'ALARM' ? 'OK' : 'ALARM',
      at,
      accountId: ACCOUNT,
    });
    const topic = world.severityTopicArns[alertSettings(findAlert(alarm.alertId)!, config).severity]!;
    return { alarm, state, at: at.toISOString(), event: snsEvent(topic, JSON.stringify(body)), duplicate: false };
  });
  const copyOf = (n: Notification): Notification => ({ ...n, duplicate: true, event: structuredClone(n.event) });
  const okMade = made.filter((n) => n.state === 'OK');
  const alarmMade = made.filter((n) => n.state === 'ALARM');
  const copies = [
    ...Array.from({ length: okDuplicates }, () => copyOf(pick(okMade))),
    ...Array.from({ length: duplicates - okDuplicates }, () => copyOf(pick(alarmMade))),
  ];
  return { alarms, notifications: shuffle([...made, ...copies], random) };
}

interface StormResult {
  readonly seconds: number;
  readonly durations: number[];
  readonly errors: string[];
}

async function deliver(handler: (event: unknown) => Promise<void>, notifications: readonly Notification[]): Promise<StormResult> {
  const durations: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  await inPool(notifications, CONCURRENCY, async (n) => {
    const t0 = performance.now();
    try {
      await handler(n.event);
    } catch (error) {
      errors.push(
        `${n.alarm.name} ${n.state} @ ${n.at}: ${(error as Error).message}${(error as Error).cause ? ` (${String(((error as Error).cause as Error).message ?? (error as Error).cause)})` : ''}`,
      );
    }
    durations.push(performance.now() - t0);
  });
  return { seconds: (performance.now() - started) / 1000, durations, errors };
}

/** What the storm must have done, from the notifications and the known world only (never from the pipeline). */
interface Expectation {
  readonly alarmIncidents: ReadonlyMap<string, Notification>;
  readonly okIncidents: ReadonlySet<string>;
  /** `target mitigation` pairs that must have been acted on exactly once. */
  readonly pairs: ReadonlySet<string>;
  readonly scaledOut: ReadonlySet<string>;
  readonly rolledBack: ReadonlySet<string>;
  /** One per mitigation of each distinct ALARM notification. */
  readonly records: number;
}

const pairKey = (target: string | undefined, mitigation: string) => `${target ?? '(no target)'} ${mitigation}`;
const incidentKey = (alarm: string, at: string) => `${alarm}@${at}`;

function expect(config: Config, notifications: readonly Notification[]): Expectation {
  const alarmIncidents = new Map<string, Notification>();
  const okIncidents = new Set<string>();
  for (const n of notifications) {
    if (n.state === 'ALARM') alarmIncidents.set(incidentKey(n.alarm.name, n.at), n);
    else okIncidents.add(incidentKey(n.alarm.name, n.at));
  }
  const pairs = new Set<string>();
  const scaledOut = new Set<string>();
  const rolledBack = new Set<string>();
  let records = 0;
  for (const { alarm } of alarmIncidents.values()) {
    const { plan } = alarm;
    records += alertSettings(findAlert(alarm.alertId)!, config).mitigations.length;
    // ecs-rollback: a recent deployment and a previous revision; the tree's other branches never hold here.
    if (alarm.alertId === TREE_ALERT && plan.rollbackApplies) {
      pairs.add(pairKey(plan.targetKey, 'ecs-rollback'));
      rolledBack.add(plan.service.name);
    }
    // ecs-scale-out: below the cap; the three alerts share the target, so the cooldown lets one act.
    if (alarm.alertId !== TREE_ALERT && plan.scaleOutApplies) {
      pairs.add(pairKey(plan.targetKey, 'ecs-scale-out'));
      scaledOut.add(plan.service.name);
    }
  }
  return { alarmIncidents, okIncidents, pairs, scaledOut, rolledBack, records };
}

/** Audit-log checks; returns the failures (empty when exact) and the figures of the note. */
function checkAudit(
  records: readonly ActionRecord[],
  expected: Expectation,
  fail: (message: string) => void,
): { acted: ActionRecord[]; okActed: number; unfinished: number } {
  const acted = records.filter((r) => r.decision === 'acted');
  const actedPairs = new Map<string, number>();
  for (const r of acted) actedPairs.set(pairKey(r.target, r.mitigation), (actedPairs.get(pairKey(r.target, r.mitigation)) ?? 0) + 1);
  if (acted.length !== expected.pairs.size) fail(`${acted.length} actions taken for ${expected.pairs.size} expected (target, mitigation) pairs`);
  const twice = [...actedPairs].filter(([, count]) => count > 1);
  if (twice.length) fail(`more than one action per (target, mitigation) within the cooldown: ${twice.map(([k, c]) => `${k} x${c}`).join('; ')}`);
  const unexpected = [...actedPairs.keys()].filter((k) => !expected.pairs.has(k));
  if (unexpected.length) fail(`actions on pairs that no ALARM named or whose preconditions did not hold: ${unexpected.join('; ')}`);
  const missing = [...expected.pairs].filter((k) => !actedPairs.has(k));
  if (missing.length) fail(`expected pairs without an action: ${missing.join('; ')}`);

  const incidentOf = (r: ActionRecord) => incidentKey(r.alarmName, String(r.evidence.stateChangeTime));
  const okRecords = records.filter((r) => expected.okIncidents.has(incidentOf(r)));
  const okActed = okRecords.filter((r) => r.decision === 'acted').length;
  if (okRecords.length) fail(`${okRecords.length} records for OK notifications (${okActed} acted), e.g. ${okRecords[0]!.incidentId}`);
  const stranger = records.filter((r) => !expected.alarmIncidents.has(incidentOf(r)) && !expected.okIncidents.has(incidentOf(r)));
  if (stranger.length) fail(`${stranger.length} records for no notification of the storm, e.g. ${stranger[0]!.incidentId}`);
  const claims = new Set(records.map((r) => `${incidentOf(r)} ${r.mitigation}`));
  if (records.length !== expected.records || claims.size !== records.length) {
    fail(
      `${records.length} audit records (${claims.size} distinct (incident, mitigation)) for ${expected.records} expected: one per mitigation of each of the ${expected.alarmIncidents.size} distinct ALARM notifications`,
    );
  }

  const evaluating = records.filter((r) => r.decision === 'evaluating');
  const pending = acted.filter((r) => !['succeeded', 'failed', 'unknown'].includes(String(r.outcome)));
  const notSucceeded = acted.filter((r) => r.outcome !== 'succeeded');
  const unannounced = acted.filter((r) => r.announcedAt === undefined);
  if (evaluating.length) fail(`${evaluating.length} records left evaluating, e.g. ${evaluating[0]!.actionId} (${evaluating[0]!.mitigation})`);
  if (pending.length) fail(`${pending.length} acted records without a final outcome, e.g. ${pending[0]!.actionId}: ${String(pending[0]!.outcome)}`);
  if (notSucceeded.length)
    fail(
      `${notSucceeded.length} actions did not succeed, e.g. ${notSucceeded[0]!.actionId}: ${String(notSucceeded[0]!.outcome)} ${notSucceeded[0]!.error ?? ''}`,
    );
  if (unannounced.length) fail(`${unannounced.length} actions never announced, e.g. ${unannounced[0]!.actionId}`);
  return { acted, okActed, unfinished: evaluating.length + pending.length };
}

/** The world agrees: desired count raised once per scale-out, rolled-back services on revision 1, the rest untouched. */
async function checkWorld(
  clients: AwsClients,
  config: Config,
  plans: readonly ServicePlan[],
  expected: Expectation,
  fail: (message: string) => void,
): Promise<void> {
  await inPool(plans, 8, async (plan) => {
    const { cluster, service } = plan.service.ecs;
    const found = (await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0];
    const scaledOut = expected.scaledOut.has(plan.service.name);
    const wantCount = scaledOut ? Math.min(INITIAL_DESIRED_COUNT + config.automation.ecsScaleOutStep, plan.cap) : INITIAL_DESIRED_COUNT;
    if (found?.desiredCount !== wantCount)
      fail(`${cluster}/${service}: desired count ${String(found?.desiredCount)}, expected ${wantCount} (${scaledOut ? 'one scale-out' : 'no scale-out'})`);
    const wantRevision = expected.rolledBack.has(plan.service.name) ? 1 : plan.revisions;
    // moto answers with the ARN before any update and with `family:revision` after one.
    if (!found?.taskDefinition || !new RegExp(`(^|/)${service}:${wantRevision}$`).test(found.taskDefinition)) {
      fail(
        `${cluster}/${service}: runs ${String(found?.taskDefinition)}, expected revision ${wantRevision} (${expected.rolledBack.has(plan.service.name) ? 'one rollback' : 'no rollback'})`,
      );
    }
  });
}

/** On-call's inbox, an SQS queue subscribed to the announce topic: announcements per action id. */
async function subscribeInbox(clients: AwsClients, topicArn: string): Promise<() => Promise<Map<string, number>>> {
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'storm-oncall-inbox' }));
  const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn!, Attributes: { RawMessageDelivery: 'true' } }),
  );
  return async () => {
    const perAction = new Map<string, number>();
    for (let empty = 0; empty < 2; ) {
      const { Messages } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
      if (!Messages?.length) empty++;
      for (const m of Messages ?? []) {
        const id = /Action:\s+([0-9a-f]{16})/.exec(m.Body ?? '')?.[1];
        if (id) perAction.set(id, (perAction.get(id) ?? 0) + 1);
      }
    }
    return perAction;
  };
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const moto = await startMoto();
  try {
    return await stormOn(moto, opts);
  } finally {
    await moto.stop();
  }
}

/** The storm against a running, empty moto server (exported to diagnose against a server started by hand, with its log). */
export async function stormOn(moto: Pick<Moto, 'clientConfig'>, opts: { quick: boolean }): Promise<BenchRow[]> {
  const config = stormConfig(opts.quick ? 10 : 50);
  checkWiring(config);
  const plans = servicePlans(config);
  const started = performance.now();
  const settings: ClientSettings = moto.clientConfig;
  // The production client settings (5 attempts, standard retry).
  const clients = createClients(settings);
  isolateMotoConditionalWrites(clients);
  const world = await createStormWorld(clients, settings, config, plans);
  const inbox = await subscribeInbox(clients, world.announceTopicArn);
  const { alarms, notifications } = buildStorm(config, plans, world, opts.quick ? 200 : 1000, prng(SEED));

  const metrics = new Map<string, number>();
  const errorLogs: string[] = [];
  const logger: Log = {
    info: () => undefined,
    warn: () => undefined,
    error: (message, extra) => void errorLogs.push(`${message} ${JSON.stringify(extra ?? {})}`),
  };
  const { audit } = openStores({ dynamo: clients.dynamo, table: world.auditTable, retentionDays: config.automation.auditRetentionDays, now: () => new Date() });
  // As the deployed responder (index.ts): ad-hoc silences read from the audit table, one query per notification.
  const handler = localResponder({ config, clients, world, logger, metrics: { count: (name) => void metrics.set(name, (metrics.get(name) ?? 0) + 1) } });
  const ready = performance.now();

  const storm = await deliver(handler, notifications);

  const checking = performance.now();
  const failures: string[] = [];
  const fail = (message: string) => void failures.push(message);
  if (storm.seconds > config.automation.cooldownMinutes * 60)
    fail(
      `the storm took ${Math.round(storm.seconds)} s, longer than the ${config.automation.cooldownMinutes}-minute cooldown: the expectation (one action per pair) no longer holds`,
    );
  const expected = expect(config, notifications);
  const { acted, okActed, unfinished } = checkAudit(await audit.listSince('1970'), expected, fail);
  await checkWorld(clients, config, plans, expected, fail);
  if (storm.errors.length) fail(`${storm.errors.length} handler invocations failed, e.g. ${storm.errors.slice(0, 3).join(' | ')}`);
  if (metrics.get('NotificationsRejected')) fail(`${metrics.get('NotificationsRejected')} notifications rejected (quarantined)`);
  if ((metrics.get('ActionsTaken') ?? 0) !== acted.length) fail(`ActionsTaken metric ${metrics.get('ActionsTaken') ?? 0} != ${acted.length} acted records`);
  // A measurement, not an assertion: a duplicate delivered while the first one announces re-announces (reported).
  const announcements = await inbox();
  const announced = acted.reduce((sum, r) => sum + (announcements.get(r.actionId) ?? 0), 0);
  const reAnnounced = acted.filter((r) => (announcements.get(r.actionId) ?? 0) > 1).length;
  const done = performance.now();
  process.stderr.write(
    `storm: world ${((ready - started) / 1000).toFixed(1)} s, storm ${storm.seconds.toFixed(1)} s, checks ${((done - checking) / 1000).toFixed(1)} s\n`,
  );

  const summary = `${acted.length} actions for ${expected.pairs.size} expected pairs, ${okActed} OK acted, ${unfinished} unfinished`;
  if (failures.length) {
    const logs = errorLogs.length ? `\n  responder error logs (first 3 of ${errorLogs.length}): ${errorLogs.slice(0, 3).join(' | ')}` : '';
    throw new Error(`alert storm exactness failed (${summary}):\n  - ${failures.join('\n  - ')}${logs}`);
  }

  const ok = notifications.filter((n) => n.state === 'OK').length;
  const duplicates = notifications.filter((n) => n.duplicate).length;
  const shape = `${notifications.length} notifications (${duplicates} duplicates, ${ok} OK) for ${alarms.length} alarms over ${plans.length} targets, ${CONCURRENCY} in flight`;
  return [
    {
      name: 'alert storm: notifications per second',
      value: Number((notifications.length / storm.seconds).toFixed(1)),
      unit: 'notif/s',
      note: `${shape}, in ${storm.seconds.toFixed(1)} s`,
    },
    {
      name: 'alert storm: p50 handling time',
      value: Math.round(median(storm.durations)),
      unit: 'ms',
      note: 'per notification, real handler in one process; moto is the bottleneck (its DynamoDB calls serialized)',
    },
    {
      name: 'alert storm: p99 handling time',
      value: Math.round(percentile(storm.durations, 99)),
      unit: 'ms',
      note: `max ${Math.round(Math.max(...storm.durations))} ms`,
    },
    {
      name: 'alert storm: exactness',
      value: 1,
      unit: 'pass',
      note: `${summary}; ${expected.records} records for ${expected.alarmIncidents.size} distinct ALARM notifications; ${announced} announcements for ${acted.length} actions (${reAnnounced} re-announced by a concurrent duplicate)`,
    },
  ];
}

if (require.main === module) runStandalone(run);
