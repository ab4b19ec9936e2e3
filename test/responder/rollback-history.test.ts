import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type ServiceDeploymentStatus,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { withDeploymentHistory } from '../../tools/drill/deployment-history';
import { DRILL_ACCOUNT } from '../../tools/drill/local-responder';
import { useResponder, type ResponderHarness } from '../support/responder';
import { config } from '../support/config';

/**
 * ecs-rollback returns to what ECS says ran before the newest deployment. moto 5.2 has no service-deployment history
 * and shows no rollout in flight, so those answers come from aws-sdk-client-mock (shapes from the ECS API reference:
 * ServiceDeployment, ServiceRevision, Rollback, Deployment) while the service, its task definitions and the
 * rollback itself are moto's. HighInferenceErrorRate is used: ecs-rollback without a decision tree in front of it.
 */
const { fresh } = useResponder();
const MIN = 60_000;
const ARN = `arn:aws:ecs:us-east-1:${DRILL_ACCOUNT}`;
const revisionArn = (n: number) => `${ARN}:service-revision/prod/chatbot-api/10000${n}`;
const taskDefinitionArn = (n: number) => `${ARN}:task-definition/chatbot-api:${n}`;
const DEPLOYMENT = `${ARN}:service-deployment/prod/chatbot-api/r9i43YFjvgF_xlg7m2eJ1`;

async function running(h: ResponderHarness): Promise<string> {
  const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  return services![0]!.taskDefinition!.split('/').pop()!;
}

/** Registers revision 3 (revisions 1 and 2 come with the sample world) and, if asked, makes the service run it. */
async function revision3(h: ResponderHarness, deploy: boolean): Promise<void> {
  await h.clients.ecs.send(
    new RegisterTaskDefinitionCommand({ family: 'chatbot-api', containerDefinitions: [{ name: 'api', image: 'chatbot-api:v3', memory: 1024 }] }),
  );
  if (deploy) await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:3' }));
}

/** An ECS client on moto whose history calls (and, if given, DescribeServices' deployments list) are mocked. */
function ecsWithMockedHistory(h: ResponderHarness, deployments?: Deployment[]) {
  const ecs = new ECSClient({ ...h.moto.clientConfig, maxAttempts: 2 });
  const real = ecs.send.bind(ecs) as (command: unknown) => Promise<unknown>;
  const mock = mockClient(ecs);
  // moto for everything it implements (ListTaskDefinitions too: the old way of finding "previous" read it).
  mock.on(UpdateServiceCommand).callsFake((input) => real(new UpdateServiceCommand(input)));
  mock.on(ListTaskDefinitionsCommand).callsFake((input) => real(new ListTaskDefinitionsCommand(input)));
  mock.on(DescribeServicesCommand).callsFake(async (input) => {
    const out = (await real(new DescribeServicesCommand(input))) as { services: { deployments?: Deployment[] }[] };
    if (deployments) out.services[0]!.deployments = deployments;
    return out;
  });
  return { mock, clients: { ...h.clients, ecs } };
}

/** The newest service deployment as ECS's history API reports it: `source` revisions replaced by `target`. */
function history(
  mock: ReturnType<typeof ecsWithMockedHistory>['mock'],
  d: { status: ServiceDeploymentStatus; source: number[]; target: number; minutesAgo: number; rollbackReason?: string },
) {
  const createdAt = new Date(Date.now() - d.minutesAgo * MIN);
  mock.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      { serviceDeploymentArn: DEPLOYMENT, createdAt, startedAt: createdAt, status: d.status, targetServiceRevisionArn: revisionArn(d.target) },
    ],
  });
  mock.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: DEPLOYMENT,
        createdAt,
        startedAt: createdAt,
        status: d.status,
        sourceServiceRevisions: d.source.map((n) => ({ arn: revisionArn(n), runningTaskCount: 4 })),
        targetServiceRevision: { arn: revisionArn(d.target), runningTaskCount: 0 },
        ...(d.rollbackReason
          ? { rollback: { reason: d.rollbackReason, startedAt: new Date(createdAt.getTime() + 4 * MIN), serviceRevisionArn: revisionArn(d.source[0]!) } }
          : {}),
      },
    ],
  });
  mock.on(DescribeServiceRevisionsCommand).callsFake(({ serviceRevisionArns }: { serviceRevisionArns: string[] }) => ({
    serviceRevisions: serviceRevisionArns.map((arn) => ({ serviceRevisionArn: arn, taskDefinition: taskDefinitionArn(Number(arn.slice(-1))) })),
  }));
}

async function rollbackRecord(h: ResponderHarness) {
  return (await h.audit.listSince('1970')).find((r) => r.mitigation === 'ecs-rollback')!;
}

describe('ecs-rollback returns to what ran before the newest deployment', () => {
  it("after ECS's circuit breaker rolled a deployment back, it does not roll back once more", async () => {
    // GIVEN revision 3 failed to deploy 8 minutes ago and the circuit breaker put revision 2 back
    const h = await fresh();
    await revision3(h, false);
    const { mock, clients } = ecsWithMockedHistory(h);
    // (the reason's wording is illustrative; the API reference's example is "the circuit breaker initiated the rollback operation")
    history(mock, {
      status: 'ROLLBACK_SUCCESSFUL',
      source: [2],
      target: 3,
      minutesAgo: 8,
      rollbackReason: 'Service deployment rolled back because the circuit breaker threshold was exceeded.',
    });
    // WHEN inference errors fire
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN the service still runs revision 2 (not revision 1, weeks old) and the record says why
    assert.equal(await running(h), 'chatbot-api:2');
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.match(
      record.reason,
      /^the newest deployment was rolled back by ECS \(ROLLBACK_SUCCESSFUL: Service deployment rolled back because the circuit breaker threshold was exceeded\.\); not rolling back a rollback$/,
    );
    assert.equal(record.before?.refusal, record.reason);
  });

  it('a revision registered but never deployed is not "previous": the service goes back to what ran', async () => {
    // GIVEN revision 2 was only ever tried in staging; revision 3 was deployed over revision 1 four minutes ago
    const h = await fresh();
    await revision3(h, true);
    const { mock, clients } = ecsWithMockedHistory(h);
    history(mock, { status: 'SUCCESSFUL', source: [1], target: 3, minutesAgo: 4 });
    // WHEN
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN moto's service runs revision 1
    assert.equal(await running(h), 'chatbot-api:1');
    const record = await rollbackRecord(h);
    assert.deepEqual(
      [record.decision, record.outcome, record.before?.previousTaskDefinition, record.after?.taskDefinition],
      ['acted', 'succeeded', 'chatbot-api:1', 'chatbot-api:1'],
    );
    assert.match(record.reason, /roll back to chatbot-api:1, which ran before it \(history\)/);
    assert.deepEqual(mock.commandCalls(DescribeServiceRevisionsCommand)[0]!.args[0].input.serviceRevisionArns, [revisionArn(3), revisionArn(1)]);
  });

  it('a rollout in flight: returns to the deployment ECS is replacing, from the deployments list, without the history', async () => {
    // GIVEN revision 3 is rolling out (PRIMARY) over revision 1 (ACTIVE); revision 2 was never deployed
    const h = await fresh();
    await revision3(h, true);
    const now = Date.now();
    const { mock, clients } = ecsWithMockedHistory(h, [
      { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: taskDefinitionArn(3), createdAt: new Date(now - 3 * MIN), rolloutState: 'IN_PROGRESS' },
      { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: taskDefinitionArn(1), createdAt: new Date(now - 2 * 86_400_000), rolloutState: 'COMPLETED' },
    ]);
    // WHEN
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN
    assert.equal(await running(h), 'chatbot-api:1');
    assert.match(
      (await rollbackRecord(h)).reason,
      /deployment of chatbot-api:3 started 3 min ago; roll back to chatbot-api:1, which ran before it \(deployments\)/,
    );
    assert.equal(mock.commandCalls(ListServiceDeploymentsCommand).length, 0);
  });

  it('a circuit-breaker rollback in flight is not rolled back', async () => {
    // GIVEN revision 3 FAILED (ACTIVE) and ECS is putting revision 2 back (PRIMARY)
    const h = await fresh();
    await revision3(h, false);
    const now = Date.now();
    const { clients } = ecsWithMockedHistory(h, [
      { id: 'ecs-svc/3', status: 'PRIMARY', taskDefinition: taskDefinitionArn(2), createdAt: new Date(now - MIN), rolloutState: 'IN_PROGRESS' },
      {
        id: 'ecs-svc/2',
        status: 'ACTIVE',
        taskDefinition: taskDefinitionArn(3),
        createdAt: new Date(now - 9 * MIN),
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
      },
    ]);
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    assert.equal(await running(h), 'chatbot-api:2');
    assert.equal(
      (await rollbackRecord(h)).reason,
      'ECS is rolling back: deployment ecs-svc/2 of chatbot-api:3 FAILED (ECS deployment circuit breaker: tasks failed to start.); not rolling back a rollback',
    );
  });

  const UNAVAILABLE: readonly { name: string; arrange: (mock: ReturnType<typeof ecsWithMockedHistory>['mock']) => void; reason: RegExp }[] = [
    {
      name: 'ListServiceDeployments denied',
      arrange: (mock) =>
        mock
          .on(ListServiceDeploymentsCommand)
          .rejects(Object.assign(new Error('not authorized to perform ecs:ListServiceDeployments'), { name: 'AccessDeniedException' })),
      reason: /^deployment history unavailable \(AccessDeniedException: not authorized to perform ecs:ListServiceDeployments\); not rolling back blind$/,
    },
    {
      // DescribeServiceRevisions cannot describe a revision created before October 25, 2024 (API reference).
      name: 'a revision too old to describe',
      arrange: (mock) => {
        history(mock, { status: 'SUCCESSFUL', source: [1], target: 2, minutesAgo: 4 });
        mock.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [], failures: [{ arn: revisionArn(1), reason: 'MISSING' }] });
      },
      reason:
        /^deployment history unavailable \(Error: DescribeServiceRevisions: MISSING for .*service-revision\/prod\/chatbot-api\/100001\); not rolling back blind$/,
    },
  ];
  for (const { name, arrange, reason } of UNAVAILABLE) {
    it(`history unavailable (${name}): fails closed, nothing changes, the reason is recorded`, async () => {
      const h = await fresh();
      const { mock, clients } = ecsWithMockedHistory(h);
      arrange(mock);
      await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
      assert.equal(await running(h), 'chatbot-api:2');
      const record = await rollbackRecord(h);
      assert.equal(record.decision, 'skipped');
      assert.match(record.reason, reason);
    });
  }
});

describe("ecs-rollback never rolls back a rollback made by a human or by this stack (the drill's history stand-in)", () => {
  it('a human who went back from revision 3 to 2: not rolled back to 1', async () => {
    // GIVEN revision 3 deployed, then a human went back to revision 2, both through ECS (recorded in its history)
    const h = await fresh();
    const ecs = withDeploymentHistory(h.clients.ecs, h.world, { region: 'us-east-1', account: DRILL_ACCOUNT });
    await revision3(h, true);
    await ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:2' }));
    // WHEN
    await h.deliver({ alertId: 'HighInferenceErrorRate' });
    // THEN
    assert.equal(await running(h), 'chatbot-api:2');
    assert.match(
      (await rollbackRecord(h)).reason,
      /^the newest deployment went back from chatbot-api:3 to chatbot-api:2: itself a rollback \(revision 2 after 3: by a human, a pipeline or this stack\)/,
    );
  });

  it("this stack's own rollback is not rolled back by the next incident, even without a cooldown", async () => {
    // GIVEN the service runs revision 3, deployed over 2 just now; no cooldown
    const h = await fresh({ config: config({ automation: { cooldownMinutes: 0 } }) });
    await revision3(h, true);
    const first = new Date();
    await h.deliver({ alertId: 'HighInferenceErrorRate', at: first }, { now: first });
    assert.equal(await running(h), 'chatbot-api:2');
    // WHEN inference errors fire again, a minute later
    const second = new Date(first.getTime() + MIN);
    await h.deliver({ alertId: 'HighInferenceErrorRate', at: second }, { now: second });
    // THEN revision 2 stays
    assert.equal(await running(h), 'chatbot-api:2');
    const [latest] = (await h.audit.listSince('1970')).filter((r) => r.mitigation === 'ecs-rollback');
    assert.equal(latest!.decision, 'skipped');
    assert.match(latest!.reason, /^the newest deployment went back from chatbot-api:3 to chatbot-api:2: itself a rollback/);
  });
});
