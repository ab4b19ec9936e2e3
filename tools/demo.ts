/**
 * `npm run demo`: the local incident drill. No AWS account: it starts the moto emulator, builds the default
 * environment's world in it (with the HighAPIErrorRate alarm as the stack synthesizes it, and the API metrics that
 * made it fire), fires the runbook's alarms as CloudWatch would, runs the real responder handler exactly as Lambda
 * would with the SNS event, and prints the executed-action log (`--json` for machines).
 * Then it escalates the first incident with the real state machine on the drill's simulated clock (every step at
 * its time in the escalation matrix, whatever the emulator's speed), and shows what the collaboration function
 * made of it in Slack, on the status page and in PagerDuty (local stand-ins of those services that answer as
 * they do).
 */
import '../bin/sdk-notice';
import { localResponder } from './drill/local-responder';
import { parseArgs } from 'node:util';
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { openStores } from '../lambdas/shared/storage/open-stores';
import { createClients } from '../lambdas/shared/clients';
import type { Log } from '../lambdas/shared/observability';
import { alertSettings } from '../lib/core/config/alert-settings';
import { alarmName, findAlert } from '../lib/core/catalog';
import { loadEnvironment } from '../lib/core/config/environment';
import { acquireMoto } from './drill/moto-pool';
import { alarmNotification, alarmStateChangeEvent, snsEvent, type AlarmChange } from './drill/notifications';
import { createSampleWorld } from './drill/sample-world';
import { feedMinutes, type MinuteFeed } from './drill/metric-feed';
import { runCli } from '../lib/cli/program';
import { Template } from 'aws-cdk-lib/assertions';
import { acknowledgeIncident } from '../lambdas/escalation/incident-lifecycle';
import { buildApp, stacksOf } from '../lib/infra/app';
import { resolveAlarms } from '../lib/core/alarms/resolve';
import type { Config } from '../lib/core/config/schema';
import { DrillClock } from './drill/drill-clock';
import { withMetricMath } from './drill/metric-math';
import { putSynthesizedAlarm } from './drill/synthesized-alarm';
import type { CfnTemplate } from './drill/templates';
import { createEscalationWorld } from './drill/escalation-world';
import { stateMachineDefinition } from './drill/local-runner';
import type { ClientSettings } from '../lambdas/shared/clients';
import { createCollaborationWorld, DRILL_INTEGRATIONS } from './drill/collaboration-world';
import { startFakeEndpoints, type FakeEndpoints } from './stand-ins/endpoints';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, env: { type: 'string', default: 'default' } } });
const say = (line: string) => {
  if (!values.json) console.log(line);
};

async function main(): Promise<void> {
  // The environment as configured, with every integration pointed at the drill's stand-ins (secrets in moto).
  const config = loadEnvironment(values.env!, { integrations: DRILL_INTEGRATIONS });
  say('Starting the moto AWS emulator on 127.0.0.1...');
  // Inside `npm test` a server of the run's pool (tools/drill/moto-pool.ts), otherwise one of its own.
  const moto = await acquireMoto();
  try {
    const settings = { ...moto.clientConfig };
    const clients = createClients(settings);
    // moto computes no metric math; the alarm's datapoints on the page are an expression of two metrics.
    withMetricMath(clients.cloudwatch);
    const world = await createSampleWorld(clients, settings, config, 'enabled');
    // The drill runs the handlers in this process: the Lambda bundles are left out of its synth (as `cdk synth --exclusively` does).
    const app = buildApp({ config, nag: false, appProps: { builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } } });
    const templates = stacksOf(app).map((stack) => Template.fromStack(stack).toJSON() as CfnTemplate);
    const apiAlarm = alarmName(config.prefix, 'HighAPIErrorRate', 'chatbot-api');
    await putSynthesizedAlarm(clients.cloudwatch, templates, apiAlarm);
    say(
      `Sample world: ECS service prod/chatbot-api (revision 2 deployed just now, revision 1 before it), RDS chatbot-db, SSM flags, audit table ${world.auditTable}, alarm ${apiAlarm} as the stack synthesizes it.\n`,
    );

    const escalation = values.json ? undefined : await prepareEscalation(clients, settings, config, templates, world.auditTable);
    // t+0 is now: every alarm, step and metric minute of the drill is placed on this clock.
    const clock = new DrillClock(new Date());
    const start = clock.origin.getTime();
    const handler = localResponder({ config, clients, world, now: () => clock.now() });
    const fire = async (minutes: number, change: AlarmChange, story: string) => {
      const at = clock.at(minutes);
      say(`t+${String(minutes).padStart(3)} min  ${change.alertId}${change.instance ? ` [${change.instance}]` : ''}: ${story}`);
      const severity = alertSettings(findAlert(change.alertId)!, config).severity;
      const body = JSON.stringify(alarmNotification(config, { ...change, at }));
      await clock.run(at, () => handler(snsEvent(world.severityTopicArns[severity]!, body)));
    };
    // Metrics as CloudWatch serves them: a minute's datapoint only once the minute has ended and DRILL_LAG_MS more
    // has passed (the tree never reads the current, partial minute).
    const feed = (metric: MinuteFeed['metric'], fromMinutes: number, atMinutes: number, value: (minute: number) => number) =>
      feedMinutes(
        clients.cloudwatch,
        [{ metric, value: (m) => value((m - start) / 60_000) }],
        start + fromMinutes * 60_000,
        start + atMinutes * 60_000,
        DRILL_LAG_MS,
      );
    const metric = (
      namespace: string,
      metricName: string,
      dimensions: Record<string, string>,
      fromMinutes: number,
      atMinutes: number,
      value: (minute: number) => number,
    ) => feed({ namespace, metricName, dimensions }, fromMinutes, atMinutes, value);
    const llmAlarm = (state: 'ALARM' | 'OK') =>
      clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName(config.prefix, 'LLMDependencyDown'), StateValue: state, StateReason: 'drill' }));
    const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };

    // The half hour before the alarm, in the alarm's own metrics: 1000 requests a minute, 1% of them 5xx until
    // the new revision's errors reach 12% at t-8. Five minutes above 5% fire it; its page shows these datapoints.
    const { requests, errors } = apiMetrics(config, apiAlarm);
    await feed(requests, -30, 0, () => 1000);
    await feed(errors, -30, 0, (m) => (m >= -8 ? 120 : 10));
    await fire(0, api, 'cause 1, a deployment 0 minutes old');
    const escalationReport = await escalation?.run(clock);
    await llmAlarm('ALARM');
    await fire(45, api, 'cause 2, the LLM provider is down (LLMDependencyDown in ALARM)');
    await llmAlarm('OK');
    await metric('AWS/RDS', 'CPUUtilization', { DBInstanceIdentifier: 'chatbot-db' }, 60, 90, (m) => (m >= 83 ? 97 : 35));
    await fire(90, api, 'cause 3, database overload (CPU 97%)');
    await feed(requests, 60, 135, (m) => (m >= 128 ? 8000 : 1000));
    await fire(135, api, 'cause 4, a traffic spike (8x the last hour)');
    await fire(150, { alertId: 'ModelAccuracyDrop' }, 'accuracy 85% -> 65%');
    await fire(160, { alertId: 'DataLeakDetected' }, 'an API key pattern in the model output');

    const { audit } = openStores({
      dynamo: clients.dynamo,
      table: world.auditTable,
      retentionDays: config.automation.auditRetentionDays,
      now: () => new Date(),
    });
    const records = await audit.listSince('1970');
    if (values.json) {
      console.log(
        JSON.stringify(
          [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
          undefined,
          2,
        ),
      );
    } else {
      say(escalationReport ?? '');
      // The drill ends with what on-call would run: the executed-action log, read back through the CLI.
      say(`\n$ npx oncall actions --since 1d      # the drill's clock ran ahead of real time: the times are simulated\n`);
      Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'drill', AWS_SECRET_ACCESS_KEY: 'drill', AWS_REGION: config.region });
      const code = await runCli(['actions', '--since', '1d', '--env', values.env!]);
      if (code !== 0) throw new Error(`oncall actions exited with ${code}`);
    }
  } finally {
    await moto.stop();
  }
}

/** Ingestion lag of the drill's CloudWatch: one minute, within the responder's default allowance. */
const DRILL_LAG_MS = 60_000;
/** When, in the drill's minutes, someone acknowledges the first incident and its alarm clears. */
const ACK_MINUTE = 40;
const CLEAR_MINUTE = 50;

/** The request count and the (first) 5xx count the alarm divides, as its spec resolves them for the service. */
function apiMetrics(config: Config, name: string): { requests: MinuteFeed['metric']; errors: MinuteFeed['metric'] } {
  const spec = resolveAlarms(config).find((s) => s.alarmName === name);
  if (spec?.kind !== 'math') throw new Error(`${name} is not a metric math alarm of this environment`);
  const query = (prefix: string) => spec.metrics.find((q) => q.id.startsWith(prefix))!.metric;
  return { requests: query('requests'), errors: query('errors') };
}

/**
 * The first HighAPIErrorRate incident, escalated by the real synthesized state machine on the drill's clock:
 * each step of the matrix runs at its own minute (first page at 0, re-page at 15, senior engineer at 30); the
 * drill moves the clock to 40, once every step due by then has run, and someone acknowledges; at 50 the alarm
 * clears. Prepared before the clock starts (the state machines' definitions, the SaaS stand-ins), run right after
 * the incident's alarm fires.
 */
async function prepareEscalation(
  clients: ReturnType<typeof createClients>,
  settings: ClientSettings,
  config: Config,
  templates: readonly CfnTemplate[],
  auditTable: string,
): Promise<{ run: (clock: DrillClock) => Promise<string> }> {
  const definition = (name: string) => stateMachineDefinition(templates, name);
  const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const saas = await startFakeEndpoints();

  return {
    async run(clock) {
      const escalationDefinition = definition(`${config.prefix}-escalation`);
      const world = await createEscalationWorld({
        clients,
        config,
        auditTable,
        escalationDefinition,
        verifyDefinition: definition(`${config.prefix}-verify`),
        linkKey: 'drill-only-key',
        logger: silent,
        clock,
      });
      const collaboration = await createCollaborationWorld({
        settings,
        clients,
        config,
        auditTable,
        store: world.deps.store,
        audit: world.deps.audit,
        fake: saas,
        logger: silent,
        clock,
      });
      const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at: clock.origin };
      const opened = await clock.run(clock.origin, () => world.event(alarmStateChangeEvent(config, api)));
      const incidentId = (opened as { incidentId: string }).incidentId;
      const timetable = [...world.runner.executions.values()].find((e) => e.input.incidentId === incidentId)!.input.steps;
      // The drill's next move happens once every step due by then has run (its page task returned): waited for
      // as events, so the senior engineer is paged before the ack however slow the machine is.
      const moveTo = async (minutes: number) => {
        clock.advanceTo(clock.at(minutes));
        await Promise.all(timetable.filter((step) => clock.minutesOf(step.at) <= minutes).map((step) => world.stepRan(step.index)));
        return clock.at(minutes);
      };
      const ackAt = await moveTo(ACK_MINUTE);
      await clock.run(ackAt, () => acknowledgeIncident(world.deps, incidentId, 'alice (drill)'));
      const clearAt = await moveTo(CLEAR_MINUTE);
      await clock.run(clearAt, () => world.event(alarmStateChangeEvent(config, { ...api, newState: 'OK', oldState: 'ALARM', at: clearAt })));
      // The steps after the resolve never come due: the resolve stopped the execution.
      await world.runner.stopAll();
      // The collaboration function reads the table's stream afterwards here; on the drill's clock it handles the
      // records in the order and at the time they were written, and decides as of each, as it would live.
      while ((await collaboration.drain()) > 0); // the integrations' own events reach the channel too
      await saas.stop();
      const lines = (await world.deps.store.timeline(incidentId)).map(
        (e) => `  t+${String(Math.floor(clock.minutesOf(e.at))).padStart(3)} min  ${e.type.padEnd(13)} ${e.detail}`,
      );
      const pages = await world.inbox();
      const first = pages.find((p) => p.role === 'incident-commander')!.text;
      return [
        `\nEscalation of the first incident (the real state machine on the drill's clock: each step at its minute in the matrix):\n`,
        ...lines,
        `\n${pages.length} messages reached the role topics; the first page, as on-call reads it:\n`,
        ...first.split('\n').map((line) => `  | ${line}`),
        `\nWhat the collaboration function made of it, reading the table's stream afterwards (Slack, Statuspage and\nPagerDuty answered by local stand-ins of them, tools/stand-ins):\n`,
        ...collaborationReport(saas),
      ].join('\n');
    },
  };
}

/** The incident channel's posts (first line each), the status page's course and PagerDuty's events. */
function collaborationReport(saas: FakeEndpoints): string[] {
  const channels = saas.state.slack.channels.map((c) => [
    `  Slack #${c.name}, members ${c.members.slice(1).join(', ')}:`,
    ...c.messages.map((m) => `    | ${m.text.split('\n')[0]}`),
  ]);
  const statuses = saas.requestsTo('statuspage').map((r) => (r.body as { incident: { status: string } }).incident.status);
  const page = saas.state.statuspage.incidents[0];
  const events = saas.requestsTo('pagerduty').map((r) => (r.body as { event_action: string }).event_action);
  return [
    ...channels.flat(),
    `  Status page${page ? ` "${page.name}"` : ''}: ${statuses.join(' -> ') || 'not opened'}; components ${JSON.stringify(saas.state.statuspage.components)}`,
    `  PagerDuty: ${events.join(', ') || 'nothing sent'} (one alert, the incident id as dedup_key)`,
  ];
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
