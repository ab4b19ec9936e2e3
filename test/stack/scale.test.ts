import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { cloudWatchAlarmCount, planStacks } from '../../lib/infra/stack-plan';
import { parseConfig } from '../../lib/core/config/load';
import { DEFAULT_INPUT, fleetConfig, synth } from '../support/synth';

/** CloudFormation's hard limits for one template. */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 1_000_000;

describe('a fleet of 100 services', () => {
  const cfg = fleetConfig(100);
  const synthesized = synth(cfg);

  it('synthesizes into several stacks, each within CloudFormation limits', () => {
    // THEN
    assert.ok(synthesized.templates.size > 2, `${synthesized.templates.size} stacks`);
    for (const [name, template] of synthesized.templates) {
      const json = template.toJSON() as { Resources: Record<string, unknown> };
      const resources = Object.keys(json.Resources).length;
      const bytes = Buffer.byteLength(JSON.stringify(json, undefined, 1));
      assert.ok(resources <= MAX_RESOURCES, `${name}: ${resources} resources`);
      assert.ok(bytes <= MAX_TEMPLATE_BYTES, `${name}: ${bytes} bytes`);
    }
  });

  it('keeps every alarm of the catalog: nothing is lost in sharding', () => {
    const expected = resolveAlarms(cfg).reduce((n, s) => n + cloudWatchAlarmCount(s), 0);
    let actual = 0;
    for (const template of synthesized.templates.values()) {
      actual += Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length + Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')).length;
    }
    assert.equal(actual, expected);
    assert.ok(actual > 1000);
  });
});

describe('stack placement', () => {
  it('does not move existing services when a service is appended', () => {
    // GIVEN
    const before = fleetConfig(60);
    const after = fleetConfig(61);
    // WHEN
    const placement = (plan: ReturnType<typeof planStacks>) =>
      new Map(plan.alarmStacks.flatMap((s) => s.services.map((svc) => [svc, s.index] as const)));
    const a = placement(planStacks(before, resolveAlarms(before)));
    const b = placement(planStacks(after, resolveAlarms(after)));
    // THEN
    for (const [service, index] of a) assert.equal(b.get(service), index, service);
  });

  it('honours a pinned stack', () => {
    const cfg = parseConfig('pinned', {
      ...DEFAULT_INPUT,
      services: [
        { ...DEFAULT_INPUT.services[0]!, name: 'a' },
        { ...DEFAULT_INPUT.services[0]!, name: 'b', stack: 4 },
      ],
    });
    const plan = planStacks(cfg, resolveAlarms(cfg));
    assert.deepEqual(plan.alarmStacks.map((s) => [s.index, s.services]), [[0, ['a']], [4, ['b']]]);
  });

  it('fills a stack up to maxAlarmsPerStack', () => {
    const cfg = fleetConfig(100);
    for (const stack of planStacks(cfg, resolveAlarms(cfg)).alarmStacks) {
      assert.ok(stack.alarms.reduce((n, a) => n + cloudWatchAlarmCount(a), 0) <= cfg.maxAlarmsPerStack);
    }
  });
});
