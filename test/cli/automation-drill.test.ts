import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { awsEnv, ONCALL_SHIM, oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';

const { fresh } = useEscalation();

describe('oncall automation', () => {
  it('pause, dry-run and resume change the switch the responders read, recording who, when and why', async () => {
    const h = await fresh();
    const mode = async () => (await h.clients.ssm.send(new GetParameterCommand({ Name: '/chatbot/automation-mode' }))).Parameter?.Value;

    const pause = await oncall(h.moto, ['automation', 'pause', '--reason', 'rollback loop on chatbot-api']);
    assert.equal(pause.status, 0, pause.stderr);
    assert.equal(await mode(), 'disabled');
    // the responders obey at once: no rollback while paused
    await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    const { services } = await h.clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['chatbot-api'] }));
    assert.equal(services![0]!.taskDefinition!.split('/').pop(), 'chatbot-api:2');

    await oncall(h.moto, ['automation', 'dry-run', '--reason', 'watching before we trust it again']);
    assert.equal(await mode(), 'dry-run');
    await oncall(h.moto, ['automation', 'resume', '--reason', 'fixed the deploy pipeline']);
    assert.equal(await mode(), 'enabled');

    const status = await oncall(h.moto, ['automation', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /automation is enabled in us-east-1 \(\/chatbot\/automation-mode\)/);
    const json = JSON.parse((await oncall(h.moto, ['automation', 'status', '--json'])).stdout) as {
      mode: string;
      changes: { mode: string; by: string; reason: string }[];
    };
    assert.equal(json.mode, 'enabled');
    assert.deepEqual(
      json.changes.slice(0, 3).map((c) => [c.mode, c.reason]),
      [
        ['enabled', 'fixed the deploy pipeline'],
        ['dry-run', 'watching before we trust it again'],
        ['disabled', 'rollback loop on chatbot-api'],
      ],
    );
    assert.match(json.changes[0]!.by, /\(arn:aws:sts::123456789012:/);
  });

  it('refuses a change without a reason', async () => {
    const h = await fresh();
    const run = await oncall(h.moto, ['automation', 'pause']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /required option '--reason <text>'/);
  });
});

describe('oncall drill', () => {
  it('by default shows what would happen and changes nothing', async () => {
    const h = await fresh();
    await h.putAlarm('HighAPIErrorRate', 'chatbot-api');
    const run = await oncall(h.moto, ['drill', 'HighAPIErrorRate']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Drill: chatbot-HighAPIErrorRate-chatbot-api \(P1, API error rate above 5% for 5 minutes\)/);
    assert.match(run.stdout, /automation: enabled/);
    // moto has no ECS deployment history (ListServiceDeployments answers 404): the preview fails closed, as the responder does.
    assert.match(
      run.stdout,
      /ecs-rollback +ecs:prod\/chatbot-api +would skip: newest deployment started 0 min ago \(window 30 min\): deployment history unavailable \(.*\); not rolling back blind\n/,
    );
    assert.match(run.stdout, /rate-limit +ssm:\/chatbot\/rate-limit +would skip: decision tree: no baseline traffic/);
    assert.match(run.stdout, /\+ +30 min +senior-engineer/);
    assert.match(run.stdout, /Nothing was changed/);
    const { MetricAlarms } = await h.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['chatbot-HighAPIErrorRate-chatbot-api'] }));
    assert.notEqual(MetricAlarms![0]!.StateValue, 'ALARM');
  });

  it("previews each mitigation on the real service: the scalable target's minimum, a Single-AZ database refused", async () => {
    // GIVEN the service under Application Auto Scaling (2-8 tasks) and its database moved to Single-AZ
    const h = await fresh();
    const target = { ServiceNamespace: 'ecs', ResourceId: 'service/prod/chatbot-api', ScalableDimension: 'ecs:service:DesiredCount' } as const;
    await h.clients.autoscaling.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2, MaxCapacity: 8 }));
    await h.clients.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'chatbot-db', MultiAZ: false, ApplyImmediately: true }));
    // WHEN on-call previews the latency and the connection-pool drills
    const latency = await oncall(h.moto, ['drill', 'HighAPILatency']);
    const database = await oncall(h.moto, ['drill', 'DatabaseConnectionPoolExhausted']);
    // THEN each preview reads the real configuration: the minimum capacity is the lever, the scale-up would cost downtime
    assert.equal(latency.status, 0, latency.stderr);
    assert.match(
      latency.stdout,
      /ecs-scale-out +ecs:prod\/chatbot-api +would act: service under Application Auto Scaling: raise its minimum capacity 2 -> 6 \(max 8, cap 20\), so scaling keeps at least 6 tasks/,
    );
    assert.equal(database.status, 0, database.stderr);
    assert.match(database.stdout, /rds-scale-up +rds:chatbot-db +would skip: .*Single-AZ.*rds\.allowDowntime/);
    // and nothing changed
    const { ScalableTargets } = await h.clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [target.ResourceId] }),
    );
    assert.deepEqual([ScalableTargets?.[0]?.MinCapacity, ScalableTargets?.[0]?.MaxCapacity], [2, 8]);
  });

  it('with --yes sets the real alarm to ALARM and follows the incident as it unfolds', async () => {
    const h = await fresh();
    const name = await h.putAlarm('ModelAccuracyDrop');
    // WHEN the drill runs (a subprocess), and CloudWatch's fan-out (EventBridge to the starter, SNS to the
    // responder) is played by the test as soon as the alarm is in ALARM: moto records the state, AWS would deliver
    const child = spawn(process.execPath, [ONCALL_SHIM, 'drill', 'ModelAccuracyDrop', '--yes', '--follow', '60s'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...awsEnv(h.moto.endpoint) },
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    for (let i = 0; i < 50; i++) {
      const { MetricAlarms } = await h.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
      if (MetricAlarms![0]!.StateValue === 'ALARM') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const { MetricAlarms } = await h.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    assert.equal(MetricAlarms![0]!.StateValue, 'ALARM');
    assert.match(MetricAlarms![0]!.StateReason!, /^drill by /);
    const { incidentId } = await h.alarm({ alertId: 'ModelAccuracyDrop' });
    // the alarm returns to OK once the drill has printed the action (the follow ends at the resolve, or at 60 s)
    for (let i = 0; i < 300 && !/action +ai-kill-switch/.test(stdout); i++) await new Promise((r) => setTimeout(r, 200));
    await h.event({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      account: '123456789012',
      region: 'us-east-1',
      detail: { alarmName: name, state: { value: 'OK', timestamp: new Date().toISOString().replace('Z', '+0000') } },
    });
    // THEN the drill printed the incident as it unfolded, and stopped when it was resolved
    assert.equal(await exited, 0);
    assert.match(stdout, new RegExp(`${name} set to ALARM`));
    assert.match(stdout, /fired +chatbot-ModelAccuracyDrop \(P1\) in ALARM/);
    assert.match(stdout, /page +paged on-call-primary, incident-commander, customer-success/);
    assert.match(stdout, /action +ai-kill-switch on ssm:\/feature\/ai-model: acted, succeeded/);
    assert.ok(stdout.includes(`incident ${incidentId} resolved; review it with: oncall review ${incidentId}`), stdout);
  });
});
