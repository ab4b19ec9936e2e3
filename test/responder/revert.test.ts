import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { MitigationId } from '../../lib/core/catalog';
import type { AlarmChange } from '../../tools/drill/notifications';
import { MITIGATIONS } from '../../lambdas/responder/mitigations';
import type { MitigationScope, State } from '../../lambdas/responder/mitigations/mitigation';
import { revert, revertIdOf, type RevertResult } from '../../lambdas/responder/revert';
import type { ActionRecord } from '../../lambdas/shared/storage/audit-log';
import { onCallInbox, revertDeps, useResponder, type ResponderHarness } from '../support/responder';
import { config } from '../support/config';

const { fresh } = useResponder();

async function service(h: ResponderHarness) {
  return (await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }))).services![0]!;
}
const taskDefinition = async (h: ResponderHarness) => (await service(h)).taskDefinition!.split('/').pop()!;
const desiredCount = async (h: ResponderHarness) => String((await service(h)).desiredCount);
const flag = async (h: ResponderHarness, name: string) => (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!;
const setFlag = (h: ResponderHarness, name: string, value: string) =>
  h.clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
const dbClass = async (h: ResponderHarness) =>
  (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'chatbot-db' }))).DBInstances![0]!.DBInstanceClass!;

/** The real responder acts on an alarm; returns its action of `mitigation`. */
async function actOn(h: ResponderHarness, change: AlarmChange, mitigation: MitigationId): Promise<ActionRecord> {
  await h.deliver(change);
  const action = (await h.audit.listSince('1970')).find((a) => a.mitigation === mitigation)!;
  return action;
}

function revertAs(h: ResponderHarness, actionId: string, reason?: string): Promise<RevertResult> {
  return revert(revertDeps(h), { actionId, actor: { kind: 'person', name: 'alice', via: 'cli' }, ...(reason ? { reason } : {}) });
}

function refusal(result: RevertResult): string {
  assert.equal(result.status, 'refused', JSON.stringify(result));
  return (result as { reason: string }).reason;
}

const CASES: readonly { mitigation: MitigationId; change: AlarmChange; read: (h: ResponderHarness) => Promise<string>; mitigated: string; original: string }[] =
  [
    {
      mitigation: 'ecs-rollback',
      change: { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' },
      read: taskDefinition,
      mitigated: 'chatbot-api:1',
      original: 'chatbot-api:2',
    },
    {
      mitigation: 'fallback-mode',
      change: { alertId: 'LLMDependencyDown' },
      read: (h) => flag(h, '/chatbot/fallback-mode'),
      mitigated: 'true',
      original: 'false',
    },
    { mitigation: 'rate-limit', change: { alertId: 'AuthFailureBurst' }, read: (h) => flag(h, '/chatbot/rate-limit'), mitigated: '100', original: '0' },
    { mitigation: 'ai-kill-switch', change: { alertId: 'ModelAccuracyDrop' }, read: (h) => flag(h, '/feature/ai-model'), mitigated: 'false', original: 'true' },
    {
      mitigation: 'rds-scale-up',
      change: { alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api' },
      read: dbClass,
      mitigated: 'db.r6g.2xlarge',
      original: 'db.r6g.large',
    },
    { mitigation: 'ecs-scale-out', change: { alertId: 'HighAPILatency', instance: 'chatbot-api' }, read: desiredCount, mitigated: '6', original: '4' },
  ];

describe('revert', () => {
  for (const c of CASES) {
    it(`${c.mitigation}: restores ${c.original} in the emulator, with its own audit record`, async () => {
      // GIVEN the real responder mitigated
      const h = await fresh();
      const action = await actOn(h, c.change, c.mitigation);
      assert.equal(action.outcome, 'succeeded');
      assert.equal(await c.read(h), c.mitigated);
      // WHEN a person reverts it
      const result = await revertAs(h, action.actionId, 'false positive');
      // THEN the world is back, and the revert is recorded with its intent and outcome
      assert.equal(result.status, 'reverted', JSON.stringify(result));
      assert.equal(await c.read(h), c.original);
      const record = (await h.audit.get(revertIdOf(action.actionId)))!;
      assert.deepEqual(
        {
          decision: record.decision,
          outcome: record.outcome,
          mitigation: record.mitigation,
          target: record.target,
          incidentId: record.incidentId,
          mode: record.mode,
        },
        { decision: 'acted', outcome: 'succeeded', mitigation: c.mitigation, target: action.target, incidentId: action.incidentId, mode: 'enabled' },
      );
      assert.equal(record.reason, `revert of ${action.actionId} by alice: false positive`);
      assert.equal(record.evidence.revertOf, action.actionId);
      assert.deepEqual(record.before, action.after, 'the intent records the world as the action left it');
      const [field] = Object.keys(record.desired!).filter((k) => k !== 'parameter');
      assert.equal(String(record.desired![field!]), c.original);
      assert.equal(String(record.after![field!]), c.original);
      assert.ok(record.announcedAt);
    });
  }

  it('is announced on the on-call topic, as a revert', async () => {
    const h = await fresh();
    const inbox = await onCallInbox(h);
    const action = await actOn(h, { alertId: 'ModelAccuracyDrop' }, 'ai-kill-switch');
    await revertAs(h, action.actionId);
    const messages = await inbox();
    assert.equal(messages.length, 2);
    const message = messages.find((m) => m.includes('reverted'))!;
    assert.match(message, /\[P1\] reverted ai-kill-switch on ssm:\/feature\/ai-model \(ModelAccuracyDrop\)/);
    assert.match(message, new RegExp(`Why: +revert of ${action.actionId} by alice`));
    assert.match(message, /After: +\{"parameter":"\/feature\/ai-model","value":"true"/);
    assert.ok(message.includes(`Reverts:    ${action.actionId}`));
  });

  it('is not blocked by paused automation, and records the mode', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'LLMDependencyDown' }, 'fallback-mode');
    await setFlag(h, h.world.automationModeParameter, 'disabled');
    assert.equal((await revertAs(h, action.actionId)).status, 'reverted');
    assert.equal(await flag(h, '/chatbot/fallback-mode'), 'false');
    assert.equal((await h.audit.get(revertIdOf(action.actionId)))!.mode, 'disabled');
  });
});

describe('revert refuses when the world moved on, and changes nothing', () => {
  it('a newer revision was deployed after the rollback', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'ecs-rollback');
    await h.clients.ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'chatbot-api', containerDefinitions: [{ name: 'api', image: 'chatbot-api:1.5.1', memory: 1024 }] }),
    );
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:3' }));
    assert.equal(
      refusal(await revertAs(h, action.actionId)),
      'the service now runs chatbot-api:3, deployed after the rollback to chatbot-api:1; not reverting',
    );
    assert.equal(await taskDefinition(h), 'chatbot-api:3');
    assert.equal(await h.audit.get(revertIdOf(action.actionId)), undefined, 'a refusal writes nothing, so it can be asked again');
  });

  it('someone changed the flag', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'AuthFailureBurst' }, 'rate-limit');
    await setFlag(h, '/chatbot/rate-limit', '50');
    assert.match(
      refusal(await revertAs(h, action.actionId)),
      /^\/chatbot\/rate-limit was written after the action: now 50 \(version 3\), the action left 100 \(version 2\); not reverting$/,
    );
    assert.equal(await flag(h, '/chatbot/rate-limit'), '50');
  });

  it('someone wrote the flag again, even with the same value (its version moved)', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'LLMDependencyDown' }, 'fallback-mode');
    await setFlag(h, '/chatbot/fallback-mode', 'true');
    assert.match(refusal(await revertAs(h, action.actionId)), /now true \(version 3\), the action left true \(version 2\)/);
    assert.equal(await flag(h, '/chatbot/fallback-mode'), 'true');
  });

  it('the RDS class moved', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api' }, 'rds-scale-up');
    await h.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'chatbot-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: true }));
    assert.equal(
      refusal(await revertAs(h, action.actionId)),
      'the instance is now db.r6g.xlarge, changed after the scale-up from db.r6g.large to db.r6g.2xlarge; not reverting',
    );
    assert.equal(await dbClass(h), 'db.r6g.xlarge');
  });

  it('the desired count moved', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'HighAPILatency', instance: 'chatbot-api' }, 'ecs-scale-out');
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', desiredCount: 8 }));
    assert.equal(refusal(await revertAs(h, action.actionId)), 'desired count is now 8, changed after the scale-out from 4 to 6; not reverting');
    assert.equal(await desiredCount(h), '8');
  });
});

describe('revert refuses what it cannot undo', () => {
  it('a second revert of the same action', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'ecs-rollback');
    assert.equal((await revertAs(h, action.actionId)).status, 'reverted');
    assert.match(
      refusal(await revertAs(h, action.actionId)),
      new RegExp(`^${action.actionId} was already reverted by alice at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(revert-${action.actionId}\\)$`),
    );
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
  });

  it('concurrent reverts of the same action: one acts', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'ModelAccuracyDrop' }, 'ai-kill-switch');
    const results = await Promise.all(Array.from({ length: 5 }, () => revertAs(h, action.actionId)));
    assert.deepEqual(results.map((r) => r.status).sort(), ['refused', 'refused', 'refused', 'refused', 'reverted']);
    assert.equal((await h.audit.listSince('1970')).filter((r) => r.evidence.revertOf === action.actionId).length, 1);
  });

  it('a revert itself', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'ModelAccuracyDrop' }, 'ai-kill-switch');
    await revertAs(h, action.actionId);
    assert.match(refusal(await revertAs(h, revertIdOf(action.actionId))), /is itself a revert \(of [0-9a-f]{16}\)/);
  });

  it('a dry-run record', async () => {
    const h = await fresh({ mode: 'dry-run' });
    const action = await actOn(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'ecs-rollback');
    assert.equal(refusal(await revertAs(h, action.actionId)), `${action.actionId} was a dry run: nothing was changed, nothing to revert`);
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
  });

  it('a skipped record', async () => {
    const h = await fresh();
    const action = await actOn(h, { alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, 'fallback-mode');
    assert.equal(action.decision, 'skipped');
    assert.match(refusal(await revertAs(h, action.actionId)), /was skipped \(decision tree: .*\): nothing was changed, nothing to revert$/);
  });

  it('an unknown action id', async () => {
    const h = await fresh();
    assert.deepEqual(await revertAs(h, 'feedfacefeedface'), { status: 'unknown-action', actionId: 'feedfacefeedface' });
  });
});

describe('revertDecision (pure)', () => {
  const scope = { config: config() } as unknown as MitigationScope;
  const record = (before: State, after: State, desired: State = after): ActionRecord => ({ before, after, desired }) as unknown as ActionRecord;
  const cases: readonly { name: string; mitigation: MitigationId; current: State; record: ActionRecord; expected: { act: boolean; reason: RegExp } }[] = [
    {
      name: 'SSM flag absent before the action: refused, not deleted',
      mitigation: 'fallback-mode',
      current: { parameter: '/chatbot/fallback-mode', value: 'true', version: 1 },
      record: record({ parameter: '/chatbot/fallback-mode', value: null, version: null }, { parameter: '/chatbot/fallback-mode', value: 'true', version: 1 }),
      expected: { act: false, reason: /did not exist before the action; delete it by hand/ },
    },
    {
      name: 'SSM flag deleted since',
      mitigation: 'rate-limit',
      current: { parameter: '/chatbot/rate-limit', value: null, version: null },
      record: record({ parameter: '/chatbot/rate-limit', value: '0', version: 1 }, { parameter: '/chatbot/rate-limit', value: '100', version: 2 }),
      expected: { act: false, reason: /^\/chatbot\/rate-limit was deleted after the action set it to 100; not reverting$/ },
    },
    {
      name: 'RDS scale-up still modifying',
      mitigation: 'rds-scale-up',
      current: { instanceClass: 'db.r6g.xlarge', status: 'modifying' },
      record: record(
        { instanceClass: 'db.r6g.large', status: 'available' },
        { instanceClass: 'db.r6g.large', status: 'modifying' },
        { instanceClass: 'db.r6g.xlarge' },
      ),
      expected: { act: false, reason: /^the instance is modifying, not available; revert once the modification has finished$/ },
    },
    {
      name: 'RDS: the after-state read during the modification showed the old class; the finished scale-up reverts',
      mitigation: 'rds-scale-up',
      current: {
        instanceClass: 'db.r6g.xlarge',
        status: 'available',
        multiAz: true,
        engine: 'postgres',
        clusterId: null,
        clusterHasReader: null,
        pendingModifications: '',
      },
      record: record(
        { instanceClass: 'db.r6g.large', status: 'available' },
        { instanceClass: 'db.r6g.large', status: 'modifying' },
        { instanceClass: 'db.r6g.xlarge' },
      ),
      expected: { act: true, reason: /^scale db\.r6g\.xlarge back to db\.r6g\.large; costs a Multi-AZ failover of about 60-120 s of errors$/ },
    },
    {
      name: 'ECS: the revision rolled back from was redeployed by hand',
      mitigation: 'ecs-rollback',
      current: { taskDefinition: 'chatbot-api:2' },
      record: record({ taskDefinition: 'chatbot-api:2' }, { taskDefinition: 'chatbot-api:1' }),
      expected: { act: false, reason: /^the service already runs chatbot-api:2 again, redeployed after the rollback to chatbot-api:1; nothing to revert$/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = MITIGATIONS[c.mitigation].revertDecision(scope, c.current, c.record);
      assert.equal(decision.act, c.expected.act);
      assert.match(decision.reason, c.expected.reason);
    });
  }
});
