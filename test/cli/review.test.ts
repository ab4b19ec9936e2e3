import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { acknowledgeIncident, resolveIncident } from '../../lambdas/escalation/incident-lifecycle';
import { verifyAction } from '../../lambdas/escalation/verifier';
import { ReportJson } from '../../lib/cli/json-shapes';
import { oncall } from '../support/cli';
import { useEscalation } from '../support/escalation';
import { HISTORY_HYGIENE, seedHistory } from '../support/history';

const { fresh } = useEscalation();

describe('oncall review', () => {
  it('writes the skeleton of an incident the real responders and escalation produced: every timeline event, the due date', async () => {
    // GIVEN the HighAPIErrorRate alarm in ALARM, the real starter and responder, a rollback that does not clear it
    const h = await fresh();
    await h.putAlarm('HighAPIErrorRate', 'chatbot-api', { value: 'ALARM', reason: 'drill' });
    const { incidentId } = await h.alarm({ alertId: 'HighAPIErrorRate', instance: 'chatbot-api' });
    const acted = (await h.deps.audit.listSince('1970')).filter((a) => a.decision === 'acted');
    assert.ok(acted.length > 0, 'the responder acted');
    // the verification, as its execution runs it after the window
    for (const a of acted) assert.equal(await verifyAction(h.deps, { actionId: a.actionId }), 'ineffective');
    await acknowledgeIncident(h.deps, incidentId!, 'alice');
    const resolved = await resolveIncident(h.deps, incidentId!, 'bob', 'rolled back by hand');
    const timeline = await h.deps.store.timeline(incidentId!);
    assert.deepEqual([...new Set(timeline.map((e) => e.type))].sort(), ['ack', 'fired', 'ineffective', 'page', 'resolved']);

    // WHEN
    const run = await oncall(h.moto, ['review', incidentId!]);

    // THEN
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n');
    const positions = timeline.map((e) => lines.findIndex((l) => l.includes(`**${e.type}**: ${e.detail}`)));
    assert.ok(
      positions.every((p) => p >= 0),
      `events missing from the review:\n${run.stdout}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'in order',
    );
    const due = new Date(Date.parse(resolved.resolvedAt!) + 48 * 3_600_000).toISOString();
    assert.ok(lines.includes(`Due: ${due.slice(0, 16).replace('T', ' ')}Z (48 hours after resolution, runbook Step 5 for P1)`), run.stdout);
    assert.match(
      run.stdout,
      /### ecs-rollback on ecs:prod\/chatbot-api[\s\S]*- Outcome: ineffective: chatbot-HighAPIErrorRate-chatbot-api still in ALARM 5 min after the action\n- Revert: `npx oncall revert/,
    );
    assert.match(run.stdout, /- \[ \] Find out why ecs-rollback on ecs:prod\/chatbot-api did not clear `chatbot-HighAPIErrorRate-chatbot-api`/);
    assert.match(run.stdout, /- Resolved: .* by bob, .* after opening: rolled back by hand/);

    // and --out writes the same Markdown to a file
    const dir = await mkdtemp(join(tmpdir(), 'oncall-review-'));
    try {
      const file = join(dir, 'review.md');
      const out = await oncall(h.moto, ['review', incidentId!, '--out', file]);
      assert.equal(out.status, 0, out.stderr);
      assert.equal(out.stdout, `review of ${incidentId} written to ${file} (due ${due})\n`);
      assert.equal(await readFile(file, 'utf8'), run.stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unknown incident is NOT_FOUND (3)', async () => {
    const h = await fresh();
    const run = await oncall(h.moto, ['review', 'nope']);
    assert.equal(run.status, 3);
    assert.match(run.stderr, /no incident nope/);
  });
});

/** Every field name of the documented shape (lib/cli/json-shapes.ts), which docs/oncall-cli.md must name too. */
const fieldsOf = (shape: z.ZodType): string[] => {
  if (shape instanceof z.ZodObject) return Object.entries(shape.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [k, ...fieldsOf(v)]);
  if (shape instanceof z.ZodArray) return fieldsOf(shape.element as z.ZodType);
  return [];
};

describe('oncall report', () => {
  it('figures of a seeded history written through the incident store and the audit log', async () => {
    // GIVEN test/support/history.ts, from ten days ago
    const h = await fresh();
    const base = new Date(Math.floor((Date.now() - 10 * 86_400_000) / 3_600_000) * 3_600_000);
    await seedHistory(h.deps.store, h.deps.audit, base);

    // WHEN
    const json = await oncall(h.moto, ['report', '--json']);
    const table = await oncall(h.moto, ['report']);
    const recent = await oncall(h.moto, ['report', '--since', '1d']);
    const bad = await oncall(h.moto, ['report', '--since', 'soon']);

    // THEN --json parses and has the documented shape, no field more or less
    assert.equal(json.status, 0, json.stderr);
    const parsed = ReportJson.safeParse(JSON.parse(json.stdout));
    assert.ok(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
    const report = parsed.data;
    assert.equal(Date.parse(report.until) - Date.parse(report.since), 90 * 86_400_000, 'default window 90 days');
    const manual = await readFile(join(__dirname, '..', '..', 'docs', 'oncall-cli.md'), 'utf8');
    const fields = new Set(fieldsOf(ReportJson));
    assert.equal(fields.size, 20);
    for (const field of fields) assert.ok(manual.includes(`"${field}"`), `docs/oncall-cli.md documents ${field}`);

    // and the figures computed by hand (see test/cli/report/hygiene.test.ts for the derivation)
    assert.deepEqual(report.alerts, HISTORY_HYGIENE);
    assert.deepEqual(
      report.candidates.map((c) => `${c.alertId} ${c.rule}`),
      ['UnusualErrorRateIncrease retire-or-downgrade', 'HighAPIErrorRate tune-duration', 'HighAPIErrorRate check-routing'],
    );

    // the table and the candidate list, for people
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /HighAPIErrorRate +P1 +3 +3 +1 \(33%\) +3 +20m \/ 25m +40m \/ 1h +2/);
    assert.match(
      table.stdout,
      /Candidates to tune or retire:\n- UnusualErrorRateIncrease: retire or downgrade: fired 3 times, never acted on, never acknowledged\n- HighAPIErrorRate: tune duration: flapped 2 times/,
    );
    // the window counts: nothing opened in the last day; a bad span is a usage error
    assert.equal(recent.status, 0, recent.stderr);
    assert.match(recent.stdout, /^no alert fired since /);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since: not a duration: "soon"/);
  });
});
