import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';

const { fresh } = useEscalation();

describe('oncall actions', () => {
  it('lists what the real responders did, as a table and as JSON', async () => {
    // GIVEN a rollback and a kill switch done by the real responder, in moto
    const h = await fresh();
    const { incidentId } = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    await h.alarm({ alertId: 'ModelAccuracyDrop' });
    // WHEN
    const table = await oncall(h.moto, ['actions', '--since', '1h']);
    const json = await oncall(h.moto, ['actions', '--json']);
    const filtered = await oncall(h.moto, ['actions', '--incident', incidentId!, '--json']);
    // THEN
    assert.equal(table.status, 0, table.stderr);
    assert.equal(table.stderr, '', "nothing on stderr: not the AWS SDK's Node-version notice either");
    assert.match(
      table.stdout,
      /HighAPIErrorRate +ecs-rollback +ecs:prod\/chatbot-api +enabled +acted +taskDefinition: chatbot-api:2 -> chatbot-api:1 +succeeded/,
    );
    assert.match(table.stdout, /ModelAccuracyDrop +ai-kill-switch +ssm:\/feature\/ai-model +enabled +acted +value: true -> false +succeeded/);
    assert.match(table.stdout, /\(\d+s ago\)/, 'relative times');
    assert.ok(!table.stdout.includes('\u001b['), 'no colour when not on a terminal');
    const records = JSON.parse(json.stdout) as { mitigation: string; decision: string }[];
    assert.equal(records.length, 5);
    assert.deepEqual(
      (JSON.parse(filtered.stdout) as { alertId: string }[]).map((r) => r.alertId),
      ['HighAPIErrorRate', 'HighAPIErrorRate', 'HighAPIErrorRate', 'HighAPIErrorRate'],
    );
  });

  it('says why it cannot answer: unknown incident (3), unreachable endpoint (4), missing table (4), unknown env (2)', async () => {
    const h = await fresh();
    const unknown = await oncall(h.moto, ['actions', '--incident', 'nope']);
    assert.equal(unknown.status, 3);
    assert.match(unknown.stderr, /no incident nope/);
    const down = await oncall({ endpoint: 'http://127.0.0.1:9' }, ['actions']);
    assert.equal(down.status, 4);
    assert.match(down.stderr, /cannot reach the AWS endpoint http:\/\/127\.0\.0\.1:9/);
    const missing = await oncall(h.moto, ['actions', '--env', 'staging']);
    assert.equal(missing.status, 4);
    assert.match(missing.stderr, /the audit table chatbot-staging-alerting-audit does not exist here/);
    const env = await oncall(h.moto, ['actions', '--env', 'prod-eu']);
    assert.equal(env.status, 2);
    assert.match(env.stderr, /unknown environment "prod-eu"; known: default, staging/);
  });
});
