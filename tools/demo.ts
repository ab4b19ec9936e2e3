/**
 * `npm run demo`: the local incident drill. No AWS account: it starts the moto emulator, builds the default
 * environment's world in it, fires the runbook's alarms as CloudWatch would, runs the real responder handler
 * exactly as Lambda would with the SNS event, and prints the executed-action log (`--json` for machines).
 * Then it escalates the first incident with the real state machine, its timers compressed (1 hour = 2 s), and
 * shows what the collaboration function made of it in Slack, on the status page and in PagerDuty (local
 * stand-ins of those services that answer as they do).
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
import { startMoto } from './drill/moto';
import { alarmNotification, alarmStateChangeEvent, snsEvent, type AlarmChange } from './drill/notifications';
import { createSampleWorld } from './drill/sample-world';
import { feedMinutes } from './drill/metric-feed';
import { runCli } from '../lib/cli/program';
import { Template } from 'aws-cdk-lib/assertions';
import { acknowledgeIncident } from '../lambdas/escalation/incident-lifecycle';
import { buildApp } from '../lib/infra/app';
import { compressedPolicies } from './drill/compressed-policies';
import { createEscalationWorld } from './drill/escalation-world';
import { definitionOf } from './drill/local-runner';
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
  const moto = await startMoto();
  try {
    const settings = { ...moto.clientConfig };
    const clients = createClients(settings);
    const world = await createSampleWorld(clients, settings, config, 'enabled');
    say(`Sample world: ECS service prod/chatbot-api (revision 2 deployed just now, revision 1 before it), RDS chatbot-db, SSM flags, audit table ${world.auditTable}.\n`);

    const escalation = values.json ? undefined : await prepareEscalation(clients, settings, world.auditTable);
    const start = Date.now();
    let clock = new Date(start);
    const handler = localResponder({ config, clients, world, now: () => clock });
    const fire = async (minutes: number, change: AlarmChange, story: string) => {
      clock = new Date(start + minutes * 60_000);
      say(`t+${String(minutes).padStart(3)} min  ${change.alertId}${change.instance ? ` [${change.instance}]` : ''}: ${story}`);
      const severity = alertSettings(findAlert(change.alertId)!, config).severity;
      const body = JSON.stringify(alarmNotification(config, { ...change, at: clock }));
      await handler(snsEvent(world.severityTopicArns[severity]!, body));
    };
    // The causes' metrics as CloudWatch serves them: a minute's datapoint only once the minute has ended and
    // DRILL_LAG_MS more has passed (the tree never reads the current, partial minute).
    const metric = (namespace: string, name: string, dimensions: Record<string, string>, fromMinutes: number, atMinutes: number, value: (minute: number) => number) =>
      feedMinutes(clients.cloudwatch, [{ metric: { namespace, metricName: name, dimensions }, value: (m) => value((m - start) / 60_000) }], start + fromMinutes * 60_000, start + atMinutes * 60_000, DRILL_LAG_MS);
    const llmAlarm = (state: 'ALARM' | 'OK') =>
      clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName(config.prefix, 'LLMDependencyDown'), StateValue: state, StateReason: 'drill' }));
    const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };

    await fire(0, api, 'cause 1, a deployment 0 minutes old');
    const escalationReport = await escalation?.run(new Date(start));
    await llmAlarm('ALARM');
    await fire(45, api, 'cause 2, the LLM provider is down (LLMDependencyDown in ALARM)');
    await llmAlarm('OK');
    await metric('AWS/RDS', 'CPUUtilization', { DBInstanceIdentifier: 'chatbot-db' }, 60, 90, (m) => (m >= 83 ? 97 : 35));
    await fire(90, api, 'cause 3, database overload (CPU 97%)');
    const lb = { LoadBalancer: 'app/chatbot-api/50dc6c495c0c9188' };
    await metric('AWS/ApplicationELB', 'RequestCount', lb, 60, 135, (m) => (m >= 128 ? 8000 : 1000));
    await fire(135, api, 'cause 4, a traffic spike (8x the last hour)');
    await fire(150, { alertId: 'ModelAccuracyDrop' }, 'accuracy 85% -> 65%');
    await fire(160, { alertId: 'DataLeakDetected' }, 'an API key pattern in the model output');

    const { audit } = openStores({ dynamo: clients.dynamo, table: world.auditTable, retentionDays: config.automation.auditRetentionDays, now: () => new Date() });
    const records = await audit.listSince('1970');
    if (values.json) {
      console.log(JSON.stringify([...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt)), undefined, 2));
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

const SECONDS_PER_HOUR = 2;
/** Ingestion lag of the drill's CloudWatch: one minute, within the responder's default allowance. */
const DRILL_LAG_MS = 60_000;

/**
 * The first HighAPIErrorRate incident, escalated by the real synthesized state machine with the matrix
 * compressed to 2 seconds per hour: nobody acknowledges in time, the senior engineer is paged at 30 minutes,
 * someone acknowledges at 40, and the alarm clears at 50. Prepared before the clock starts (synth, topics),
 * run right after the incident's alarm fires.
 */
async function prepareEscalation(clients: ReturnType<typeof createClients>, settings: ClientSettings, auditTable: string): Promise<{ run: (alarmAt: Date) => Promise<string> }> {
  const config = loadEnvironment(values.env!, { escalation: { policies: compressedPolicies(SECONDS_PER_HOUR) }, integrations: DRILL_INTEGRATIONS });
  const core = Template.fromStack(buildApp({ config, nag: false, appProps: { builtinCloudFormationValidation: false } }).core);
  const machines = Object.values(core.findResources('AWS::StepFunctions::StateMachine')) as { Properties: { StateMachineName: string; DefinitionString: unknown } }[];
  const definition = (name: string) => definitionOf(machines.find((m) => m.Properties.StateMachineName === name)!);
  const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const world = await createEscalationWorld({ clients, config, auditTable, escalationDefinition: definition(`${config.prefix}-escalation`), verifyDefinition: definition(`${config.prefix}-verify`), linkKey: 'drill-only-key', logger: silent });
  const saas = await startFakeEndpoints();
  const collaboration = await createCollaborationWorld({ settings, clients, config, auditTable, store: world.deps.store, audit: world.deps.audit, fake: saas, logger: silent });
  const until = (alarmAt: Date, minutes: number) => new Promise((r) => setTimeout(r, Math.max(0, alarmAt.getTime() + (minutes / 60) * SECONDS_PER_HOUR * 1000 - Date.now())));

  return {
    async run(alarmAt) {
      const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at: alarmAt };
      const opened = await world.event(alarmStateChangeEvent(config, api));
      const incidentId = (opened as { incidentId: string }).incidentId;
      await until(alarmAt, 40);
      await acknowledgeIncident(world.deps, incidentId, 'alice (drill)');
      await until(alarmAt, 50);
      await world.event(alarmStateChangeEvent(config, { ...api, newState: 'OK', oldState: 'ALARM', at: new Date() }));
      await world.runner.stopAll();
      // The collaboration function reads the table's stream afterwards here (the compressed clock leaves it no
      // time during the incident); it decides as of each record, so the outcome is the same as live.
      while ((await collaboration.drain()) > 0); // the integrations' own events reach the channel too
      await saas.stop();
      const minutesAfter = (iso: string) => (((Date.parse(iso) - alarmAt.getTime()) / 1000) * 60) / SECONDS_PER_HOUR;
      const lines = (await world.deps.store.timeline(incidentId)).map((e) => `  t+${minutesAfter(e.at).toFixed(0).padStart(3)} min  ${e.type.padEnd(13)} ${e.detail}`);
      const pages = await world.inbox();
      const first = pages.find((p) => p.role === 'incident-commander')!.text;
      return [
        `\nEscalation of the first incident (the real state machine; the matrix compressed to 1 hour = ${SECONDS_PER_HOUR} s):\n`,
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
  const channels = saas.state.slack.channels.map((c) => [`  Slack #${c.name}, members ${c.members.slice(1).join(', ')}:`, ...c.messages.map((m) => `    | ${m.text.split('\n')[0]}`)]);
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
