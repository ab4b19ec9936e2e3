/**
 * The action executor's contract, called directly as a caller other than the pipeline and the revert would (a
 * chat button): the actor it is given is what the record and the announcement name; a second call with the same
 * action id changes nothing; the record each step returns is the record stored; a mitigation holds only its clients.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { announceAction, claimAction, type ClaimedAction, type ExecutorDeps } from '../../lambdas/responder/action-executor';
import { MITIGATIONS } from '../../lambdas/responder/mitigations';
import { aiKillSwitch } from '../../lambdas/responder/mitigations/ai-kill-switch';
import { scopeFor, type Mitigation, type MitigationClient, type MitigationScope } from '../../lambdas/responder/mitigations/mitigation';
import { actionClaim, AUTOMATION, type ActionClaim, type ActionRecord, type Actor } from '../../lambdas/shared/storage/audit-log';
import type { AwsClients } from '../../lambdas/shared/clients';
import { onCallInbox, recordingLogger, useResponder, type ResponderHarness } from '../support/responder';

const { fresh } = useResponder();

const BOB: Actor = { kind: 'person', name: 'bob (arn:aws:sts::123456789012:assumed-role/oncall/bob)', via: 'cli' };
const AI_FLAG = '/feature/ai-model';

function executorDeps(h: ResponderHarness, at: Date): ExecutorDeps {
  return { clients: h.clients, audit: h.audit, announceTopicArn: h.world.announceTopicArn, now: () => at, logger: recordingLogger() };
}

/** The context a caller cuts each mitigation's scope from: every mitigation client. */
function contextOf(h: ResponderHarness, at: Date): MitigationScope<MitigationClient> {
  return { config: h.config, clients: h.clients, service: h.config.services[0]!, now: () => at, logger: recordingLogger() };
}

/** A claim of the AI kill switch for a made-up incident, by `actor`. */
function killSwitchClaim(h: ResponderHarness, actionId: string, actor: Actor, at: Date): ActionClaim {
  const target = aiKillSwitch.target(contextOf(h, at))!;
  return actionClaim(
    {
      actionId,
      incidentId: `incident-${actionId}`,
      alarmName: 'chatbot-ModelAccuracyDrop',
      alertId: 'ModelAccuracyDrop',
      service: h.config.services[0]!.name,
      severity: 'P1',
      mitigation: 'ai-kill-switch',
      target: target.key,
      mode: 'enabled',
      evidence: { pressedIn: '#incident-42' },
    },
    actor,
    at.toISOString(),
  );
}

const flagVersion = async (h: ResponderHarness) => (await h.clients.ssm.send(new GetParameterCommand({ Name: AI_FLAG }))).Parameter!;

/** The stored record without the announcement's bookkeeping, which the executor writes after returning the record. */
async function stored(h: ResponderHarness, actionId: string): Promise<ActionRecord> {
  const { announcedAt: _a, announceFailedAt: _f, ...record } = (await h.audit.get(actionId))!;
  return record as ActionRecord;
}

/** As JSON: a field set to undefined in memory is absent from the table. */
const json = (record: ActionRecord): unknown => JSON.parse(JSON.stringify(record));

describe('action executor', () => {
  it('acts for the actor it is given: the record and the announcement name them; the same action id again changes nothing', async () => {
    // GIVEN a person's action on the AI flag, decided by its caller
    const h = await fresh();
    const inbox = await onCallInbox(h);
    const at = new Date();
    const deps = executorDeps(h, at);
    const scope = scopeFor(aiKillSwitch, contextOf(h, at));
    const target = aiKillSwitch.target(scope)!;
    const before = await aiKillSwitch.read(scope, target);
    const decision = aiKillSwitch.decide(scope, before);
    assert.ok(decision.act);
    const claim = killSwitchClaim(h, 'button-1', BOB, at);
    const plan = { mitigation: aiKillSwitch, scope, target, before, desired: decision.desired, reason: 'bob pressed "disable AI"' };

    // WHEN the executor runs it
    const first = await claimAction(deps, claim, (action) => action.act(plan));

    // THEN the flag is off, and the record says bob did it, succeeded, as stored
    assert.ok(first.claimed);
    assert.equal(first.result.status, 'executed');
    const { record } = first.result;
    assert.deepEqual([record.decision, record.outcome, record.reason, record.actor], ['acted', 'succeeded', 'bob pressed "disable AI"', BOB]);
    assert.deepEqual(json(await stored(h, 'button-1')), json(record));
    const flag = await flagVersion(h);
    assert.deepEqual([flag.Value, flag.Version], ['false', 2]);
    // and on-call is told who acted
    const [message, ...more] = await inbox();
    assert.deepEqual(more, []);
    assert.match(message!, /^By: +bob \(arn:aws:sts::123456789012:assumed-role\/oncall\/bob\) via the oncall CLI$/m);
    const announced = await h.audit.get('button-1');

    // WHEN the same action id comes again (a second press, a redelivery), even with another decision
    let used = false;
    const second = await claimAction(executorDeps(h, new Date(at.getTime() + 60_000)), killSwitchClaim(h, 'button-1', AUTOMATION, at), async (action) => {
      used = true;
      return action.act({ ...plan, desired: { parameter: AI_FLAG, value: 'true' } });
    });

    // THEN it is handed the first claim's record and nothing runs: no write to the flag or the record, no message
    assert.deepEqual(second, { claimed: false, existing: announced });
    assert.equal(used, false);
    assert.deepEqual(await flagVersion(h), flag);
    assert.deepEqual(await h.audit.get('button-1'), announced);
    assert.deepEqual(await inbox(), []);
  });

  it('the automation is named as such in the record and the announcement', async () => {
    const h = await fresh();
    const inbox = await onCallInbox(h);
    await h.deliver({ alertId: 'ModelAccuracyDrop' });
    const [action] = await h.audit.listSince('1970');
    assert.deepEqual([action!.mitigation, action!.outcome, action!.actor], ['ai-kill-switch', 'succeeded', AUTOMATION]);
    assert.match((await inbox())[0]!, /^By: +the automation$/m);
  });

  it('every step returns the record it stored: skipped, dry-run, acted', async () => {
    const h = await fresh();
    const at = new Date();
    const deps = executorDeps(h, at);
    const scope = scopeFor(aiKillSwitch, contextOf(h, at));
    const target = aiKillSwitch.target(scope)!;
    const before = await aiKillSwitch.read(scope, target);
    const desired = { parameter: AI_FLAG, value: 'false' };
    const claimAndRun = async (actionId: string, use: (action: ClaimedAction) => Promise<ActionRecord>): Promise<ActionRecord> => {
      const run = await claimAction(deps, killSwitchClaim(h, actionId, AUTOMATION, at), use);
      assert.ok(run.claimed, actionId);
      return run.result;
    };
    const steps: Record<string, () => Promise<ActionRecord>> = {
      skipped: () => claimAndRun('skip-1', (action) => action.skip('not needed', before)),
      dryRun: () => claimAndRun('dry-1', (action) => action.dryRun({ reason: 'would disable', before, desired, revertCommand: 'npx oncall revert dry-1' })),
      // reserved like an automatic action: the intent goes with a cooldown and a slot of the window
      acted: () =>
        claimAndRun('act-1', async (action) => {
          const guard = {
            cooldownUntil: new Date(at.getTime() + 60_000).toISOString(),
            windowStart: 0,
            windowEnd: new Date(at.getTime() + 60_000).toISOString(),
            maxActions: 1,
          };
          const result = await action.reserveAndAct(
            { mitigation: aiKillSwitch, scope, target, before, desired, revertCommand: 'npx oncall revert act-1' },
            guard,
          );
          assert.equal(result.status, 'executed');
          return result.record;
        }),
    };
    for (const [name, step] of Object.entries(steps)) {
      const record = await step();
      assert.deepEqual(json(await stored(h, record.actionId)), json(record), name);
    }
    assert.deepEqual(
      [(await h.audit.get('skip-1'))!.decision, (await h.audit.get('dry-1'))!.decision, (await h.audit.get('act-1'))!.outcome],
      ['skipped', 'dry-run', 'succeeded'],
    );
  });

  it('an announcement that fails is reported with the action, not thrown: the action stands, marked for the retry', async () => {
    const h = await fresh();
    const at = new Date();
    // an on-call topic that does not exist: Publish fails
    const deps = { ...executorDeps(h, at), announceTopicArn: `${h.world.announceTopicArn}-gone` };
    const scope = scopeFor(aiKillSwitch, contextOf(h, at));
    const target = aiKillSwitch.target(scope)!;
    const before = await aiKillSwitch.read(scope, target);
    const run = await claimAction(deps, killSwitchClaim(h, 'quiet-1', BOB, at), (action) =>
      action.act({ mitigation: aiKillSwitch, scope, target, before, desired: { parameter: AI_FLAG, value: 'false' } }),
    );
    assert.ok(run.claimed);
    assert.ok(run.result.announceError, 'the failed announcement comes back with the result');
    const record = (await h.audit.get('quiet-1'))!;
    assert.deepEqual([record.outcome, record.announcedAt, record.announceFailedAt], ['succeeded', undefined, at.toISOString()]);
    assert.equal((await flagVersion(h)).Value, 'false');
    // and announcing it again, once the topic is right, marks it announced
    await announceAction({ ...deps, announceTopicArn: h.world.announceTopicArn }, record);
    assert.deepEqual([(await h.audit.get('quiet-1'))!.announcedAt, (await h.audit.get('quiet-1'))!.announceFailedAt], [at.toISOString(), undefined]);
  });
});

describe('a mitigation holds only the AWS clients it declares', () => {
  it('each mitigation scope carries exactly its declared clients, never the audit table, the topics, the queues or Step Functions', async () => {
    const h = await fresh();
    const declared = Object.fromEntries(Object.values(MITIGATIONS).map((m) => [m.id, Object.keys(scopeFor(m, contextOf(h, new Date())).clients).sort()]));
    assert.deepEqual(declared, {
      'ecs-rollback': ['codedeploy', 'ecs'],
      'fallback-mode': ['ssm'],
      'rate-limit': ['ssm'],
      'ai-kill-switch': ['ssm'],
      'rds-scale-up': ['rds'],
      'ecs-scale-out': ['autoscaling', 'ecs'],
    });
  });

  it('TypeScript refuses a mitigation reaching for a client it did not declare (checked by tsc), and at run time it is not there', async () => {
    const h = await fresh();
    const reached: unknown[] = [];
    const reaching: Mitigation<'ssm'> = {
      ...aiKillSwitch,
      async read(ctx, target) {
        // @ts-expect-error: the audit table's and the on-call topic's clients are not in a mitigation's scope
        reached.push(ctx.clients.dynamo, ctx.clients.sns);
        return aiKillSwitch.read(ctx, target);
      },
    };
    // Nor can one declare them: these are the pipeline's and the executor's own.
    type Declarable<C extends keyof AwsClients> = C extends MitigationClient ? true : false;
    const pipelineOwn: [Declarable<'dynamo'>, Declarable<'sns'>, Declarable<'sqs'>, Declarable<'sfn'>] = [false, false, false, false];
    assert.deepEqual(pipelineOwn, [false, false, false, false]);
    const scope = scopeFor(reaching, contextOf(h, new Date()));
    await reaching.read(scope, reaching.target(scope)!);
    assert.deepEqual(reached, [undefined, undefined]);
  });
});
