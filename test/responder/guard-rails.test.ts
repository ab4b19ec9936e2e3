import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { config } from '../support/config';
import { onCallInbox, useResponder, type ResponderHarness } from '../support/responder';
import { isolateMotoConditionalWrites } from '../../tools/drill/moto';

const { fresh } = useResponder();
const MINUTE = 60_000;

const taskDefinition = async (h: ResponderHarness) =>
  (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!.taskDefinition!.split('/').pop();
const flag = async (h: ResponderHarness, name: string) => (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

describe('guard rails', () => {
  it('only a transition into ALARM acts: OK and INSUFFICIENT_DATA do nothing', async () => {
    const h = await fresh();
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', newState: 'OK', oldState: 'ALARM' });
    await h.deliver({ alertId: 'ModelAccuracyDrop', newState: 'INSUFFICIENT_DATA', oldState: 'OK' });
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
    assert.deepEqual(await h.audit.listSince('1970'), []);
  });

  it('dry-run changes nothing, records what it would have done, and tells on-call', async () => {
    // GIVEN
    const h = await fresh({ mode: 'dry-run' });
    const inbox = await onCallInbox(h);
    // WHEN
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    // THEN
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
    const record = (await h.audit.listSince('1970')).find((a) => a.mitigation === 'ecs-rollback')!;
    assert.equal(record.decision, 'dry-run');
    assert.equal(record.mode, 'dry-run');
    assert.deepEqual(record.desired, { taskDefinition: 'chatbot-api:1' });
    assert.equal(record.after, undefined);
    const [message] = await inbox();
    assert.match(message!, /DRY-RUN, would ecs-rollback on ecs:prod\/chatbot-api/);
    assert.match(message!, /Nothing was changed/);
  });

  it('disabled does nothing and records why', async () => {
    const h = await fresh({ mode: 'disabled' });
    await h.deliver({ alertId: 'DataLeakDetected' });
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
    const [record] = await h.audit.listSince('1970');
    assert.equal(record!.decision, 'skipped');
    assert.equal(record!.reason, 'automation is disabled');
  });

  it('the switch is read on every invocation', async () => {
    // GIVEN automation enabled, then paused by on-call between two alarms
    const h = await fresh({ mode: 'enabled' });
    await h.deliver({ alertId: 'LLMDependencyDown' });
    assert.equal(await flag(h, '/chatbot/fallback-mode'), 'true');
    await h.clients.ssm.send(new PutParameterCommand({ Name: h.world.automationModeParameter, Value: 'disabled', Overwrite: true, Type: 'String' }));
    // WHEN the next alarm fires
    await h.deliver({ alertId: 'ModelAccuracyDrop' });
    // THEN it is not acted on
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
  });

  it('an unknown switch value fails closed', async () => {
    const h = await fresh();
    await h.clients.ssm.send(new PutParameterCommand({ Name: h.world.automationModeParameter, Value: 'yes please', Overwrite: true, Type: 'String' }));
    await h.deliver({ alertId: 'DataLeakDetected' });
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
    assert.match((await h.audit.listSince('1970'))[0]!.reason, /automation is disabled \(automation switch \/chatbot\/automation-mode holds "yes please"/);
  });

  it('the same notification delivered 10 times, concurrently, acts once', async () => {
    // GIVEN one alarm transition
    const h = await fresh();
    // moto checks a write's condition without a lock, so two concurrent claims of one action can both succeed
    // (tools/drill/moto.ts): each conditional write alone, as DynamoDB makes it; the pipeline's races across calls stay.
    isolateMotoConditionalWrites(h.clients);
    const inbox = await onCallInbox(h);
    const at = new Date();
    // WHEN SNS delivers it ten times at once
    await Promise.all(Array.from({ length: 10 }, () => h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at })));
    // THEN one rollback, one record per mitigation, one announcement
    assert.equal(await taskDefinition(h), 'chatbot-api:1');
    const records = await h.audit.listSince('1970');
    assert.equal(records.length, 4);
    assert.equal(records.filter((r) => r.decision === 'acted').length, 1, JSON.stringify(records.map((r) => [r.mitigation, r.decision, r.outcome, r.reason])));
    assert.equal(h.metrics.filter(([name]) => name === 'ActionsTaken').length, 1);
    assert.equal((await inbox()).length, 1);
  });

  it('a second incident inside the cooldown is skipped with the reason', async () => {
    // GIVEN the rate limit (not protective) was set by a first incident, then reset by a human
    const h = await fresh();
    const first = new Date();
    await h.deliver({ alertId: 'AuthFailureBurst', at: first }, { now: first });
    assert.equal(await flag(h, '/chatbot/rate-limit'), '100');
    await h.clients.ssm.send(new PutParameterCommand({ Name: '/chatbot/rate-limit', Value: '0', Overwrite: true, Type: 'String' }));
    // WHEN the alarm fires again 10 minutes later (new incident)
    const second = new Date(first.getTime() + 10 * MINUTE);
    await h.deliver({ alertId: 'AuthFailureBurst', at: second }, { now: second });
    // THEN nothing is done and the record says until when
    assert.equal(await flag(h, '/chatbot/rate-limit'), '0');
    const latest = (await h.audit.listSince('1970'))[0]!;
    assert.equal(latest.decision, 'skipped');
    assert.match(latest.reason, /cooldown: rate-limit acted on ssm:\/chatbot\/rate-limit recently; next action allowed after [^;]+$/);
    // AND after the cooldown it acts again
    const third = new Date(first.getTime() + 31 * MINUTE);
    await h.deliver({ alertId: 'AuthFailureBurst', at: third }, { now: third });
    assert.equal(await flag(h, '/chatbot/rate-limit'), '100');
  });

  it('stops at the maximum number of actions per window', async () => {
    // GIVEN at most two actions per hour, no cooldown
    const h = await fresh({ config: config({ automation: { maxActionsPerWindow: 2, cooldownMinutes: 0 } }) });
    const at = (i: number) => new Date(Date.now() + i * 1000);
    // WHEN three different (not protective) mitigations are triggered
    await h.deliver({ alertId: 'HighAPILatency', instance: 'chatbot-api', at: at(1) }, { now: at(1) });
    await h.deliver({ alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api', at: at(2) }, { now: at(2) });
    await h.deliver({ alertId: 'AuthFailureBurst', at: at(3) }, { now: at(3) });
    // THEN the third is refused, with the reason
    const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
    assert.equal(services![0]!.desiredCount, 6);
    const records = await h.audit.listSince('1970');
    assert.equal(records.find((r) => r.mitigation === 'rds-scale-up')!.outcome, 'succeeded');
    assert.equal(await flag(h, '/chatbot/rate-limit'), '0');
    const refused = records.find((r) => r.mitigation === 'rate-limit')!;
    assert.match(refused.reason, /action window full: at most 2 automatic actions per 60 minutes/);
  });

  it('announces every action with its evidence and the command that reverts it', async () => {
    const h = await fresh();
    const inbox = await onCallInbox(h);
    await h.deliver({ alertId: 'ModelAccuracyDrop' });
    const [message] = await inbox();
    const record = (await h.audit.listSince('1970'))[0]!;
    assert.match(message!, /\[P1\] automation did ai-kill-switch on ssm:\/feature\/ai-model \(ModelAccuracyDrop\)/);
    assert.match(message!, /Before: +\{"parameter":"\/feature\/ai-model","value":"true"/);
    assert.match(message!, /Evidence: +\{"alarmReason":/);
    assert.ok(message!.includes(`Revert:     npx oncall revert ${record.actionId}`));
  });
});

describe('protective mitigations (they only turn a feature off)', () => {
  const version = async (h: ResponderHarness, name: string) => (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Version!;

  it('the action window never refuses the AI kill switch, and it takes no slot', async () => {
    // GIVEN one action per window, used up by a rate limit
    const h = await fresh({ config: config({ automation: { maxActionsPerWindow: 1, cooldownMinutes: 0 } }) });
    const at = (i: number) => new Date(Date.now() + i * 1000);
    await h.deliver({ alertId: 'AuthFailureBurst', at: at(1) }, { now: at(1) });
    assert.equal(await flag(h, '/chatbot/rate-limit'), '100');
    // WHEN a data leak is detected, then latency calls for a (risky) scale-out
    await h.deliver({ alertId: 'DataLeakDetected', at: at(2) }, { now: at(2) });
    await h.deliver({ alertId: 'HighAPILatency', instance: 'chatbot-api', at: at(3) }, { now: at(3) });
    // THEN the AI is off, and the scale-out is refused by the full window
    assert.equal(await flag(h, '/feature/ai-model'), 'false');
    const records = await h.audit.listSince('1970');
    const kill = records.find((r) => r.mitigation === 'ai-kill-switch')!;
    assert.deepEqual([kill.decision, kill.outcome, kill.after?.value], ['acted', 'succeeded', 'false']);
    const scale = records.find((r) => r.mitigation === 'ecs-scale-out')!;
    assert.match(scale.reason, /action window full: at most 1 automatic actions per 60 minutes/);
    const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
    assert.equal(services![0]!.desiredCount, 4);
  });

  it("a human turning the AI back on lifts the kill switch's cooldown: the next leak turns it off again", async () => {
    // GIVEN the kill switch acted, then someone turned the AI back on 5 minutes later
    const h = await fresh();
    const inbox = await onCallInbox(h);
    const first = new Date();
    await h.deliver({ alertId: 'DataLeakDetected', at: first }, { now: first });
    const left = await version(h, '/feature/ai-model');
    assert.equal(await flag(h, '/feature/ai-model'), 'false');
    await h.clients.ssm.send(new PutParameterCommand({ Name: '/feature/ai-model', Value: 'true', Overwrite: true, Type: 'String' }));
    // WHEN a second leak is detected 10 minutes after the first action (inside the 30-minute cooldown)
    const second = new Date(first.getTime() + 10 * MINUTE);
    await h.deliver({ alertId: 'DataLeakDetected', at: second }, { now: second });
    // THEN the AI is off again: a new version of the parameter, written by the second action
    assert.equal(await flag(h, '/feature/ai-model'), 'false');
    assert.equal(await version(h, '/feature/ai-model'), left + 2);
    const [latest, earlier] = await h.audit.listSince('1970');
    assert.deepEqual([latest!.decision, latest!.outcome, latest!.before?.value, latest!.after?.value], ['acted', 'succeeded', 'true', 'false']);
    // AND the record says whose cooldown was lifted and what changed
    assert.deepEqual(latest!.evidence.cooldownLifted, {
      action: earlier!.actionId,
      changed: ['value', 'version'],
      left: { parameter: '/feature/ai-model', value: 'false', version: left },
      now: { parameter: '/feature/ai-model', value: 'true', version: left + 1 },
    });
    assert.equal((await inbox()).filter((m) => /automation did ai-kill-switch/.test(m)).length, 2);
  });

  it('a refused protective action is announced with its reason; a refused risky one and a needless one are not', async () => {
    // GIVEN automation disabled
    const h = await fresh({ mode: 'disabled' });
    const inbox = await onCallInbox(h);
    // WHEN a data leak is detected, and an auth-failure burst calls for a rate limit
    await h.deliver({ alertId: 'DataLeakDetected' });
    await h.deliver({ alertId: 'AuthFailureBurst' });
    // THEN nothing changed, and on-call is told the kill switch was refused, and why
    assert.equal(await flag(h, '/feature/ai-model'), 'true');
    assert.equal(await flag(h, '/chatbot/rate-limit'), '0');
    const messages = await inbox();
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /\[P1\] automation REFUSED to ai-kill-switch on ssm:\/feature\/ai-model \(DataLeakDetected\)/);
    assert.match(messages[0]!, /Why: +automation is disabled/);
    assert.match(messages[0]!, /Nothing was changed: if the action is still needed, take it by hand/);
    const kill = (await h.audit.listSince('1970')).find((r) => r.mitigation === 'ai-kill-switch')!;
    assert.equal(typeof kill.announcedAt, 'string');
    // AND a kill switch that is already off is a needless action, not a refusal: logged, not announced
    await h.clients.ssm.send(new PutParameterCommand({ Name: h.world.automationModeParameter, Value: 'enabled', Overwrite: true, Type: 'String' }));
    await h.clients.ssm.send(new PutParameterCommand({ Name: '/feature/ai-model', Value: 'false', Overwrite: true, Type: 'String' }));
    await h.deliver({ alertId: 'ModelAccuracyDrop' });
    assert.match((await h.audit.listSince('1970')).find((r) => r.alertId === 'ModelAccuracyDrop')!.reason, /already false/);
    assert.deepEqual(await inbox(), []);
  });
});
