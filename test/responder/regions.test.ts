import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import { localResponder } from '../../tools/drill/local-responder';
import { alarmNotification, snsEvent } from '../../tools/drill/notifications';
import { createSampleWorld } from '../../tools/drill/sample-world';
import { config, HOME_SERVICE } from '../support/config';
import { recordingLogger, useResponder } from '../support/responder';
import { homeSilences } from '../../lambdas/responder/home-silences';
import type { SilenceReader } from '../../lambdas/shared/storage/silences';

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

  it("obeys the home region's silences, and acts without them when the home region cannot answer", async () => {
    // GIVEN us-west-2's world, and a silence on HighAPIErrorRate kept where `oncall silence` writes it: at home
    const h = await fresh({ config: inBothRegions });
    const settings = { ...h.moto.clientConfig, region: 'us-west-2', maxAttempts: 2 };
    const west = createClients(settings);
    const westWorld = await createSampleWorld(west, settings, h.config, 'enabled');
    const now = new Date();
    const stores = (clients: AwsClients) => openStores({ dynamo: clients.dynamo, table: h.world.auditTable, retentionDays: 30, now: () => new Date() });
    await stores(h.clients).silences.create({
      match: { alertId: 'HighAPIErrorRate' },
      until: new Date(now.getTime() + 3_600_000).toISOString(),
      createdAt: now.toISOString(),
      createdBy: 'on-call',
      reason: 'west deploy under watch',
    });
    const logger = recordingLogger();
    const respondWith = (silences: SilenceReader) =>
      localResponder({ config: h.config, clients: west, world: westWorld, region: 'us-west-2', silences: homeSilences(silences, 'us-east-1', logger) });
    const alarm = (at: Date) => snsEvent(westWorld.severityTopicArns.P1!, JSON.stringify(alarmNotification(h.config, { ...API, region: 'us-west-2', at })));
    // WHEN us-west-2's alarm reaches us-west-2's responder
    await respondWith(stores(h.clients).silences)(alarm(now));
    // THEN it holds off, as the home responder would
    assert.equal(await taskDefinition(west), 'chatbot-api:2');
    const westAudit = stores(west).audit;
    const held = (await westAudit.listSince('1970')).find((r) => r.mitigation === 'ecs-rollback')!;
    assert.match(held.reason, /silence/);
    // WHEN the home region does not answer (nothing listens on the endpoint) and the alarm fires again
    const down = createClients({ ...h.moto.clientConfig, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await respondWith(stores(down).silences)(alarm(new Date(now.getTime() + 60_000)));
    // THEN it acts on the config's windows only, and says so
    assert.equal(await taskDefinition(west), 'chatbot-api:1');
    assert.ok(
      logger.lines.some((l) => l.level === 'warn' && /silences unreadable in the home region/.test(l.message)),
      JSON.stringify(logger.lines),
    );
  });

  it("the home region's responder refuses another region's notification", async () => {
    const h = await fresh({ config: inBothRegions });
    await h.deliver({ ...API, region: 'us-west-2' });
    assert.equal(await taskDefinition(h.clients), 'chatbot-api:2');
    assert.deepEqual(h.metrics, [['NotificationsRejected', 'foreign region']]);
    assert.deepEqual(await h.audit.listSince('1970'), []);
  });
});
