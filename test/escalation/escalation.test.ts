import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { acknowledgeIncident, resolveIncident } from '../../lambdas/escalation/incident-lifecycle';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { useEscalation, type EscalationHarness } from '../support/escalation';

const { fresh } = useEscalation();
const WEEK = 7 * 24 * 60;

/** The pages of the incident, from its timeline, in order: which roles, at which step. */
async function pages(h: EscalationHarness, incidentId: string): Promise<string[]> {
  return (await h.deps.store.timeline(incidentId)).filter((e) => e.type === 'page').map((e) => (e.data?.roles as string[]).join('+'));
}

/** How the incident's escalation ended; on the clock, once the clock has passed every step of the timetable. */
async function finished(h: EscalationHarness, incidentId: string): Promise<string> {
  h.clock?.advanceTo(h.clock.at(WEEK));
  const incident = await h.deps.store.get(incidentId);
  return h.runner.executions.get(incident!.executionName!)!.done;
}

/** Opens an incident on the clock (at the time it has reached). @returns its id */
async function open(h: EscalationHarness, alertId: string, instance?: string): Promise<string> {
  const opened = await h.event(alarmStateChangeEvent(h.config, { alertId, instance, at: h.clock?.time }));
  assert.equal(opened.outcome, 'opened', JSON.stringify(opened));
  return (opened as { incidentId: string }).incidentId;
}

describe('escalation of a P1 (ack deadline 15 min, senior 1 h, VP 4 h, on the clock)', () => {
  it('with no ack: primary and the incident commander, then primary with secondary, then senior, then VP, in order', async () => {
    // GIVEN
    const h = await fresh({ clock: true });
    // WHEN the alarm fires and nobody acknowledges
    const id = await open(h, 'ModelAccuracyDrop');
    assert.equal(await finished(h, id), 'succeeded');
    // THEN
    assert.deepEqual(await pages(h, id), [
      'on-call-primary+incident-commander+customer-success',
      'on-call-primary+on-call-secondary',
      'senior-engineer',
      'vp-engineering',
    ]);
    const inbox = await h.inbox();
    assert.deepEqual(inbox.map((p) => p.role).sort(), [
      'customer-success',
      'incident-commander',
      'on-call-primary',
      'on-call-primary',
      'on-call-secondary',
      'senior-engineer',
      'vp-engineering',
    ]);
    const first = inbox.find((p) => p.role === 'incident-commander')!.text;
    for (const part of [
      '[P1] ModelAccuracyDrop',
      'Runbook:     https://github.com/example-org/runbook-alerting/blob/main/runbooks/ModelAccuracyDrop.md',
      'Acknowledge: https://links.example.invalid/ack?incident=',
      `Dedup key:   ${id}`,
      'Automation so far:',
    ]) {
      assert.ok(first.includes(part), `page lacks ${part}:\n${first}`);
    }
  });

  it('an ack before the deadline: no re-page, but escalation goes on while unresolved', async () => {
    const h = await fresh({ clock: true });
    const id = await open(h, 'ModelAccuracyDrop');
    await h.stepRan(0, id);
    await h.at(5, () => acknowledgeIncident(h.deps, id, 'alice'));
    assert.equal(await finished(h, id), 'succeeded');
    assert.deepEqual(await pages(h, id), ['on-call-primary+incident-commander+customer-success', 'senior-engineer', 'vp-engineering']);
  });
});

describe('the end of an incident', () => {
  it('resolve at any point ends the execution with no further page', async () => {
    const h = await fresh({ clock: true });
    const id = await open(h, 'ModelAccuracyDrop');
    // past the ack deadline (15 min), before the senior engineer (1 h)
    h.clock!.advanceTo(h.clock!.at(20));
    await h.stepRan(1, id);
    await h.at(20, () => resolveIncident(h.deps, id, 'bob', 'rolled back the model'));
    assert.equal(await finished(h, id), 'aborted');
    assert.deepEqual(await pages(h, id), ['on-call-primary+incident-commander+customer-success', 'on-call-primary+on-call-secondary']);
    const incident = (await h.deps.store.get(id))!;
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.resolvedBy, 'bob');
    assert.ok(incident.timeToResolveSeconds! >= 0);
  });

  it('the alarm returning to OK resolves it, and every role paged hears of it (same dedup key)', async () => {
    const h = await fresh({ clock: true });
    const id = await open(h, 'ModelAccuracyDrop');
    await h.stepRan(0, id);
    // before the ack deadline (15 min): only the first step's roles were paged
    const ok = { alertId: 'ModelAccuracyDrop', newState: 'OK', oldState: 'ALARM', at: h.clock!.at(5) } as const;
    const cleared = await h.at(5, () => h.event(alarmStateChangeEvent(h.config, ok)));
    assert.deepEqual(cleared, { outcome: 'cleared', incidentId: id, resolved: true });
    assert.equal(await finished(h, id), 'aborted');
    const resolves = (await h.inbox()).filter((p) => p.text.includes('resolved by alarm OK'));
    assert.deepEqual(resolves.map((p) => p.role).sort(), ['customer-success', 'incident-commander', 'on-call-primary']);
  });
});

describe('policies of other alerts and severities', () => {
  it('HighAPIErrorRate reaches the senior engineer at its own mark (30 min) and the VP at 1 h', async () => {
    const h = await fresh({ clock: true });
    const id = await open(h, 'HighAPIErrorRate', 'chatbot-api');
    const incident = (await h.deps.store.get(id))!;
    const input = h.runner.executions.get(incident.executionName!)!.input;
    const offsets = input.steps.map((s) => Math.round((Date.parse(s.at) - Date.parse(incident.openedAt)) / 60_000));
    assert.deepEqual(offsets, [0, 15, 30, 60], 'minutes of the timetable');
    assert.equal(await finished(h, id), 'succeeded');
    assert.deepEqual(await pages(h, id), [
      'on-call-primary+incident-commander+customer-success',
      'on-call-primary+on-call-secondary',
      'senior-engineer',
      'vp-engineering',
    ]);
  });

  it('P3 asks the configured tracker for a ticket and pages nobody at once', async () => {
    // GIVEN tickets in GitHub Issues
    const tickets = {
      provider: 'github' as const,
      tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:github-token-AbCdEf',
      repository: 'acme/ops',
    };
    const h = await fresh({ config: { integrations: { tickets } } });
    // WHEN
    const id = await open(h, 'HighCPUUtilization', 'chatbot-api');
    await h.stepRan(0, id);
    // THEN the request is in the timeline for the collaboration function; nobody is paged
    const requests = (await h.deps.store.timeline(id)).filter((e) => e.type === 'ticket');
    assert.deepEqual(
      requests.map((e) => [e.detail, e.data?.requested]),
      [['ticket requested from github', true]],
    );
    assert.equal((requests[0]!.data!.context as { windowMinutes: number }).windowMinutes, 30, 'the ticket is filed with the recent changes');
    assert.deepEqual(await pages(h, id), []);
  });

  it('P3 without a configured tracker says so in the timeline', async () => {
    const h = await fresh();
    const id = await open(h, 'HighCPUUtilization', 'chatbot-api');
    await h.stepRan(0, id);
    const timeline = await h.deps.store.timeline(id);
    assert.ok(timeline.some((e) => e.type === 'integration-failed' && e.detail === 'no ticket opened: integrations.tickets is not configured'));
    assert.ok(!timeline.some((e) => e.type === 'ticket'));
  });

  it('P4 pages no one and starts no execution', async () => {
    const h = await fresh();
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelRetrained' }));
    const id = (opened as { incidentId: string }).incidentId;
    assert.equal(h.runner.executions.size, 0);
    assert.deepEqual(await h.inbox(), []);
    assert.match((await h.deps.store.timeline(id)).map((e) => e.detail).join('\n'), /nobody is paged; listed in the weekly digest/);
  });

  it('a P2 re-classified to P1 follows the P1 policy from that moment', async () => {
    const h = await fresh({ clock: true });
    const id = await open(h, 'HighAPILatency', 'chatbot-api');
    await h.stepRan(0, id);
    const critical = { alertId: 'CriticalAPILatency', instance: 'chatbot-api', at: h.clock!.at(5) };
    const joined = await h.at(5, () => h.event(alarmStateChangeEvent(h.config, critical)));
    assert.deepEqual(joined, { outcome: 'joined', incidentId: id, reclassified: 'P1' });
    const incident = (await h.deps.store.get(id))!;
    assert.equal(incident.severity, 'P1');
    assert.equal(incident.policyId, 'p1-standard');
    assert.equal(await finished(h, id), 'succeeded');
    assert.deepEqual(await pages(h, id), [
      'on-call-primary+customer-success', // the P2 policy's first step
      'on-call-primary+incident-commander+customer-success', // P1 from the re-classification on
      'on-call-primary+on-call-secondary',
      'senior-engineer',
      'vp-engineering',
    ]);
    assert.match((await h.deps.store.timeline(id)).map((e) => e.detail).join('\n'), /P2 -> P1 \(CriticalAPILatency\)/);
  });
});

describe('verification of automatic actions', () => {
  it('an action whose alarm is still in ALARM after the window is ineffective and pages at once', async () => {
    // GIVEN an open P1 incident whose alarm stays in ALARM
    const h = await fresh({ clock: true });
    await h.putAlarm('ModelAccuracyDrop', undefined, { value: 'ALARM', reason: 'drill' });
    // WHEN the real responder throws the kill switch, and its verification runs after the window
    const { incidentId: id } = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    const [action] = await h.deps.audit.listSince('1970');
    assert.equal(action!.incidentId, id, 'the action belongs to the incident');
    const window = h.config.automation.verifyAfterMinutes;
    assert.ok(window + 1 < 15, 'the window ends before the ack deadline');
    h.clock!.advanceTo(h.clock!.at(window + 1));
    assert.equal(await h.verifyRunner.executions.get(`verify-${action!.actionId}`)!.done, 'succeeded');
    // THEN the action is ineffective, and the next step's roles are paged now, not at the ack deadline
    assert.equal((await h.deps.audit.get(action!.actionId))!.outcome, 'ineffective');
    assert.deepEqual(await pages(h, id!), ['on-call-primary+incident-commander+customer-success', 'on-call-primary+on-call-secondary']);
    const timeline = await h.deps.store.timeline(id!);
    assert.equal(Math.round(h.clock!.minutesOf(timeline.filter((e) => e.type === 'page')[1]!.at)), window);
    assert.match(timeline.map((e) => e.detail).join('\n'), /ai-kill-switch on ssm:\/feature\/ai-model did not clear/);
    // and the page says what the automation did
    const page = (await h.inbox()).find((p) => p.role === 'on-call-secondary')!.text;
    assert.match(page, /ai-kill-switch on ssm:\/feature\/ai-model: acted/);
  });

  it('an action whose alarm cleared is verified and pages nobody', async () => {
    const h = await fresh();
    const name = await h.putAlarm('ModelAccuracyDrop', undefined, { value: 'OK', reason: 'recovered' });
    const at = new Date();
    const opened = await h.event(alarmStateChangeEvent(h.config, { alertId: 'ModelAccuracyDrop', at }));
    const id = (opened as { incidentId: string }).incidentId;
    const { audit } = h.deps;
    // an acted, succeeded action of the incident, as the responder records it
    await audit.claim({
      actionId: 'a1',
      incidentId: id,
      alarmName: name,
      alertId: 'ModelAccuracyDrop',
      service: 'chatbot-api',
      severity: 'P1',
      mitigation: 'ai-kill-switch',
      target: 'ssm:/feature/ai-model',
      mode: 'enabled',
      reason: 'drill',
      evidence: {},
      createdAt: at.toISOString(),
    });
    const refused = await audit.reserve(
      'a1',
      {
        mitigation: 'ai-kill-switch',
        reason: 'drill',
        mode: 'enabled',
        target: 'ssm:/feature/ai-model',
        before: {},
        desired: {},
        evidence: {},
        revertCommand: 'x',
      },
      { cooldownUntil: at.toISOString(), windowStart: 0, windowEnd: at.toISOString(), maxActions: 10 },
      at.toISOString(),
    );
    assert.equal(refused, undefined);
    await audit.outcome('a1', { outcome: 'succeeded' }, at.toISOString());
    await h.verifyRunner.start('verify-a1', { actionId: 'a1', at: new Date(Date.now() + 200).toISOString() } as never);
    assert.equal(await h.verifyRunner.executions.get('verify-a1')!.done, 'succeeded');
    assert.equal((await audit.get('a1'))!.outcome, 'verified');
    await h.stepRan(0, id);
    assert.deepEqual(await pages(h, id), ['on-call-primary+incident-commander+customer-success']);
  });
});
