import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { MitigationId } from '../../lib/core/catalog';
import type { AlarmChange } from '../../tools/drill/notifications';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { oncall } from '../support/cli';
import { useResponder, type ResponderHarness } from '../support/responder';

const { fresh } = useResponder();

const taskDefinition = async (h: ResponderHarness) =>
  (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!.taskDefinition!.split('/').pop();
const flag = async (h: ResponderHarness, name: string) => (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

async function actOn(h: ResponderHarness, change: AlarmChange, mitigation: MitigationId): Promise<string> {
  await h.deliver(change);
  return (await h.audit.listSince('1970')).find((a) => a.mitigation === mitigation)!.actionId;
}

describe('oncall revert', () => {
  it('reverts a rollback done by the real responder, then refuses a second time (exit 1)', async () => {
    // GIVEN the responder rolled chatbot-api back from :2 to :1
    const h = await fresh();
    const actionId = await actOn(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'ecs-rollback');
    assert.equal(await taskDefinition(h), 'chatbot-api:1');
    // WHEN
    const done = await oncall(h.moto, ['revert', actionId, '--reason', 'the rollback broke checkout']);
    const again = await oncall(h.moto, ['revert', actionId]);
    // THEN
    assert.equal(done.status, 0, done.stderr);
    assert.equal(
      done.stdout.split('\n')[0],
      `reverted ${actionId} (ecs-rollback on ecs:prod/chatbot-api, HighAPIErrorRate): taskDefinition: chatbot-api:1 -> chatbot-api:2`,
    );
    assert.match(done.stdout, new RegExp(`recorded as revert-${actionId} \\(mode enabled\\), announced to on-call`));
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
    const record = (await h.audit.get(`revert-${actionId}`))!;
    assert.match(record.reason, new RegExp(`^revert of ${actionId} by \\S+ \\(arn:aws:sts::123456789012:.+\\): the rollback broke checkout$`));
    assert.ok(record.announcedAt, 'announced on the on-call topic');
    assert.equal(again.status, 1);
    assert.match(again.stderr, new RegExp(`^not reverted: ${actionId} was already reverted by .+ at \\d{4}-`));
  });

  it('refuses with the reason when someone changed the flag since (exit 1)', async () => {
    const h = await fresh();
    const actionId = await actOn(h, { alertId: 'LLMDependencyDown' }, 'fallback-mode');
    await h.clients.ssm.send(new PutParameterCommand({ Name: '/chatbot/fallback-mode', Value: 'false', Type: 'String', Overwrite: true }));
    const refused = await oncall(h.moto, ['revert', actionId]);
    assert.equal(refused.status, 1);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      'not reverted: /chatbot/fallback-mode was written after the action: now false (version 3), the action left true (version 2); not reverting\n',
    );
    assert.equal(await flag(h, '/chatbot/fallback-mode'), 'false');
  });

  it('--json: the revert record, or the refusal', async () => {
    const h = await fresh();
    const actionId = await actOn(h, { alertId: 'ModelAccuracyDrop' }, 'ai-kill-switch');
    const done = await oncall(h.moto, ['revert', actionId, '--json']);
    const again = await oncall(h.moto, ['revert', actionId, '--json']);
    assert.equal(done.status, 0, done.stderr);
    const result = JSON.parse(done.stdout) as { status: string; actionId: string; revert: ActionRecord };
    assert.deepEqual(
      [result.status, result.actionId, result.revert.actionId, result.revert.outcome],
      ['reverted', actionId, `revert-${actionId}`, 'succeeded'],
    );
    assert.deepEqual([result.revert.before?.value, result.revert.after?.value], ['false', 'true']);
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
    assert.equal(again.status, 1);
    assert.deepEqual(Object.keys(JSON.parse(again.stdout) as object), ['status', 'actionId', 'reason']);
  });

  it('an unknown action id exits 3', async () => {
    const h = await fresh();
    const unknown = await oncall(h.moto, ['revert', 'feedfacefeedface']);
    assert.equal(unknown.status, 3);
    assert.equal(unknown.stderr, 'error: no action feedfacefeedface in us-east-1, us-west-2 (list them with: oncall actions)\n');
  });
});
