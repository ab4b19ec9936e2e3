import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..');
const demo = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'tools/demo.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
/** One drill for the tests that read its printed log (about 30 s each): it prints the same story every time. */
let printed: ReturnType<typeof demo> | undefined;
const drill = () => (printed ??= demo());

describe('npm run demo (the local drill)', () => {
  it('acts on the four HighAPIErrorRate causes and the kill switch, and prints them with before -> after', () => {
    const run = drill();
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /NodeVersionSupportWarning/, "the AWS SDK's Node-version notice is not printed before the drill");
    for (const line of [
      /ecs-rollback +ecs:prod\/chatbot-api +enabled +acted +taskDefinition: chatbot-api:2 -> chatbot-api:1 +succeeded/,
      /fallback-mode +ssm:\/chatbot\/fallback-mode +enabled +acted +value: false -> true +succeeded/,
      /rds-scale-up +rds:chatbot-db +enabled +acted +instanceClass: db\.r6g\.large -> db\.r6g\.2xlarge +succeeded/,
      /rate-limit +ssm:\/chatbot\/rate-limit +enabled +acted +value: 0 -> 100 +succeeded/,
      /ModelAccuracyDrop +ai-kill-switch +ssm:\/feature\/ai-model +enabled +acted +value: true -> false +succeeded/,
      /DataLeakDetected +ai-kill-switch .* skipped .* \/feature\/ai-model is already false/,
    ]) {
      assert.match(run.stdout, line);
    }
  });

  it('escalates the first incident with the real state machine, in the matrix order and at its minutes, until the alarm clears', () => {
    const run = drill();
    assert.equal(run.status, 0, run.stderr);
    const escalation = run.stdout.slice(run.stdout.indexOf('Escalation of the first incident'));
    const timeline = escalation.slice(0, escalation.indexOf('messages reached the role topics'));
    // The schedule's own minutes, whatever the emulator's speed: a P1 pages at once, the matrix's steps at theirs.
    assert.match(timeline, /^ {2}t\+ {2}0 min {2}page {10}paged on-call-primary, incident-commander, customer-success: /m, timeline);
    assert.match(timeline, /^ {2}t\+ 15 min {2}page {10}paged on-call-primary, on-call-secondary: /m, timeline);
    assert.match(timeline, /^ {2}t\+ 30 min {2}page {10}paged senior-engineer: /m, timeline);
    assert.match(timeline, /^ {2}t\+ 40 min {2}ack {11}acknowledged by alice \(drill\)$/m, timeline);
    const minutes = [...timeline.matchAll(/^ {2}t\+ *(\d+) min {2}(\S+) +(.*)$/gm)].map(([, at, type, detail]) => ({ at: Number(at), type, detail }));
    const resolve = minutes.find((e) => e.type === 'resolved' && e.detail!.startsWith('resolved by alarm OK'));
    assert.equal(resolve?.at, 50, timeline);
    assert.deepEqual(
      minutes.filter((e) => e.at > resolve!.at),
      [],
      'nothing in the timeline comes after the resolve',
    );
    assert.ok(
      minutes.some((e) => e.type === 'integration' && e.at === 0 && e.detail!.startsWith('Slack channel')),
      'the channel opens with the first page',
    );
    const order = [
      'fired ',
      'paged on-call-primary, incident-commander, customer-success',
      'paged on-call-primary, on-call-secondary',
      'paged senior-engineer',
      'acknowledged by alice (drill)',
      'resolved by alarm OK',
    ].map((text) => escalation.indexOf(text));
    assert.ok(
      order.every((at) => at >= 0),
      escalation,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      escalation,
    );
    assert.match(escalation, /Automation so far:\n\s+\| {3}- ecs-rollback on ecs:prod\/chatbot-api: acted, succeeded/);
    // The alarm exists as the stack declares it, fed with the metrics that fired it: the page shows them.
    assert.match(escalation, /\| Alarm datapoints \(API 5xx error rate, per 60 s; alarm when > 0\.05\):\n\s+\| {3}(0\.01 )+(0\.12\* )+/, escalation);
    assert.doesNotMatch(escalation, /Context unavailable/);
  });

  it('shows the incident channel, the status page and PagerDuty that the collaboration function kept', () => {
    const run = drill();
    assert.equal(run.status, 0, run.stderr);
    const collaboration = run.stdout.slice(run.stdout.indexOf('What the collaboration function made of it'));
    assert.match(
      collaboration,
      /Slack #incident-\d{4}-\d{2}-\d{2}, members U0ONCALL1, U0ONCALL2:\n\s+\| :rotating_light: \*Paged on-call-primary, incident-commander, customer-success\*/,
    );
    // In the order it happened: customers hear at the first page (the rollback had begun), before the re-page.
    assert.match(
      collaboration,
      /\| :satellite: status page incident opened \(identified\)[^\n]*\n\s+\| :rotating_light: \*Paged on-call-primary, on-call-secondary\*/,
    );
    assert.match(collaboration, /\| :robot_face: \*\[P1\] automation did ecs-rollback on ecs:prod\/chatbot-api/);
    assert.match(collaboration, /\| :white_check_mark: \*Resolved\* by alarm OK/);
    assert.match(collaboration, /Status page "Outage: chatbot-api": identified -> resolved; components \{"8kbf7d35c070":"operational"\}/);
    assert.match(collaboration, /PagerDuty: trigger, trigger, trigger, acknowledge, resolve/);
  });

  it('--json prints the same log as JSON', () => {
    const run = demo('--json');
    assert.equal(run.status, 0, run.stderr);
    const records = JSON.parse(run.stdout) as { mitigation: string; decision: string; before: Record<string, unknown>; after: Record<string, unknown> }[];
    const acted = records.filter((r) => r.decision === 'acted').map((r) => r.mitigation);
    assert.deepEqual(acted, ['ecs-rollback', 'fallback-mode', 'rds-scale-up', 'rate-limit', 'ai-kill-switch']);
    assert.equal(records.find((r) => r.mitigation === 'ecs-rollback' && r.decision === 'acted')!.after.taskDefinition, 'chatbot-api:1');
  });
});
