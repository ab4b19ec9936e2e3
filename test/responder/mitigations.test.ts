import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetMetricDataCommand, SetAlarmStateCommand, type GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import { alarmName } from '../../lib/core/catalog';
import { feedMinutes } from '../../tools/drill/metric-feed';
import { useResponder, type ResponderHarness } from '../support/responder';
import { config } from '../support/config';

const { fresh } = useResponder();
const MINUTE = 60_000;

async function param(h: ResponderHarness, name: string): Promise<string | undefined> {
  return (await h.clients.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
}
async function taskDefinition(h: ResponderHarness): Promise<string> {
  const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
  return services![0]!.taskDefinition!.split('/').pop()!;
}
async function dbClass(h: ResponderHarness): Promise<string> {
  return (await h.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'chatbot-db' }))).DBInstances![0]!.DBInstanceClass!;
}
async function actions(h: ResponderHarness) {
  return h.audit.listSince('1970');
}
describe('HighAPIErrorRate decision tree', () => {
  it('recent deployment: rolls the ECS service back to the previous revision', async () => {
    // GIVEN the newer revision was deployed just now
    const h = await fresh();
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
    // WHEN the error-rate alarm fires
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    // THEN the service runs the previous revision, and the audit log says so with before and after
    assert.equal(await taskDefinition(h), 'chatbot-api:1');
    const rollback = (await actions(h)).find((a) => a.mitigation === 'ecs-rollback')!;
    assert.equal(rollback.decision, 'acted');
    assert.equal(rollback.outcome, 'succeeded');
    assert.equal(rollback.before?.taskDefinition, 'chatbot-api:2');
    assert.equal(rollback.after?.taskDefinition, 'chatbot-api:1');
    // and the branches not taken are recorded with their evidence
    const others = (await actions(h)).filter((a) => a.mitigation !== 'ecs-rollback');
    assert.deepEqual(others.map((a) => a.decision).sort(), ['skipped', 'skipped', 'skipped']);
    for (const other of others) assert.match(other.reason, /^decision tree: /);
    const tree = rollback.evidence.decisionTree as Record<string, { holds: boolean }>;
    assert.deepEqual(Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, v.holds])), {
      'ecs-rollback': true,
      'fallback-mode': false,
      'rds-scale-up': false,
      'rate-limit': false,
    });
  });

  it('deployment older than the window: no rollback, the reason is recorded', async () => {
    const h = await fresh();
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(Date.now() + 45 * MINUTE) });
    assert.equal(await taskDefinition(h), 'chatbot-api:2');
    const rollback = (await actions(h)).find((a) => a.mitigation === 'ecs-rollback')!;
    assert.equal(rollback.decision, 'skipped');
    assert.match(rollback.reason, /newest deployment started 45 min ago \(window 30 min\)/);
  });

  it('no previous revision: no rollback, the reason is recorded', async () => {
    // GIVEN the service runs revision 1 (there is nothing before it), deployed just now
    const h = await fresh();
    await h.clients.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'chatbot-api', taskDefinition: 'chatbot-api:1' }));
    // WHEN
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    // THEN
    assert.equal(await taskDefinition(h), 'chatbot-api:1');
    const rollback = (await actions(h)).find((a) => a.mitigation === 'ecs-rollback')!;
    assert.equal(rollback.decision, 'skipped');
    assert.match(rollback.reason, /no revision ran before the newest deployment \(the service's first\)/);
  });

  it('LLM dependency down: switches to fallback responses', async () => {
    const h = await fresh();
    await h.clients.cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: alarmName('chatbot', 'LLMDependencyDown'), StateValue: 'ALARM', StateReason: 'drill' }),
    );
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(Date.now() + 45 * MINUTE) });
    assert.equal(await param(h, '/chatbot/fallback-mode'), 'true');
    const fallback = (await actions(h)).find((a) => a.mitigation === 'fallback-mode')!;
    assert.deepEqual([fallback.before?.value, fallback.after?.value], ['false', 'true']);
    assert.match(fallback.reason, /LLMDependencyDown is in ALARM/);
  });

  it("database overload: scales RDS to the top of the ladder, the runbook's db.r6g.2xlarge", async () => {
    // GIVEN CPU at 97% for the last 6 minutes, as CloudWatch holds it with 1 minute of ingestion lag
    const h = await fresh();
    const now = Date.now() + 45 * MINUTE;
    const cpu = (m: number) => (m >= now - 6 * MINUTE ? 97 : 35);
    await feedMinutes(
      h.clients.cloudwatch,
      [{ metric: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBInstanceIdentifier: 'chatbot-db' } }, value: cpu }],
      now - 70 * MINUTE,
      now,
      MINUTE,
    );
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(now) });
    assert.equal(await dbClass(h), 'db.r6g.2xlarge');
    const scale = (await actions(h)).find((a) => a.mitigation === 'rds-scale-up')!;
    assert.deepEqual([scale.before?.instanceClass, scale.after?.instanceClass], ['db.r6g.large', 'db.r6g.2xlarge']);
    assert.match(scale.reason, /database CPU 97%/);
  });

  it('traffic spike: enables the rate limit', async () => {
    // GIVEN 1000 requests a minute for an hour, then 9000 a minute since 6 minutes ago, with 1 minute of lag
    const h = await fresh();
    const now = Date.now() + 45 * MINUTE;
    const requests = (m: number) => (m >= Math.floor(now / MINUTE) * MINUTE - 6 * MINUTE ? 9000 : 1000);
    await feedMinutes(
      h.clients.cloudwatch,
      [
        {
          metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: { LoadBalancer: 'app/chatbot-api/50dc6c495c0c9188' } },
          value: requests,
        },
      ],
      now - 70 * MINUTE,
      now,
      MINUTE,
    );
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(now) });
    assert.equal(await param(h, '/chatbot/rate-limit'), '100');
    const limit = (await actions(h)).find((a) => a.mitigation === 'rate-limit')!;
    assert.equal(limit.outcome, 'succeeded');
    assert.match(limit.reason, /requests 9x the last hour's average per minute/);
    // and the audit record says which window was read: complete minutes, none newer than now - 1 minute
    const facts = (limit.evidence.decisionTree as Record<string, { facts: Record<string, string> }>)['rate-limit']!.facts;
    assert.equal(facts.windowSource, 'complete-periods');
    assert.equal(facts.windowTo, new Date(Math.floor((now - MINUTE) / MINUTE) * MINUTE).toISOString());
    assert.equal(Date.parse(facts.windowTo!) - Date.parse(facts.windowFrom!), 5 * MINUTE);
  });

  it('traffic spike split across pages of GetMetricData: every page is read', async () => {
    // GIVEN the same spike, and CloudWatch answering in two pages: the older datapoints first, then the newer ones
    const h = await fresh();
    const now = Date.now() + 45 * MINUTE;
    const requests = (m: number) => (m >= Math.floor(now / MINUTE) * MINUTE - 6 * MINUTE ? 9000 : 1000);
    await feedMinutes(
      h.clients.cloudwatch,
      [
        {
          metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: { LoadBalancer: 'app/chatbot-api/50dc6c495c0c9188' } },
          value: requests,
        },
      ],
      now - 70 * MINUTE,
      now,
      MINUTE,
    );
    const cloudwatch = h.clients.cloudwatch as unknown as {
      send(command: { input: { NextToken?: string } }, ...rest: unknown[]): Promise<GetMetricDataCommandOutput>;
    };
    const send = cloudwatch.send.bind(cloudwatch);
    let pages = 0;
    cloudwatch.send = async (command, ...rest) => {
      if (!(command instanceof GetMetricDataCommand)) return send(command, ...rest);
      pages++;
      const second = command.input.NextToken === 'page-2';
      const whole = await send(new GetMetricDataCommand({ ...command.input, NextToken: undefined }), ...rest);
      const split = (whole.MetricDataResults ?? []).map((r) => {
        const keep = (r.Timestamps ?? []).map((_, i) => i).filter((i) => r.Timestamps![i]!.getTime() >= now - 10 * MINUTE === second);
        return { ...r, Timestamps: keep.map((i) => r.Timestamps![i]!), Values: keep.map((i) => r.Values![i]!) };
      });
      return { ...whole, MetricDataResults: split, NextToken: second ? undefined : 'page-2' };
    };
    // WHEN HighAPIErrorRate fires
    await h.deliver({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' }, { now: new Date(now) });
    // THEN the spike, which only the second page holds, is seen
    assert.equal(pages, 2);
    assert.equal(await param(h, '/chatbot/rate-limit'), '100');
  });
});

describe('other mitigations', () => {
  it('ModelAccuracyDrop throws the AI kill switch', async () => {
    const h = await fresh();
    await h.deliver({ alertId: 'ModelAccuracyDrop' });
    assert.equal(await param(h, '/feature/ai-model'), 'false');
  });

  it('DataLeakDetected throws the AI kill switch', async () => {
    const h = await fresh();
    await h.deliver({ alertId: 'DataLeakDetected' });
    assert.equal(await param(h, '/feature/ai-model'), 'false');
  });

  it('HighAPILatency scales the ECS service out by a step', async () => {
    const h = await fresh();
    await h.deliver({ alertId: 'HighAPILatency', instance: 'chatbot-api' });
    const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
    assert.equal(services![0]!.desiredCount, 6);
  });

  const fireDatabaseAlarms = async (h: ResponderHarness, times: number): Promise<string[]> => {
    const start = Date.now() + 45 * MINUTE;
    const classes: string[] = [];
    for (let i = 0; i < times; i++) {
      await h.deliver(
        { alertId: 'DatabaseConnectionPoolExhausted', instance: 'chatbot-api', at: new Date(start + i * MINUTE) },
        { now: new Date(start + i * MINUTE) },
      );
      classes.push(await dbClass(h));
    }
    return classes;
  };

  it("RDS scale-up goes straight to the runbook's db.r6g.2xlarge (the top of the ladder) and stops there", async () => {
    // GIVEN no cooldown, so that only the cap can stop it
    const h = await fresh({ config: config({ automation: { cooldownMinutes: 0 } }) });
    // WHEN the pool is exhausted in three incidents
    // THEN one class change, large -> 2xlarge, then none
    assert.deepEqual(await fireDatabaseAlarms(h, 3), ['db.r6g.2xlarge', 'db.r6g.2xlarge', 'db.r6g.2xlarge']);
    const [last, , first] = (await actions(h)).filter((a) => a.mitigation === 'rds-scale-up');
    assert.match(first!.reason, /scale db\.r6g\.large -> db\.r6g\.2xlarge, the top of the ladder/);
    assert.equal(last!.decision, 'skipped');
    assert.match(last!.reason, /db\.r6g\.2xlarge is the cap of the ladder/);
  });

  it('with rdsScaleUpTo "next", RDS scale-up climbs one class per incident and stops at the cap', async () => {
    const h = await fresh({ config: config({ automation: { cooldownMinutes: 0, rdsScaleUpTo: 'next' } }) });
    assert.deepEqual(await fireDatabaseAlarms(h, 4), ['db.r6g.xlarge', 'db.r6g.2xlarge', 'db.r6g.2xlarge', 'db.r6g.2xlarge']);
    const last = (await actions(h)).filter((a) => a.mitigation === 'rds-scale-up')[0]!;
    assert.equal(last.decision, 'skipped');
    assert.match(last.reason, /db\.r6g\.2xlarge is the cap of the ladder/);
  });

  it('a class not on the ladder is left alone, and the reason says which config field to change', async () => {
    // GIVEN someone moved the database to a class the ladder does not name
    const h = await fresh();
    await h.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'chatbot-db', DBInstanceClass: 'db.m6g.4xlarge', ApplyImmediately: true }));
    // WHEN the pool is exhausted
    // THEN the class is unchanged (db.m6g.4xlarge may well be larger than the cap) and the record says how to allow it
    assert.deepEqual(await fireDatabaseAlarms(h, 1), ['db.m6g.4xlarge']);
    const skipped = (await actions(h)).find((a) => a.mitigation === 'rds-scale-up')!;
    assert.equal(skipped.decision, 'skipped');
    assert.equal(
      skipped.reason,
      'class db.m6g.4xlarge is not on the rds-scale-up ladder (db.r6g.large -> db.r6g.xlarge -> db.r6g.2xlarge), so nothing says whether db.r6g.2xlarge is larger; ' +
        'add db.m6g.4xlarge to automation.rdsClassLadder in size order to let rds-scale-up move it',
    );
  });
});
