import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { page } from '../../lambdas/escalation/notify';
import { pageText } from '../../lambdas/escalation/page-message';
import { contextLines, gatherContext, type IncidentContext } from '../../lambdas/shared/context';
import type { Incident } from '../../lambdas/shared/storage/incident';
import { alarmName } from '../../lib/core/catalog';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation, type EscalationHarness } from '../support/escalation';
import { DEFAULT_INPUT } from '../support/config';

// Real time per hour of policy: the first page goes out at once, the next steps not during a test.
const { fresh } = useEscalation();
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEARCH = { name: 'search-api', ecs: { cluster: 'prod', service: 'search-api' }, api: { kind: 'custom' as const } };

async function open(h: EscalationHarness, alertId: string, instance?: string): Promise<Incident> {
  const opened = await h.event(alarmStateChangeEvent(h.config, { alertId, ...(instance ? { instance } : {}) }));
  return (await h.deps.store.get((opened as { incidentId: string }).incidentId))!;
}

/** The first `page` event of an incident, once the escalation's first step has run. */
async function firstPage(h: EscalationHarness, incidentId: string) {
  await h.stepRan(0, incidentId);
  const event = (await h.deps.store.timeline(incidentId)).find((e) => e.type === 'page');
  if (!event) throw new Error('the first step paged nobody');
  return event;
}

/** Listens on a free loopback port; returns it. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

describe('recent changes in the window', () => {
  it('lists the deployment, the parameter changes and the actions of the window, and nothing older', async () => {
    // GIVEN older changes: search-api deployed, the flags written (by the sample world), over a second ago
    const h = await fresh({ config: { services: [...DEFAULT_INPUT.services, SEARCH] } });
    await h.clients.ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'search-api', containerDefinitions: [{ name: 'api', image: 'search-api:2.0.0', memory: 512 }] }),
    );
    await h.clients.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'search-api', taskDefinition: 'search-api:1', desiredCount: 2 }));
    await sleep(1100);
    // WHEN chatbot-api gets a new task definition, on-call flips the fallback and changes the rate limit twice
    await h.clients.ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'chatbot-api', containerDefinitions: [{ name: 'api', image: 'chatbot-api:1.6.0', memory: 1024 }] }),
    );
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:3', forceNewDeployment: true }));
    const deployedAt = (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!.deployments![0]!
      .createdAt!;
    for (const [Name, Value] of [
      [h.config.ssm.fallbackMode, 'true'],
      [h.config.ssm.rateLimit, '50'],
      [h.config.ssm.rateLimit, '100'],
    ] as const) {
      await h.clients.ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true }));
    }
    // and the alarm fires: the responder throws the AI kill switch (one more parameter change)
    const { incidentId } = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    const incident = (await h.deps.store.get(incidentId!))!;
    const actions = await h.deps.audit.forIncident(incident);
    // The window (30 min) ends just under 30 min after the deployment: it starts after the older changes.
    const now = new Date(deployedAt.getTime() + 30 * MINUTE - 500);
    const context = await gatherContext({ clients: h.clients, config: h.config, now }, incident, actions);

    // THEN
    assert.equal(context.gatheredAt, now.toISOString());
    assert.equal(context.windowMinutes, 30);
    // moto starts no new deployment on UpdateService: forceNewDeployment re-dates its one deployment, which
    // keeps the task definition it was created with (AWS would show :3 PRIMARY and :2 ACTIVE).
    assert.deepEqual(
      context.deployments.map((d) => ({ ...d })),
      [
        {
          service: 'chatbot-api',
          cluster: 'prod',
          ecsService: 'chatbot-api',
          taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/chatbot-api:2',
          status: 'PRIMARY',
          rolloutState: 'IN_PROGRESS',
          createdAt: deployedAt.toISOString(),
          updatedAt: deployedAt.toISOString(),
        },
      ],
    );
    const changes = context.parameterChanges.map((p) => `${p.name} v${p.version}: ${p.previousValue} -> ${p.value} by ${p.modifiedBy}`);
    assert.deepEqual(changes.sort(), [
      '/chatbot/fallback-mode v2: false -> true by N/A',
      '/chatbot/rate-limit v2: 0 -> 50 by N/A',
      '/chatbot/rate-limit v3: 50 -> 100 by N/A',
      '/feature/ai-model v2: true -> false by N/A',
    ]);
    const times = context.parameterChanges.map((p) => p.modifiedAt);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    assert.equal(context.actions.length, 1);
    const [action] = context.actions;
    assert.deepEqual(
      { ...action, revertCommand: undefined },
      {
        actionId: actions[0]!.actionId,
        mitigation: 'ai-kill-switch',
        target: 'ssm:/feature/ai-model',
        decision: 'acted',
        outcome: 'succeeded',
        at: actions[0]!.createdAt,
        revertCommand: undefined,
      },
    );
    assert.match(action!.revertCommand!, new RegExp(`oncall revert ${action!.actionId}`));
    // No alarm of that name exists in this account: said, not thrown.
    assert.deepEqual(context.unavailable, [`Alarm datapoints: alarm ${incident.alarmName} not found`]);
    assert.equal(context.datapoints, undefined);
  });

  it("reads only the incident's own service when it has one", async () => {
    const h = await fresh({ config: { services: [...DEFAULT_INPUT.services, SEARCH] } });
    await h.clients.ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'search-api', containerDefinitions: [{ name: 'api', image: 'search-api:2.0.0', memory: 512 }] }),
    );
    await h.clients.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'search-api', taskDefinition: 'search-api:1', desiredCount: 2 }));
    const incident = await open(h, 'ModelAccuracyDrop');
    const deps = { clients: h.clients, config: h.config, now: new Date() };
    const services = async (i: Incident) => (await gatherContext(deps, i, [])).deployments.map((d) => d.service).sort();
    assert.deepEqual(await services(incident), ['chatbot-api', 'search-api'], 'environment-wide: every configured service');
    assert.deepEqual(await services({ ...incident, service: 'search-api' }), ['search-api']);
  });
});

describe("the alarm's datapoints", () => {
  it('a metric alarm: its statistic over the window, oldest first, against its threshold', async () => {
    // GIVEN the alarm as CloudWatch holds it, and four minutes of its metric
    const h = await fresh();
    const name = alarmName(h.config.prefix, 'ModelAccuracyDrop');
    const Dimensions = [{ Name: 'Environment', Value: 'prod' }];
    await h.clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'ChatbotAI',
        MetricName: 'ModelAccuracy',
        Dimensions,
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 0.8,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
    const now = new Date();
    const values = [0.91, 0.85, 0.72, 0.64];
    await h.clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'ChatbotAI',
        MetricData: values.map((Value, i) => ({
          MetricName: 'ModelAccuracy',
          Dimensions,
          Value,
          Timestamp: new Date(now.getTime() - (values.length - i) * MINUTE),
        })),
      }),
    );
    const incident = await open(h, 'ModelAccuracyDrop');
    // WHEN
    const context = await gatherContext({ clients: h.clients, config: h.config, now }, incident, []);
    // THEN (moto labels each point with the start of its period, counted from StartTime)
    const { points, ...alarm } = context.datapoints!;
    assert.deepEqual(alarm, {
      alarmName: name,
      metric: 'ModelAccuracy (Environment=prod)',
      stat: 'Average',
      periodSeconds: 60,
      threshold: 0.8,
      comparison: 'LessThanThreshold',
    });
    assert.deepEqual(
      points.map((p) => p.value),
      values,
    );
    assert.ok(
      points.every((p, i) => Date.parse(p.at) >= now.getTime() - 30 * MINUTE && (i === 0 || p.at > points[i - 1]!.at)),
      JSON.stringify(points),
    );
    assert.deepEqual(context.unavailable, []);
    const lines = contextLines(context);
    assert.ok(lines.includes('Alarm datapoints (ModelAccuracy (Environment=prod), Average per 60 s; alarm when < 0.8):'), lines.join('\n'));
    assert.match(lines.join('\n'), /^ {2}0\.91 0\.85 0\.72\* 0\.64\* \(\d\d:\d\d-\d\d:\d\d UTC, oldest first, \* beyond threshold\)$/m);
  });

  it("a metric-math alarm: its own queries go to GetMetricData, the expression's series is kept", async () => {
    const h = await fresh();
    const name = alarmName(h.config.prefix, 'HighAPIErrorRate', 'chatbot-api');
    const metric = (MetricName: string) => ({ Namespace: 'ChatbotAI', MetricName, Dimensions: [{ Name: 'Environment', Value: 'prod' }] });
    await h.clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        EvaluationPeriods: 5,
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: [
          { Id: 'errors', MetricStat: { Metric: metric('ServerErrors'), Period: 60, Stat: 'Sum' }, ReturnData: false },
          { Id: 'requests', MetricStat: { Metric: metric('Requests'), Period: 60, Stat: 'Sum' }, ReturnData: false },
          { Id: 'rate', Expression: 'errors / requests', Label: 'error rate', ReturnData: true },
        ],
      }),
    );
    const now = new Date();
    await h.clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'ChatbotAI',
        MetricData: ['ServerErrors', 'Requests'].map((m, i) => ({ ...metric(m), Value: i ? 100 : 9, Timestamp: new Date(now.getTime() - MINUTE) })),
      }),
    );
    const incident = await open(h, 'HighAPIErrorRate', 'chatbot-api');
    const context = await gatherContext({ clients: h.clients, config: h.config, now }, incident, []);
    // moto evaluates no arithmetic (only an expression naming one query): the call succeeds with no points.
    assert.deepEqual(context.datapoints, {
      alarmName: name,
      metric: 'error rate',
      periodSeconds: 60,
      threshold: 0.05,
      comparison: 'GreaterThanThreshold',
      points: [],
    });
    assert.deepEqual(context.unavailable, []);
    assert.deepEqual(contextLines(context).slice(-2), ['Alarm datapoints (error rate, per 60 s; alarm when > 0.05):', '  no datapoints in this window']);
  });

  it('a composite alarm: no datapoints, its rule (moto cannot create one: DescribeAlarms is stubbed)', async () => {
    const h = await fresh();
    const incident = await open(h, 'ModelAccuracyDrop');
    const rule = 'ALARM("chatbot-HighAPIErrorRate-chatbot-api") AND ALARM("chatbot-HighAPILatency-chatbot-api")';
    const cloudwatch = {
      send: async (command: unknown) =>
        command instanceof DescribeAlarmsCommand ? { MetricAlarms: [], CompositeAlarms: [{ AlarmName: incident.alarmName, AlarmRule: rule }] } : {},
    } as unknown as CloudWatchClient;
    const context = await gatherContext({ clients: { ...h.clients, cloudwatch }, config: h.config, now: new Date() }, incident, []);
    assert.deepEqual(context.datapoints, { alarmName: incident.alarmName, metric: 'composite alarm', rule, points: [] });
    assert.deepEqual(contextLines(context).slice(-2), ['Alarm datapoints:', `  composite alarm, no datapoints of its own; rule: ${rule}`]);
  });
});

describe('context that cannot be read', () => {
  it('a refused connection, a cluster that does not exist and a source that hangs land in unavailable, within the timeout', async () => {
    const h = await fresh();
    const incident = await open(h, 'ModelAccuracyDrop');
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    const silentPort = await listen(silent);
    try {
      const ecs = new ECSClient({ ...h.moto.clientConfig, endpoint: `http://127.0.0.1:${closedPort}`, maxAttempts: 1 });
      const ssm = new SSMClient({ ...h.moto.clientConfig, endpoint: `http://127.0.0.1:${silentPort}` });
      const started = Date.now();
      const context = await gatherContext({ clients: { ...h.clients, ecs, ssm }, config: h.config, now: new Date() }, incident, [], { timeoutMs: 300 });
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      assert.deepEqual(context.unavailable, [
        'ECS deployments: ECONNREFUSED (cluster prod)',
        'SSM parameter history: timed out after 300 ms',
        `Alarm datapoints: alarm ${incident.alarmName} not found`,
      ]);
      assert.deepEqual([context.deployments, context.parameterChanges], [[], []]);
      const lines = contextLines(context);
      assert.ok(lines.includes('  Deployments: unknown (see below)') && lines.includes('  Parameter changes: unknown (see below)'), lines.join('\n'));
      assert.equal(lines.at(-1), `Context unavailable: ${context.unavailable.join('; ')}`);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }

    const nowhere = { ...h.config, services: h.config.services.map((s) => ({ ...s, ecs: { ...s.ecs, cluster: 'nowhere' } })) };
    const missing = await gatherContext({ clients: h.clients, config: nowhere, now: new Date() }, incident, []);
    assert.deepEqual(
      missing.unavailable.filter((u) => u.startsWith('ECS')),
      ['ECS deployments: ClusterNotFoundException (cluster nowhere)'],
    );
    assert.equal(missing.parameterChanges.length, 4, 'the other sources still answer (the sample world wrote 4 parameters just now)');
  });

  it('the page still goes out, says what is missing, and carries the context to PagerDuty and the timeline', async () => {
    const h = await fresh();
    const incident = await open(h, 'ModelAccuracyDrop');
    await firstPage(h, incident.incidentId);
    await h.inbox();
    const published: PublishCommandInput[] = [];
    const sns = { send: async (command: { input: PublishCommandInput }) => void published.push(command.input) } as unknown as SNSClient;
    const ecs = new ECSClient({ ...h.moto.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    // WHEN ECS cannot be reached
    await page({ ...h.deps, clients: { ...h.clients, ecs, sns } }, incident, ['on-call-secondary'], 'drill: ECS is unreachable');
    // THEN
    assert.equal(published.length, 1);
    const message = JSON.parse(published[0]!.Message!) as Record<string, string>;
    assert.match(message.email!, /Context unavailable: ECS deployments: ECONNREFUSED \(cluster prod\)/);
    assert.doesNotMatch(message.sms!, /Recent changes|unavailable/);
    const details = (JSON.parse(message.https!) as { payload: { custom_details: { why: string; context: IncidentContext } } }).payload.custom_details;
    assert.equal(details.why, 'drill: ECS is unreachable');
    assert.ok(details.context.unavailable.some((u) => u.startsWith('ECS deployments: ')));
    assert.equal(details.context.parameterChanges.length, 4);
    const event = (await h.deps.store.timeline(incident.incidentId)).filter((e) => e.type === 'page').at(-1)!;
    assert.equal(event.data!.why, 'drill: ECS is unreachable');
    assert.deepEqual(event.data!.context, details.context, 'the timeline holds the same context as the page');
  });
});

describe('every page carries its context', () => {
  it('the first page of an incident lists the recent changes, and its timeline event holds them', async () => {
    // GIVEN the sample world just deployed chatbot-api and wrote the flags
    const h = await fresh();
    // WHEN the alarm fires and the escalation pages its first step
    const incident = await open(h, 'ModelAccuracyDrop');
    const event = await firstPage(h, incident.incidentId);
    // THEN the page an on-call receives
    const text = (await h.inbox()).find((p) => p.role === 'on-call-primary')!.text;
    assert.match(
      text,
      /\nRecent changes \(last 30 min\):\n {2}Deployments:\n {4}- \d\d:\d\d UTC \(0 min ago\) chatbot-api \(prod\/chatbot-api\): chatbot-api:2 PRIMARY, IN_PROGRESS\n/,
    );
    assert.match(text, /\n {4}- \d\d:\d\d UTC \(0 min ago\) \/chatbot\/fallback-mode: set to false \(v1, by N\/A\)\n/);
    assert.match(text, /Context unavailable: Alarm datapoints: alarm chatbot-ModelAccuracyDrop not found\n/);
    assert.ok(text.indexOf('Automation so far:') < text.indexOf('Recent changes') && text.indexOf('Recent changes') < text.indexOf('Acknowledge:'), text);
    // and the timeline event the channel post is made from
    const data = event.data as { roles: string[]; why: string; context: IncidentContext };
    assert.equal(data.why, `${incident.policyId}: the incident opened`);
    assert.deepEqual(
      data.context.deployments.map((d) => `${d.cluster}/${d.ecsService} ${d.status}`),
      ['prod/chatbot-api PRIMARY'],
    );
    assert.deepEqual(data.context.parameterChanges.map((p) => p.name).sort(), [
      '/chatbot/automation-mode',
      '/chatbot/fallback-mode',
      '/chatbot/rate-limit',
      '/feature/ai-model',
    ]);
    assert.equal(data.context.windowMinutes, 30);
  });
});

describe('contextLines', () => {
  const at = (minutesAgo: number) => new Date(Date.parse('2026-11-27T03:00:00Z') - minutesAgo * MINUTE).toISOString();
  const context: IncidentContext = {
    gatheredAt: at(0),
    windowMinutes: 30,
    deployments: Array.from({ length: 12 }, (_, i) => ({
      service: `svc-${i}`,
      cluster: 'prod',
      ecsService: `svc-${i}`,
      taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/svc-${i}:7`,
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      createdAt: at(i),
    })),
    parameterChanges: [],
    actions: [
      {
        actionId: 'a1',
        mitigation: 'fallback-mode',
        target: 'ssm:/chatbot/fallback-mode',
        decision: 'acted',
        outcome: 'succeeded',
        at: at(2),
        revertCommand: 'npx oncall revert a1',
      },
    ],
    omitted: { deployments: 3 },
    unavailable: [],
  };

  it('at most 10 entries per list, with how many more; "none" for an empty list', () => {
    const lines = contextLines(context);
    assert.equal(lines[0], 'Recent changes (last 30 min):');
    assert.equal(lines[2], '    - 03:00 UTC (0 min ago) svc-0 (prod/svc-0): svc-0:7 PRIMARY, COMPLETED');
    assert.equal(lines.filter((l) => l.startsWith('    - ') && l.includes('svc-')).length, 10);
    assert.ok(lines.includes('    ... and 5 more'));
    assert.ok(lines.includes('  Parameter changes: none'));
    assert.ok(lines.includes('    - 02:58 UTC (2 min ago) fallback-mode on ssm:/chatbot/fallback-mode: acted, succeeded; revert: npx oncall revert a1'));
    assert.ok(!contextLines(context, { actions: false }).some((l) => l.includes('Automatic actions')));
  });

  it('the email shows the context, the SMS does not', () => {
    const incident = {
      incidentId: 'i-1',
      alarmName: 'chatbot-X',
      alertId: 'X',
      service: undefined,
      severity: 'P1',
      policyId: 'p1',
      summary: 's',
      runbookUrl: 'https://r',
      customerFacing: true,
      status: 'open',
      openedAt: at(5),
      triggers: [],
      openAlarms: [],
    } as Incident;
    const { text, sms } = pageText({
      incident,
      why: 'w',
      roles: ['on-call-primary'],
      actions: [],
      ackUrl: 'https://a',
      resolveUrl: 'https://r',
      smsAckUrl: 'https://a/s/x',
      context,
    });
    assert.match(text, /Recent changes \(last 30 min\):/);
    assert.doesNotMatch(text, /Automatic actions/, 'the page lists the actions once, under "Automation so far"');
    assert.doesNotMatch(sms, /Recent changes/);
  });
});
