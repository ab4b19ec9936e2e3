import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { AddTagsToResourceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { MitigationId } from '../../lib/core/catalog';
import type { Config } from '../../lib/core/config/schema';
import { findAlert } from '../../lib/core/catalog';
import { previewMitigations } from '../../lambdas/responder/preview';
import { revert, revertIdOf } from '../../lambdas/responder/revert';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { DRILL_ACCOUNT } from '../../tools/drill/local-responder';
import type { AlarmChange } from '../../tools/drill/notifications';
import { onCallInbox, revertDeps, useResponder, type ResponderHarness } from '../support/responder';
import { config, DEFAULT_INPUT } from '../support/config';

/**
 * automation.targetScope 'tags' at run time (lambdas/responder/target-tag.ts): the responder reads an ECS service's
 * or RDS instance's tag before touching it and refuses, by name and with the command that tags it, a target
 * without `targetTagKey` = the prefix. In 'resources' mode no tag is ever read.
 */
const { fresh } = useResponder();

const KEY = 'runbook-alerting:target';
const tagsMode = (): Config => config({ automation: { ...DEFAULT_INPUT.automation, targetScope: 'tags' } });
const SERVICE_ARN = (h: ResponderHarness) => `arn:aws:ecs:${h.config.region}:${DRILL_ACCOUNT}:service/prod/chatbot-api`;
const DB_ARN = (h: ResponderHarness) => `arn:aws:rds:${h.config.region}:${DRILL_ACCOUNT}:db:chatbot-db`;

const tagService = (h: ResponderHarness, value: string) =>
  h.clients.ecs.send(new TagResourceCommand({ resourceArn: SERVICE_ARN(h), tags: [{ key: KEY, value }] }));
const tagDatabase = (h: ResponderHarness, value: string) =>
  h.clients.rds.send(new AddTagsToResourceCommand({ ResourceName: DB_ARN(h), Tags: [{ Key: KEY, Value: value }] }));
async function service(h: ResponderHarness) {
  return (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!;
}
const dbClass = async (h: ResponderHarness) =>
  (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'chatbot-db' }))).DBInstances![0]!.DBInstanceClass!;

/** Counts the ListTagsForResource calls made through the harness's ECS and RDS clients (SDK middleware). */
function countTagReads(h: ResponderHarness): { readonly calls: string[] } {
  const calls: string[] = [];
  const counting =
    (name: string) =>
    <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    async (args: A): Promise<R> => {
      if (context.commandName === 'ListTagsForResourceCommand') calls.push(name);
      return next(args);
    };
  h.clients.ecs.middlewareStack.add(counting('ecs'), { step: 'initialize', name: 'countTagReads' });
  h.clients.rds.middlewareStack.add(counting('rds'), { step: 'initialize', name: 'countTagReads' });
  return { calls };
}

async function actionOf(h: ResponderHarness, change: AlarmChange, mitigation: MitigationId): Promise<ActionRecord> {
  await h.deliver(change);
  const action = (await h.audit.listSince('1970')).find((a) => a.mitigation === mitigation);
  assert.ok(action, `no ${mitigation} action recorded`);
  return action;
}

const SCALE_OUT: AlarmChange = { alertId: 'HighAPILatency', instance: 'chatbot-api' };
const DB_SCALE_UP: AlarmChange = { alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api' };

/** A skipped record without intent: no desired state, no outcome. */
function assertRefused(record: ActionRecord, ...mentions: string[]): void {
  assert.equal(record.decision, 'skipped', JSON.stringify(record));
  assert.equal(record.outcome, undefined);
  assert.equal(record.desired, undefined);
  for (const m of mentions) assert.ok(record.reason.includes(m), `reason lacks ${m}: ${record.reason}`);
}

describe('tags mode: the responder checks the target tag before acting', () => {
  it('an untagged ECS service is refused: desired count unchanged, the record names the service, the tag and how to add it', async () => {
    const h = await fresh({ config: tagsMode() });
    const reads = countTagReads(h);
    const inbox = await onCallInbox(h);
    const action = await actionOf(h, SCALE_OUT, 'ecs-scale-out');
    assertRefused(
      action,
      'ECS service prod/chatbot-api',
      `has no tag ${KEY}`,
      `aws ecs tag-resource --resource-arn ${SERVICE_ARN(h)} --tags 'key=${KEY},value=chatbot'`,
    );
    assert.equal((await service(h)).desiredCount, 4);
    assert.deepEqual(reads.calls, ['ecs']);
    // On-call hears it: a missing tag refuses every action on the target until someone tags it.
    const told = await inbox();
    assert.equal(told.length, 1, told.join('\n---\n'));
    assert.match(told[0]!, /automation REFUSED to ecs-scale-out on ecs:prod\/chatbot-api/);
    assert.ok(told[0]!.includes(`aws ecs tag-resource --resource-arn ${SERVICE_ARN(h)}`), told[0]);
  });

  it('a service tagged with the prefix is acted on', async () => {
    const h = await fresh({ config: tagsMode() });
    await tagService(h, 'chatbot');
    const action = await actionOf(h, SCALE_OUT, 'ecs-scale-out');
    assert.equal(action.decision, 'acted');
    assert.equal(action.outcome, 'succeeded');
    assert.equal((await service(h)).desiredCount, 6);
  });

  it("a service tagged with another environment's prefix is refused", async () => {
    const h = await fresh({ config: tagsMode() });
    await tagService(h, 'chatbot-staging');
    const action = await actionOf(h, SCALE_OUT, 'ecs-scale-out');
    assertRefused(action, `is tagged ${KEY}=chatbot-staging, not chatbot`, 'aws ecs tag-resource');
    assert.equal((await service(h)).desiredCount, 4);
  });

  it('the rollback under the decision tree: an untagged service is not read, its branch says why, the task definition stays', async () => {
    const h = await fresh({ config: tagsMode() });
    const before = (await service(h)).taskDefinition;
    const inbox = await onCallInbox(h);
    const action = await actionOf(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'ecs-rollback');
    assertRefused(action, 'decision tree: ECS service prod/chatbot-api has no tag', 'aws ecs tag-resource');
    assert.equal((action.evidence.decisionTree as Record<string, { facts: Record<string, unknown> }>)['ecs-rollback']!.facts.targetTagMissing, true);
    assert.equal((await service(h)).taskDefinition, before);
    // Whether the rollback was called for is unknown: on-call is told, and only about that mitigation.
    const told = await inbox();
    assert.equal(told.filter((m) => m.includes('REFUSED to ecs-rollback')).length, 1, told.join('\n---\n'));
  });

  it('an untagged RDS instance is refused with add-tags-to-resource; tagged, it is scaled up', async () => {
    const untagged = await fresh({ config: tagsMode() });
    assertRefused(
      await actionOf(untagged, DB_SCALE_UP, 'rds-scale-up'),
      'RDS instance chatbot-db',
      `has no tag ${KEY}`,
      `aws rds add-tags-to-resource --resource-name ${DB_ARN(untagged)} --tags 'Key=${KEY},Value=chatbot'`,
    );
    assert.equal(await dbClass(untagged), 'db.r6g.large');

    const tagged = await fresh({ config: tagsMode() });
    await tagDatabase(tagged, 'chatbot');
    const action = await actionOf(tagged, DB_SCALE_UP, 'rds-scale-up');
    assert.equal(action.outcome, 'succeeded');
    assert.equal(await dbClass(tagged), 'db.r6g.2xlarge');
  });

  it('SSM flags are never tag-checked: fallback mode is set with no tag read', async () => {
    const h = await fresh({ config: tagsMode() });
    const reads = countTagReads(h);
    const action = await actionOf(h, { alertId: 'LLMDependencyDown' }, 'fallback-mode');
    assert.equal(action.outcome, 'succeeded');
    assert.equal((await h.clients.ssm.send(new GetParameterCommand({ Name: '/chatbot/fallback-mode' }))).Parameter!.Value, 'true');
    assert.deepEqual(reads.calls, []);
  });

  it("a person's revert of a service whose tag was removed is refused and writes nothing; once tagged again, it reverts", async () => {
    const h = await fresh({ config: tagsMode() });
    await tagService(h, 'chatbot');
    const action = await actionOf(h, SCALE_OUT, 'ecs-scale-out');
    assert.equal((await service(h)).desiredCount, 6);
    await h.clients.ecs.send(new UntagResourceCommand({ resourceArn: SERVICE_ARN(h), tagKeys: [KEY] }));
    const deps = revertDeps(h);
    const request = { actionId: action.actionId, actor: { kind: 'person' as const, name: 'alice', via: 'cli' as const } };

    const refused = await revert(deps, request);
    assert.equal(refused.status, 'refused');
    assert.match((refused as { reason: string }).reason, /ECS service prod\/chatbot-api has no tag runbook-alerting:target.*aws ecs tag-resource/);
    assert.equal((await service(h)).desiredCount, 6);
    assert.equal(await h.audit.get(revertIdOf(action.actionId)), undefined, 'a refused revert writes no record, so it can be asked again');

    await tagService(h, 'chatbot');
    assert.equal((await revert(deps, request)).status, 'reverted');
    assert.equal((await service(h)).desiredCount, 4);
  });

  it("a game day's preview (oncall drill) says an untagged service would be refused, and a tagged one acted on", async () => {
    const h = await fresh({ config: tagsMode() });
    const preview = () =>
      previewMitigations(
        {
          config: h.config,
          clients: h.clients,
          service: h.config.services[0]!,
          notification: {
            alarmName: 'drill',
            alert: findAlert('HighAPILatency')!,
            instance: 'chatbot-api',
            newState: 'ALARM',
            oldState: 'OK',
            reason: 'drill',
            stateChangeTime: new Date().toISOString(),
            incidentId: 'drill',
            accountId: DRILL_ACCOUNT,
            region: h.config.region,
            evidence: {},
          },
          now: () => new Date(),
          logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
        },
        { accountId: DRILL_ACCOUNT, partition: 'aws', region: h.config.region },
      );
    const [untagged] = await preview();
    assert.equal(untagged?.wouldAct, false);
    assert.match(untagged!.reason, /ECS service prod\/chatbot-api has no tag runbook-alerting:target/);
    await tagService(h, 'chatbot');
    assert.equal((await preview())[0]?.wouldAct, true);
  });
});

describe('resources mode: IAM lists the targets, no tag is read', () => {
  it('an untagged service is acted on, and no ListTagsForResource call is made', async () => {
    const h = await fresh();
    assert.equal(h.config.automation.targetScope, 'resources');
    const reads = countTagReads(h);
    await actionOf(h, SCALE_OUT, 'ecs-scale-out');
    await actionOf(h, DB_SCALE_UP, 'rds-scale-up');
    assert.equal((await service(h)).desiredCount, 6);
    assert.equal(await dbClass(h), 'db.r6g.2xlarge');
    assert.deepEqual(reads.calls, []);
  });
});
