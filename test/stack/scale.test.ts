import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { resolveAlarms } from '../../lib/core/alarms/resolve';
import { cloudWatchAlarmCount, planStacks } from '../../lib/infra/stack-plan';
import { parseConfig } from '../../lib/core/config/load';
import { MAX_SERVICES } from '../../lib/core/config/schema';
import { ConfigError } from '../../lib/core/errors';
import { quotaHeadroom } from '../../lib/infra/quotas/headroom';
import { QUOTAS } from '../../lib/infra/quotas/quota-table';
import { DEFAULT_INPUT, fleetConfig, HOME_SERVICE } from '../support/config';
import { synth } from '../support/synth';

describe('a fleet of 1,000 services (the most one environment takes), IAM scoped by tag', () => {
  // Synthesized once for the file: about 20 s, the quota guard on as in every synth.
  const cfg = fleetConfig(MAX_SERVICES);
  const synthesized = synth(cfg);
  const headroom = quotaHeadroom(synthesized.built.app.synth());

  it('fits every AWS quota the guard knows, the tightest resource of each below its value', () => {
    assert.equal(headroom.length, QUOTAS.length);
    for (const { quota, tightest, percentUsed } of headroom) {
      assert.ok(percentUsed < 100, `${quota.id}: ${tightest?.value} at ${tightest?.stackName}/${tightest?.logicalId}`);
    }
    const body = headroom.find((h) => h.quota.id === 'cfn-template-body')!;
    assert.ok(body.tightest!.value > 100_000, 'measured on the real templates');
  });

  it('keeps every alarm of the catalog: nothing is lost in sharding', () => {
    const expected = resolveAlarms(cfg).reduce((n, s) => n + cloudWatchAlarmCount(s), 0);
    let actual = 0;
    for (const template of synthesized.templates.values()) {
      actual +=
        Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length + Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm')).length;
    }
    assert.equal(actual, expected);
    assert.ok(actual > 10_000);
  });

  it('one service more fails the config, naming the field and the documented maximum', () => {
    assert.throws(
      () => fleetConfig(MAX_SERVICES + 1),
      (error: Error) =>
        error instanceof ConfigError &&
        /services: at most 1,000 services per environment/.test(error.message) &&
        error.message.includes('docs/deploy.md#fleet-size'),
    );
  });
});

describe("targets listed by ARN (automation.targetScope 'resources')", () => {
  it('fit 80 generated services; at 81 synth stops naming the IAM quota, the role and the remedy', () => {
    assert.doesNotThrow(() => synth(fleetConfig(80, 'resources')));
    const report = captureValidationReport(() => synth(fleetConfig(81, 'resources')));
    assert.match(report, /iam-managed-policy-size/);
    assert.match(report, /ResponderRoleOverflowPolicy/);
    assert.match(report, /set automation\.targetScope: 'tags'/);
  });
});

/** What a synth stopped by a validation printed (CDK prints the report to stderr, then throws). */
function captureValidationReport(run: () => unknown): string {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    assert.throws(run, /Validation failed/);
  } finally {
    console.error = original;
  }
  return printed.join('\n');
}

describe('stack placement', () => {
  it('does not move existing services when a service is appended', () => {
    // GIVEN
    const before = fleetConfig(60);
    const after = fleetConfig(61);
    // WHEN
    const placement = (plan: ReturnType<typeof planStacks>) => new Map(plan.alarmStacks.flatMap((s) => s.services.map((svc) => [svc, s.index] as const)));
    const a = placement(planStacks(before, resolveAlarms(before)));
    const b = placement(planStacks(after, resolveAlarms(after)));
    // THEN
    for (const [service, index] of a) assert.equal(b.get(service), index, service);
  });

  it('honours a pinned stack', () => {
    const cfg = parseConfig('pinned', {
      ...DEFAULT_INPUT,
      services: [
        { ...HOME_SERVICE, name: 'a' },
        { ...HOME_SERVICE, name: 'b', stack: 4 },
      ],
    });
    const plan = planStacks(cfg, resolveAlarms(cfg));
    assert.deepEqual(
      plan.alarmStacks.map((s) => [s.index, s.services]),
      [
        [0, ['a']],
        [4, ['b']],
      ],
    );
  });

  it('fills a stack up to maxAlarmsPerStack', () => {
    const cfg = fleetConfig(100);
    for (const stack of planStacks(cfg, resolveAlarms(cfg)).alarmStacks) {
      assert.ok(stack.alarms.reduce((n, a) => n + cloudWatchAlarmCount(a), 0) <= cfg.maxAlarmsPerStack);
    }
  });
});
