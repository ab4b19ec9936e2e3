import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createClients } from '../../lambdas/shared/clients';
import type { Log } from '../../lambdas/shared/observability';
import { DrillClock } from '../../tools/drill/drill-clock';
import { createEscalationWorld } from '../../tools/drill/escalation-world';
import { stateMachineDefinition } from '../../tools/drill/local-runner';
import type { Moto } from '../../tools/drill/moto';
import { acquireMoto } from '../../tools/drill/moto-pool';
import { alarmStateChangeEvent } from '../../tools/drill/notifications';
import { createSampleWorld } from '../../tools/drill/sample-world';
import { config as makeConfig } from '../support/config';
import { synthesizedTemplates } from '../support/synthesized';
import type { CfnTemplate } from '../../tools/drill/templates';

const SILENT: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("the escalation on the drill's clock (the runbook's matrix, not compressed)", () => {
  let moto: Moto | undefined;
  const config = makeConfig();
  let templates: ReadonlyMap<string, CfnTemplate> = new Map();
  const definition = (name: string) => stateMachineDefinition(templates.values(), name);
  before(async () => {
    [moto, templates] = await Promise.all([acquireMoto(), synthesizedTemplates(config)]);
  });
  after(async () => {
    await moto?.stop();
  });

  it('pages each step at its minute once the clock gets there, and never a step whose time the resolve came before', async () => {
    const clients = createClients({ ...moto!.clientConfig, maxAttempts: 2 });
    const sample = await createSampleWorld(clients, moto!.clientConfig, config, 'enabled');
    const clock = new DrillClock(new Date());
    const world = await createEscalationWorld({
      clients,
      config,
      auditTable: sample.auditTable,
      escalationDefinition: definition('chatbot-escalation'),
      verifyDefinition: definition('chatbot-verify'),
      linkKey: 'test-link-key-0123456789abcdef',
      logger: SILENT,
      clock,
    });
    const api = { alertId: 'HighAPIErrorRate', instance: 'chatbot-api', at: clock.origin };
    const opened = await clock.run(clock.origin, () => world.event(alarmStateChangeEvent(config, api)));
    const incidentId = (opened as { incidentId: string }).incidentId;

    // The first page needs no move of the clock: a P1 pages at t+0.
    assert.deepEqual((await world.stepRan(0)).paged, ['on-call-primary', 'incident-commander', 'customer-success']);
    clock.advanceTo(clock.at(20));
    assert.deepEqual((await world.stepRan(1)).paged, ['on-call-primary', 'on-call-secondary']);
    await clock.run(clock.at(20), () => world.event(alarmStateChangeEvent(config, { ...api, newState: 'OK', oldState: 'ALARM', at: clock.at(20) })));
    // Step 2 (the senior engineer, at 30) waits for a time the drill never reaches: the stop lets it go unpaged.
    await world.runner.stopAll();
    assert.deepEqual(
      [...world.runner.executions.values()].map((e) => e.error),
      [undefined],
    );

    const timeline = await world.deps.store.timeline(incidentId);
    const at = (type: string) => timeline.filter((e) => e.type === type).map((e) => Math.floor(clock.minutesOf(e.at)));
    assert.deepEqual(at('page'), [0, 15]);
    assert.deepEqual(at('resolved'), [20, 20]);
    assert.ok(!timeline.some((e) => e.detail.includes('senior-engineer')), timeline.map((e) => e.detail).join('\n'));
    assert.match(timeline.at(-1)!.detail, /resolved by alarm OK after 20m/);
    assert.ok(!(await world.inbox()).some((p) => p.role === 'senior-engineer'));
  });
});
