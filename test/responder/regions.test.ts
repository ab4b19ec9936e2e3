import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { localResponder } from '../../tools/drill/local-responder';
import { alarmNotification, snsEvent } from '../../tools/drill/notifications';
import { createSampleWorld } from '../../tools/drill/sample-world';
import { config, HOME_SERVICE } from '../support/config';
import { useResponder } from '../support/responder';

const { fresh } = useResponder();

/** The chatbot API in both serving regions of the default environment. */
const inBothRegions = config({ services: [{ ...HOME_SERVICE, regions: ['us-east-1', 'us-west-2'] }] });
const API = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' };

async function taskDefinition(clients: AwsClients): Promise<string> {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  return services![0]!.taskDefinition!.split('/').pop()!;
}

describe("a serving region's own responder (docs/regions.md)", () => {
  it('rolls back the service in its region on its alarm, and nothing in the home region', async () => {
    // GIVEN the same system deployed in us-east-1 (the harness's world) and us-west-2, each with a bad deploy
    const h = await fresh({ config: inBothRegions });
    const settings = { ...h.moto.clientConfig, region: 'us-west-2', maxAttempts: 2 };
    const west = createClients(settings);
    const westWorld = await createSampleWorld(west, settings, h.config, 'enabled');
    assert.deepEqual([await taskDefinition(h.clients), await taskDefinition(west)], ['chatbot-api:2', 'chatbot-api:2']);
    const respond = localResponder({ config: h.config, clients: west, world: westWorld, region: 'us-west-2' });
    // WHEN us-west-2's HighAPIErrorRate notifies us-west-2's responder
    const at = new Date();
    await respond(snsEvent(westWorld.severityTopicArns.P1!, JSON.stringify(alarmNotification(h.config, { ...API, region: 'us-west-2', at }))));
    // THEN us-west-2's service is rolled back, us-east-1's is not
    assert.deepEqual([await taskDefinition(h.clients), await taskDefinition(west)], ['chatbot-api:2', 'chatbot-api:1']);
    // and the action is recorded in us-west-2's audit log, under the transition's regional key, none at home
    const westAudit = openStores({ dynamo: west.dynamo, table: westWorld.auditTable, retentionDays: 30, now: () => new Date() }).audit;
    const rollback = (await westAudit.listSince('1970')).find((r) => r.mitigation === 'ecs-rollback')!;
    assert.deepEqual([rollback.decision, rollback.outcome], ['acted', 'succeeded'], rollback.reason);
    assert.equal(rollback.incidentId, `chatbot-HighAPIErrorRate-chatbot-api@us-west-2@${at.toISOString()}`);
    assert.deepEqual(await h.audit.listSince('1970'), []);
  });

  it("the home region's responder refuses another region's notification", async () => {
    const h = await fresh({ config: inBothRegions });
    await h.deliver({ ...API, region: 'us-west-2' });
    assert.equal(await taskDefinition(h.clients), 'chatbot-api:2');
    assert.deepEqual(h.metrics, [['NotificationsRejected', 'foreign region']]);
    assert.deepEqual(await h.audit.listSince('1970'), []);
  });
});
