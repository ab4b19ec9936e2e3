import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import type { AuditLog } from '../../lambdas/shared/storage/audit-log';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { configIn, regionalServices } from '../../lib/core/config/regions';
import { ActionsJson, AutomationStatusJson } from '../../lib/cli/json-shapes';
import { localResponder } from '../../tools/drill/local-responder';
import { alarmNotification, snsEvent } from '../../tools/drill/notifications';
import { createSampleWorld } from '../../tools/drill/sample-world';
import { oncall } from '../support/cli';
import { useResponder, type ResponderHarness } from '../support/responder';

const { fresh } = useResponder();
const API = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };

async function taskDefinition(clients: AwsClients): Promise<string> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  return services![0]!.taskDefinition!.split('/').pop()!;
}

/**
 * The default environment as deployed in both of its regions: the harness's us-east-1 world, and us-west-2's (its
 * service with its own database name), where us-west-2's responder rolled chatbot-api back on its own alarm.
 */
async function rolledBackInWest(): Promise<{ h: ResponderHarness; west: AwsClients; westAudit: AuditLog; actionId: string }> {
  const h = await fresh();
  const local = configIn(h.config, regionalServices(h.config)[0]!);
  const settings = { ...h.moto.clientConfig, region: 'us-west-2', maxAttempts: 2 };
  const west = createClients(settings);
  const world = await createSampleWorld(west, settings, local, 'enabled');
  const respond = localResponder({ config: local, clients: west, world, region: 'us-west-2' });
  await respond(snsEvent(world.severityTopicArns.P1!, JSON.stringify(alarmNotification(h.config, { ...API, region: 'us-west-2', at: new Date() }))));
  const westAudit = openStores({ dynamo: west.dynamo, table: world.auditTable, retentionDays: 30, now: () => new Date() }).audit;
  const rollback = (await westAudit.listSince('1970')).find((r) => r.mitigation === 'ecs-rollback')!;
  assert.deepEqual([rollback.decision, rollback.outcome, await taskDefinition(west)], ['acted', 'succeeded', 'chatbot-api:1'], rollback.reason);
  return { h, west, westAudit, actionId: rollback.actionId };
}

describe('oncall across the regions of the default environment (us-east-1 home, us-west-2)', () => {
  it("actions lists every region's responder's actions, by region; --region keeps one; a region without a responder is refused", async () => {
    // GIVEN a fallback-mode at home and a rollback in us-west-2
    const { h, actionId } = await rolledBackInWest();
    await h.deliver({ alertId: 'LLMDependencyDown' });
    // WHEN
    const all = await oncall(h.moto, ['actions', '--json']);
    const table = await oncall(h.moto, ['actions']);
    const west = await oncall(h.moto, ['actions', '--region', 'us-west-2', '--json']);
    const elsewhere = await oncall(h.moto, ['actions', '--region', 'eu-west-1']);
    // THEN
    assert.equal(all.status, 0, all.stderr);
    const records = ActionsJson.parse(JSON.parse(all.stdout));
    const acted = records.filter((r) => r.decision === 'acted').map((r) => [r.region, r.mitigation]);
    assert.deepEqual(acted.sort(), [
      ['us-east-1', 'fallback-mode'],
      ['us-west-2', 'ecs-rollback'],
    ]);
    assert.match(table.stdout, /^REGION +TIME +ALERT/);
    assert.match(table.stdout, new RegExp(`\\nus-west-2 +.+ecs-rollback +ecs:prod/chatbot-api .+${actionId}`));
    assert.deepEqual([...new Set(ActionsJson.parse(JSON.parse(west.stdout)).map((r) => r.region))], ['us-west-2']);
    assert.equal(elsewhere.status, 2);
    assert.match(elsewhere.stderr, /--region eu-west-1: no responder of environment default runs there; its responders' regions: us-east-1, us-west-2/);
  });

  it('revert finds the action in us-west-2 and reverts it there, announced there; the home service is untouched', async () => {
    // GIVEN
    const { h, west, westAudit, actionId } = await rolledBackInWest();
    // WHEN on-call reverts it without naming a region
    const done = await oncall(h.moto, ['revert', actionId, '--reason', 'the west rollback was not needed']);
    // THEN
    assert.equal(done.status, 0, done.stderr);
    assert.deepEqual([await taskDefinition(h.clients), await taskDefinition(west)], ['chatbot-api:2', 'chatbot-api:2']);
    const record = (await westAudit.get(`revert-${actionId}`))!;
    assert.deepEqual([record.decision, record.outcome], ['acted', 'succeeded']);
    assert.ok(record.announcedAt, "announced on us-west-2's on-call topic");
    assert.equal(await h.audit.get(`revert-${actionId}`), undefined);
    // and an action that is in no region is named with the regions searched
    const unknown = await oncall(h.moto, ['revert', 'feedfacefeedface', '--region', 'us-west-2']);
    assert.equal(unknown.status, 3);
    assert.equal(unknown.stderr, 'error: no action feedfacefeedface in us-west-2 (list them with: oncall actions)\n');
  });

  it('automation pause switches every region, --region one; status shows each region', async () => {
    // GIVEN
    const h = await fresh();
    const west = createClients({ ...h.moto.clientConfig, region: 'us-west-2' });
    const mode = async (clients: AwsClients) => (await clients.ssm.send(new GetParameterCommand({ Name: '/chatbot/automation-mode' }))).Parameter?.Value;
    // WHEN
    const paused = await oncall(h.moto, ['automation', 'pause', '--reason', 'rollback loop in both regions']);
    const resumedWest = await oncall(h.moto, ['automation', 'resume', '--region', 'us-west-2', '--reason', 'west is fine']);
    const status = await oncall(h.moto, ['automation', 'status', '--json']);
    // THEN
    assert.equal(paused.status, 0, paused.stderr);
    assert.match(paused.stdout, /automation is now disabled in us-east-1 .*\nautomation is now disabled in us-west-2 /);
    assert.equal(resumedWest.status, 0, resumedWest.stderr);
    assert.deepEqual([await mode(h.clients), await mode(west)], ['disabled', 'enabled']);
    const parsed = AutomationStatusJson.parse(JSON.parse(status.stdout));
    assert.equal(parsed.mode, 'disabled', 'the top-level fields are the home region');
    assert.deepEqual(
      parsed.regions.map((r) => [r.region, r.mode, r.changes[0]!.reason]),
      [
        ['us-east-1', 'disabled', 'rollback loop in both regions'],
        ['us-west-2', 'enabled', 'west is fine'],
      ],
    );
  });

  it('a region that cannot be read is left out and named, the others shown, exit 4', async () => {
    // GIVEN us-west-2's stack is gone (its audit table deleted), a fallback-mode at home
    const h = await fresh();
    await h.deliver({ alertId: 'LLMDependencyDown' });
    await createClients({ ...h.moto.clientConfig, region: 'us-west-2' }).dynamo.send(new DeleteTableCommand({ TableName: 'chatbot-alerting-audit' }));
    // WHEN
    const run = await oncall(h.moto, ['actions']);
    // THEN
    assert.equal(run.status, 4);
    assert.match(run.stdout, /\nus-east-1 +.+fallback-mode/);
    assert.match(run.stderr, /^us-west-2 left out: the audit table chatbot-alerting-audit does not exist here/);
  });
});
