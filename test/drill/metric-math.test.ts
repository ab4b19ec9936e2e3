import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { createClients } from '../../lambdas/shared/clients';
import { contextLines, gatherContext } from '../../lambdas/shared/context';
import type { Incident } from '../../lambdas/shared/storage/incident';
import { synthesizedTemplates } from '../support/synthesized';
import { alarmName } from '../../lib/core/catalog';
import { withMetricMath } from '../../tools/drill/metric-math';
import type { Moto } from '../../tools/drill/moto';
import { acquireMoto } from '../../tools/drill/moto-pool';
import { putSynthesizedAlarm } from '../../tools/drill/synthesized-alarm';
import { config as makeConfig } from '../support/config';

const MINUTE = 60_000;
const LB = [{ Name: 'LoadBalancer', Value: 'app/chatbot-api/50dc6c495c0c9188' }];
const stat = (id: string, metricName: string): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: LB }, Period: 60, Stat: 'Sum' },
  ReturnData: false,
});

describe('the drill CloudWatch: metric math on moto, and the alarm as synthesized', () => {
  let moto: Moto | undefined;
  let cloudwatch: CloudWatchClient;
  /** Five whole minutes, the first ten minutes ago: 1000 requests a minute (none in the last), 5xx 10, 10, 120, 120, none. */
  const first = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
  before(async () => {
    moto = await acquireMoto();
    cloudwatch = withMetricMath(new CloudWatchClient(moto.clientConfig));
    const put = (metricName: string, values: (number | undefined)[]) =>
      cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/ApplicationELB',
          MetricData: values.flatMap((Value, i) =>
            Value === undefined ? [] : [{ MetricName: metricName, Dimensions: LB, Timestamp: new Date(first + i * MINUTE), Value }],
          ),
        }),
      );
    await put('RequestCount', [1000, 1000, 1000, 1000, 0]);
    await put('HTTPCode_Target_5XX_Count', [10, 10, 120, 120, undefined]);
  });
  after(async () => {
    await moto?.stop();
  });

  it("evaluates the alarm's expression over moto's statistics, expressions built on expressions included", async () => {
    const { MetricDataResults } = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          stat('errors', 'HTTPCode_Target_5XX_Count'),
          stat('requests', 'RequestCount'),
          { Id: 'rate', Expression: 'IF(requests > 0, errors / requests, 0)', Label: 'API 5xx error rate', ReturnData: false },
          { Id: 'percent', Expression: '100 * rate', ReturnData: true },
        ],
        StartTime: new Date(first),
        EndTime: new Date(first + 5 * MINUTE),
        ScanBy: 'TimestampAscending',
      }),
    );
    assert.deepEqual(
      MetricDataResults?.map((r) => r.Id),
      ['percent'],
      'only the queries that return data',
    );
    const [percent] = MetricDataResults!;
    // A minute without 5xx counts as none against its requests; a minute without requests is 0, not a division by zero.
    assert.deepEqual(percent!.Values, [1, 1, 12, 12, 0]);
    assert.deepEqual(
      percent!.Timestamps!.map((t) => t.getTime()),
      [0, 1, 2, 3, 4].map((i) => first + i * MINUTE),
    );
  });

  it('returns the newest first unless asked otherwise, as CloudWatch does', async () => {
    const { MetricDataResults } = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [
          stat('errors', 'HTTPCode_Target_5XX_Count'),
          stat('requests', 'RequestCount'),
          { Id: 'rate', Expression: 'errors / requests', ReturnData: true },
        ],
        StartTime: new Date(first),
        EndTime: new Date(first + 5 * MINUTE),
      }),
    );
    assert.deepEqual(MetricDataResults![0]!.Values, [0.12, 0.12, 0.01, 0.01]);
  });

  it('leaves a call without an expression to moto', async () => {
    const { MetricDataResults } = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [{ ...stat('errors', 'HTTPCode_Target_5XX_Count'), ReturnData: true }],
        StartTime: new Date(first),
        EndTime: new Date(first + 5 * MINUTE),
        ScanBy: 'TimestampAscending',
      }),
    );
    assert.deepEqual(MetricDataResults![0]!.Values, [10, 10, 120, 120]);
  });

  it("creates HighAPIErrorRate as the stack synthesizes it, and a page's context shows its datapoints against the threshold", async () => {
    const config = makeConfig();
    const name = alarmName(config.prefix, 'HighAPIErrorRate', 'chatbot-api');
    await putSynthesizedAlarm(cloudwatch, (await synthesizedTemplates(config)).values(), name);
    const clients = { ...createClients(moto!.clientConfig), cloudwatch };
    const incident = {
      incidentId: `${name}@x`,
      alarmName: name,
      alertId: 'HighAPIErrorRate',
      service: 'chatbot-api',
      openedAt: new Date(first + 5 * MINUTE).toISOString(),
      triggers: [],
    } as unknown as Incident;
    const context = await gatherContext({ clients, config, now: new Date(first + 6 * MINUTE) }, incident, []);
    assert.equal(context.datapoints?.metric, 'API 5xx error rate');
    assert.equal(context.datapoints?.threshold, 0.05);
    assert.deepEqual(
      context.datapoints?.points.map((p) => p.value),
      [0.01, 0.01, 0.12, 0.12, 0],
    );
    const lines = contextLines(context);
    assert.ok(lines.includes('Alarm datapoints (API 5xx error rate, per 60 s; alarm when > 0.05):'), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('  0.01 0.01 0.12* 0.12* 0 (')),
      lines.join('\n'),
    );
    assert.ok(!context.unavailable.some((u) => u.startsWith('Alarm datapoints')), context.unavailable.join('; '));
  });

  it('refuses an alarm no synthesized stack declares', async () => {
    const config = makeConfig();
    await assert.rejects(
      putSynthesizedAlarm(cloudwatch, (await synthesizedTemplates(config)).values(), 'chatbot-NoSuchAlarm'),
      /no synthesized stack declares the alarm chatbot-NoSuchAlarm/,
    );
  });
});
