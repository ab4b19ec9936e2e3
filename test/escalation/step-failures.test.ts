import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import type { LocalExecution } from '../../tools/drill/local-runner';
import { useEscalation, type EscalationHarness } from '../support/escalation';

/**
 * A step that fails for good, run through the synthesized definitions (aws-local-stepfunctions, tasks in-process,
 * SNS on moto): the Retry first (every retry, intervals compressed to 20 ms), then the Catch pages on-call directly.
 */
const { fresh } = useEscalation();

/** A throttled function, as Lambda reports it to Step Functions. */
const throttled = () => Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });

/** Makes `fail` throw a throttle while `failing()` holds, counting the attempts. */
function breakWhile<T extends object, K extends keyof T>(target: T, method: K, failing: () => boolean): { attempts: number } {
  const original = target[method] as unknown as (...args: unknown[]) => unknown;
  const counter = { attempts: 0 };
  (target as Record<K, unknown>)[method] = (...args: unknown[]) => {
    if (!failing()) return original.apply(target, args);
    counter.attempts++;
    return Promise.reject(throttled());
  };
  return counter;
}

/** How the execution ended, once the clock has passed every step of its timetable. */
function finished(h: EscalationHarness, execution: LocalExecution) {
  h.clock!.advanceTo(h.clock!.at(7 * 24 * 60));
  return execution.done;
}

async function pagesOf(h: EscalationHarness, id: string): Promise<string[]> {
  return (await h.deps.store.timeline(id)).filter((e) => e.type === 'page').map((e) => (e.data?.roles as string[]).join('+'));
}

describe('a paging step that fails for good', () => {
  it('is retried, then pages on-call directly, and the escalation goes on with its next steps', async () => {
    // GIVEN a P1 whose first page fails on every attempt (the pager throttled)
    const h = await fresh({ clock: true });
    let firstStepDone = false;
    const pager = breakWhile(h.deps.audit, 'forIncident', () => !firstStepDone);
    // WHEN the alarm fires
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop', at: h.clock!.time }));
    const id = (opened as { incidentId: string }).incidentId;
    const execution = h.runner.executions.get((await h.deps.store.get(id))!.executionName!)!;
    while (!execution.states.includes('PageOnCallDirectly') && pager.attempts < 10) await new Promise((r) => setTimeout(r, 20));
    firstStepDone = true;
    // THEN the execution survives it: every later step pages as planned
    assert.equal(await finished(h, execution), 'succeeded');
    assert.equal(pager.attempts, 5, 'the first attempt and the 4 retries of the one retry policy');
    assert.deepEqual(await pagesOf(h, id), ['on-call-primary+on-call-secondary', 'senior-engineer', 'vp-engineering']);
    // AND on-call primary was paged directly about the step nobody received, naming the incident and the roles
    const direct = (await h.inbox()).filter((p) => p.role === 'on-call-primary' && p.text.includes('failed after every retry'));
    assert.equal(direct.length, 1);
    assert.match(
      direct[0]!.text,
      /^\[P1\] Step 0 of the escalation of incident .+ failed after every retry: the roles of that step \(\["on-call-primary","incident-commander","customer-success"\]\) were NOT paged\./,
    );
    assert.ok(direct[0]!.text.includes(id));
    assert.ok(direct[0]!.text.includes('Error: Lambda.TooManyRequestsException'));
  });

  it('a failure that clears within the retries pages as planned, with no direct page', async () => {
    // GIVEN a pager throttled for its first two attempts only
    const h = await fresh({ clock: true });
    let calls = 0;
    breakWhile(h.deps.audit, 'forIncident', () => ++calls <= 2);
    // WHEN
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop', at: h.clock!.time }));
    const id = (opened as { incidentId: string }).incidentId;
    const execution = h.runner.executions.get((await h.deps.store.get(id))!.executionName!)!;
    // THEN
    assert.equal(await finished(h, execution), 'succeeded');
    assert.ok(!execution.states.includes('PageOnCallDirectly'));
    assert.deepEqual((await pagesOf(h, id))[0], 'on-call-primary+incident-commander+customer-success');
    assert.equal((await h.inbox()).filter((p) => p.text.includes('failed after every retry')).length, 0);
  });

  it('a page that reached some roles before failing is retried for the missing roles only', async () => {
    // GIVEN SNS throttling the first publish to the incident commander's topic (the other topics take theirs)
    const h = await fresh({ clock: true });
    const sns = h.deps.clients.sns as unknown as { send(command: { input?: { TopicArn?: string } }, ...rest: unknown[]): Promise<unknown> };
    const send = sns.send.bind(sns);
    let throttledOnce = false;
    sns.send = (command, ...rest) => {
      if (!throttledOnce && command.input?.TopicArn === h.deps.roleTopicArn('incident-commander')) {
        throttledOnce = true;
        return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
      }
      return send(command, ...rest);
    };
    // WHEN a P1 fires: its first page fails part-way, and the state machine retries the step
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop', at: h.clock!.time }));
    const id = (opened as { incidentId: string }).incidentId;
    assert.equal(await finished(h, h.runner.executions.get((await h.deps.store.get(id))!.executionName!)!), 'succeeded');
    // THEN every role of that step received the first page exactly once, and the page is recorded once
    assert.ok(throttledOnce);
    const first = (await h.inbox())
      .filter((p) => p.text.includes('the incident opened'))
      .map((p) => p.role)
      .sort();
    assert.deepEqual(first, ['customer-success', 'incident-commander', 'on-call-primary']);
    assert.equal((await pagesOf(h, id)).filter((roles) => roles === 'on-call-primary+incident-commander+customer-success').length, 1);
  });

  it('a verification that fails for good pages on-call directly', async () => {
    // GIVEN the verifier unable to read the audit table
    const h = await fresh();
    const verifier = breakWhile(h.deps.audit, 'get', () => true);
    // WHEN an automatic action's window ends
    await h.verifyRunner.start('verify-a1', { actionId: 'action-0001', at: new Date().toISOString() } as never);
    // THEN
    assert.equal(await h.verifyRunner.executions.get('verify-a1')!.done, 'succeeded');
    assert.equal(verifier.attempts, 5);
    const direct = (await h.inbox()).filter((p) => p.role === 'on-call-primary');
    assert.equal(direct.length, 1);
    assert.match(direct[0]!.text, /^\[P1\] The check of automatic action action-0001 failed after every retry/);
  });
});
