import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CodeDeployClient, GetDeploymentCommand, StopDeploymentCommand, type DeploymentStatus } from '@aws-sdk/client-codedeploy';
import { CreateServiceCommand, CreateTaskSetCommand, DescribeServicesCommand, type DeploymentControllerType } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { revert } from '../../lambdas/responder/revert';
import { revertDeps, useResponder, type ResponderHarness } from '../support/responder';

/**
 * ecs-rollback on services whose deployment controller is not ECS. The ECS side is moto's: moto 5.2.1 keeps a
 * service's deploymentController and its task sets with their externalId. The CodeDeploy side is aws-sdk-client-mock:
 * moto implements no StopDeployment, and its GetDeployment answers createTime as an ISO string where the API
 * reference says epoch seconds, which the SDK v3 refuses to parse ("Expected real number"). GetDeployment's answer
 * follows the API reference (DeploymentInfo). HighInferenceErrorRate is used: ecs-rollback without a decision tree
 * in front of it.
 */
const { fresh } = useResponder();

/**
 * Makes the sample world's service prod/chatbot-api one of `type`, running revision 1. (moto's CreateService replaces
 * a service of the same name, where ECS would refuse: in the emulated world it stands for a service created so.)
 */
async function serviceControlledBy(h: ResponderHarness, type: DeploymentControllerType): Promise<void> {
  await h.clients.ecs.send(
    new CreateServiceCommand({
      cluster: 'prod',
      serviceName: 'chatbot-api',
      desiredCount: 4,
      deploymentController: { type },
      // An EXTERNAL service has no task definition of its own: its task sets have.
      ...(type === 'EXTERNAL' ? {} : { taskDefinition: 'chatbot-api:1' }),
    }),
  );
}

/** The id of the CodeDeploy deployment in the tests, in CodeDeploy's format. */
const DEPLOYMENT = 'd-7Q2WB9XKC';

/**
 * A blue/green deployment of revision 2 through CodeDeploy, as ECS shows it: the original task set (revision 1, from
 * an earlier deployment) and the replacement one, whose externalId is the CodeDeploy deployment's id.
 */
async function blueGreenDeployment(h: ResponderHarness): Promise<string> {
  await h.clients.ecs.send(new CreateTaskSetCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:1', externalId: 'd-ORIGINAL1' }));
  await new Promise((resolve) => setTimeout(resolve, 5)); // the replacement task set is the newer one
  await h.clients.ecs.send(new CreateTaskSetCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:2', externalId: DEPLOYMENT }));
  return DEPLOYMENT;
}

/** A mocked CodeDeploy client whose deployment DEPLOYMENT is in `status` since `minutesAgo`, and whose StopDeployment is accepted. */
function codeDeploy(h: ResponderHarness, status: DeploymentStatus = 'InProgress', minutesAgo = 6) {
  const codedeploy = new CodeDeployClient({ ...h.moto.clientConfig, maxAttempts: 2 });
  const mock = mockClient(codedeploy);
  mock.on(GetDeploymentCommand, { deploymentId: DEPLOYMENT }).resolves({
    deploymentInfo: {
      deploymentId: DEPLOYMENT,
      applicationName: 'chatbot-api',
      deploymentGroupName: 'chatbot-api-blue-green',
      computePlatform: 'ECS',
      status,
      createTime: new Date(Date.now() - minutesAgo * 60_000),
    },
  });
  mock.on(StopDeploymentCommand).resolves({ status: 'Pending', statusMessage: 'Stopping deployment with rollback' });
  return { mock, clients: { ...h.clients, codedeploy } };
}

async function service(h: ResponderHarness) {
  return (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!;
}

/** A blue/green service in moto with a deployment of revision 2 in flight, CodeDeploy answering for it with `status`. */
async function blueGreenInFlight(status?: DeploymentStatus, minutesAgo?: number) {
  const h = await fresh();
  await serviceControlledBy(h, 'CODE_DEPLOY');
  const deploymentId = await blueGreenDeployment(h);
  return { h, deploymentId, ...codeDeploy(h, status, minutesAgo) };
}

async function rollbackRecord(h: ResponderHarness) {
  return (await h.audit.listSince('1970')).find((r) => r.mitigation === 'ecs-rollback')!;
}

describe('ecs-rollback on a blue/green service (deployment controller CODE_DEPLOY)', () => {
  it('a deployment in flight: stops it with automatic rollback, and leaves the task definition to CodeDeploy', async () => {
    // GIVEN a blue/green deployment of revision 2 in flight
    const { h, deploymentId, mock, clients } = await blueGreenInFlight();
    // WHEN inference errors fire
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN CodeDeploy is asked to stop that deployment and roll it back, and ECS's service is not updated by us
    assert.deepEqual(
      mock.commandCalls(StopDeploymentCommand).map((c) => c.args[0].input),
      [{ deploymentId, autoRollbackEnabled: true }],
    );
    const after = await service(h);
    assert.deepEqual([after.taskDefinition?.split('/').pop(), after.deploymentController?.type], ['chatbot-api:1', 'CODE_DEPLOY']);
    const record = await rollbackRecord(h);
    assert.deepEqual([record.decision, record.outcome], ['acted', 'succeeded']);
    assert.deepEqual(record.desired, { stopDeployment: deploymentId, autoRollbackEnabled: true });
    assert.equal(
      record.reason,
      `blue/green through CodeDeploy: deployment ${deploymentId} is InProgress, started 6 min ago; stop it with automatic rollback, so that CodeDeploy returns traffic to the original task set`,
    );
    assert.deepEqual([record.before?.deploymentController, record.before?.codeDeployDeployment], ['CODE_DEPLOY', deploymentId]);
  });

  it('HighAPIErrorRate: the decision tree sees the blue/green deployment (its newest task set) and the rollback stops it', async () => {
    // GIVEN a blue/green deployment in flight: ECS lists no rolling deployments for such a service, only task sets
    const { h, deploymentId, mock, clients } = await blueGreenInFlight();
    // WHEN the API error rate fires
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { clients });
    // THEN the deployment branch holds on the task set's start, and CodeDeploy is asked to stop and roll back
    const record = await rollbackRecord(h);
    const tree = record.evidence.decisionTree as Record<string, { holds: boolean; why: string }>;
    assert.equal(tree['ecs-rollback']?.holds, true, tree['ecs-rollback']?.why);
    assert.match(tree['ecs-rollback']!.why, /^newest deployment started 0 min ago/);
    assert.deepEqual([record.decision, record.outcome], ['acted', 'succeeded']);
    assert.deepEqual(
      mock.commandCalls(StopDeploymentCommand).map((c) => c.args[0].input),
      [{ deploymentId, autoRollbackEnabled: true }],
    );
  });

  it('the stop is not reverted: a stopped deployment cannot be resumed', async () => {
    // GIVEN the rollback stopped the deployment in flight
    const { h, deploymentId, mock, clients } = await blueGreenInFlight();
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // WHEN a person reverts it
    const result = await revert(
      { ...revertDeps(h), clients },
      { actionId: (await rollbackRecord(h)).actionId, actor: { kind: 'person', name: 'alice', via: 'cli' } },
    );
    // THEN it is refused with the reason, and CodeDeploy is called no further
    assert.equal(result.status, 'refused', JSON.stringify(result));
    assert.equal(
      (result as { reason: string }).reason,
      `the rollback stopped CodeDeploy deployment ${deploymentId}, and a stopped deployment cannot be resumed: redeploy that revision through CodeDeploy`,
    );
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 1);
  });

  it('no deployment in flight (the newest Succeeded): refused, nothing called', async () => {
    // GIVEN the newest blue/green deployment finished
    const { h, deploymentId, mock, clients } = await blueGreenInFlight('Succeeded');
    // WHEN
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 0);
    assert.equal((await service(h)).taskDefinition?.split('/').pop(), 'chatbot-api:1');
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.equal(
      record.reason,
      `blue/green through CodeDeploy with no deployment in flight (the newest, ${deploymentId}, is Succeeded): nothing to roll back here; roll back by deploying the previous revision in CodeDeploy`,
    );
  });

  it('a deployment in flight for longer than the rollback window: refused, nothing stopped', async () => {
    // GIVEN a blue/green deployment still baking 45 minutes after it started (the window is 30)
    const { h, deploymentId, mock, clients } = await blueGreenInFlight('Baking', 45);
    // WHEN inference errors fire
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN the runbook's "recent deployment (within 30 minutes)" does not hold: nothing stopped, the reason says why
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 0);
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.equal(record.reason, `CodeDeploy deployment ${deploymentId} (Baking) started 45 min ago, outside the 30-minute rollback window`);
  });

  it('no task set at all: refused, CodeDeploy not asked', async () => {
    const h = await fresh();
    await serviceControlledBy(h, 'CODE_DEPLOY');
    const { mock, clients } = codeDeploy(h);
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    assert.equal(mock.calls().length, 0);
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.equal(
      record.reason,
      'blue/green through CodeDeploy with no deployment in flight: nothing to roll back here; roll back by deploying the previous revision in CodeDeploy',
    );
  });

  it('the deployment cannot be read: fails closed, nothing stopped', async () => {
    const { h, deploymentId, mock, clients } = await blueGreenInFlight();
    mock.on(GetDeploymentCommand).rejects(Object.assign(new Error('not authorized to perform codedeploy:GetDeployment'), { name: 'AccessDeniedException' }));
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    assert.equal(mock.commandCalls(StopDeploymentCommand).length, 0);
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.equal(
      record.reason,
      `CodeDeploy deployment ${deploymentId} unreadable (AccessDeniedException: not authorized to perform codedeploy:GetDeployment); not stopping it blind`,
    );
  });
});

describe('ecs-rollback on a service deployed by an external controller (EXTERNAL)', () => {
  it('refused with the reason; the service is unchanged and CodeDeploy not asked', async () => {
    // GIVEN a service whose deployments an external tool makes (task sets)
    const h = await fresh();
    await serviceControlledBy(h, 'EXTERNAL');
    await h.clients.ecs.send(
      new CreateTaskSetCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:2', externalId: 'spinnaker-42' }),
    );
    const { mock, clients } = codeDeploy(h);
    // WHEN
    await h.deliver({ alertId: 'HighInferenceErrorRate' }, { clients });
    // THEN no task definition was set on the service, and the record says why
    const after = await service(h);
    assert.deepEqual([after.taskDefinition, after.deploymentController?.type], [undefined, 'EXTERNAL']);
    assert.equal(mock.calls().length, 0);
    const record = await rollbackRecord(h);
    assert.equal(record.decision, 'skipped');
    assert.equal(
      record.reason,
      'the service is deployed by an external controller (deploymentController EXTERNAL): ECS refuses UpdateService with a task definition for it; roll back through the tool that deploys it',
    );
  });
});
