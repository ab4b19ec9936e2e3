import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ActionRecord } from '../../../lambdas/shared/storage/audit-log';
import type { Incident, TimelineEvent } from '../../../lambdas/shared/storage/incident';
import type { Severity } from '../../../lib/core/catalog';
import { renderReview, reviewDue } from '../../../lib/cli/report/review';

const ALARM = 'chatbot-HighAPIErrorRate-chatbot-api';
const OPENED = '2026-11-27T13:00:00.000Z';
const ID = `${ALARM}@${OPENED}`;
const NOW = new Date('2026-11-27T16:00:00.000Z');
const t = (minutes: number, seconds = 0) => new Date(Date.parse(OPENED) + minutes * 60_000 + seconds * 1000).toISOString();

const INCIDENT: Incident = {
  incidentId: ID,
  alarmName: ALARM,
  alertId: 'HighAPIErrorRate',
  service: 'chatbot-api',
  severity: 'P1',
  policyId: 'p1-api-errors',
  summary: 'API error rate above 5%',
  runbookUrl: 'https://github.com/example-org/runbook-alerting/blob/main/runbooks/HighAPIErrorRate.md',
  customerFacing: true,
  status: 'resolved',
  openedAt: OPENED,
  triggers: [ID, `chatbot-HighAPILatency-chatbot-api@${t(3)}`],
  openAlarms: [],
  ackedAt: t(22),
  ackedBy: 'alice',
  resolvedAt: t(90),
  resolvedBy: 'bob',
  resolveNote: 'rolled back by hand',
  timeToResolveSeconds: 5400,
};

const TIMELINE: TimelineEvent[] = [
  { at: OPENED, type: 'fired', detail: `${ALARM} (P1) in ALARM: Threshold Crossed` },
  { at: t(0, 1), type: 'page', detail: 'paged on-call-primary, incident-commander: new incident' },
  { at: t(3), type: 'joined', detail: 'chatbot-HighAPILatency-chatbot-api (P2) joined: P95 latency above 2 s' },
  { at: t(6), type: 'ineffective', detail: `ecs-rollback on ecs:prod/chatbot-api did not clear ${ALARM} within 5 min` },
  { at: t(6, 1), type: 'page', detail: 'paged on-call-primary, on-call-secondary: automatic ecs-rollback was ineffective' },
  { at: t(22), type: 'ack', detail: 'acknowledged by alice' },
  { at: t(90), type: 'resolved', detail: 'resolved by bob after 1h30m: rolled back by hand' },
];

const action = (fields: Partial<ActionRecord>): ActionRecord => ({
  actionId: 'a1',
  incidentId: ID,
  alarmName: ALARM,
  alertId: 'HighAPIErrorRate',
  service: 'chatbot-api',
  severity: 'P1',
  mitigation: 'ecs-rollback',
  target: 'ecs:prod/chatbot-api',
  mode: 'enabled',
  decision: 'acted',
  reason: 'recent deployment (12 min ago)',
  outcome: 'ineffective',
  evidence: {},
  before: { taskDefinition: 'chatbot-api:2' },
  desired: { taskDefinition: 'chatbot-api:1' },
  after: { taskDefinition: 'chatbot-api:1' },
  error: `${ALARM} still in ALARM 5 min after the action`,
  revertCommand: 'npx oncall revert a1',
  createdAt: t(1),
  updatedAt: t(6),
  ...fields,
});

const ACTIONS: ActionRecord[] = [
  action({}),
  action({
    actionId: 'a2',
    mitigation: 'fallback-mode',
    target: 'ssm:/chatbot/fallback-mode',
    decision: 'skipped',
    reason: 'LLM dependency healthy',
    outcome: undefined,
    before: undefined,
    desired: undefined,
    after: undefined,
    error: undefined,
    revertCommand: undefined,
  }),
  action({ actionId: 'other', incidentId: `${ALARM}@2026-11-20T00:00:00.000Z`, mitigation: 'rate-limit', target: 'ssm:/chatbot/rate-limit' }),
];

const review = (incident: Partial<Incident> = {}, input: { actions?: ActionRecord[]; history?: Incident[] } = {}) =>
  renderReview({
    incident: { ...INCIDENT, ...incident },
    timeline: TIMELINE,
    actions: input.actions ?? ACTIONS,
    history: input.history ?? [],
    prefix: 'chatbot',
    now: NOW,
  });

describe('reviewDue (runbook Step 5)', () => {
  const cases: { severity: Severity; resolvedAt?: string; due: ReturnType<typeof reviewDue> }[] = [
    { severity: 'P1', resolvedAt: t(90), due: { required: true, severity: 'P1', hours: 48, at: '2026-11-29T14:30:00.000Z', from: 'resolution' } },
    { severity: 'P2', resolvedAt: t(90), due: { required: true, severity: 'P2', hours: 168, at: '2026-12-04T14:30:00.000Z', from: 'resolution' } },
    { severity: 'P1', due: { required: true, severity: 'P1', hours: 48, at: '2026-11-29T16:00:00.000Z', from: 'now' } },
    { severity: 'P3', resolvedAt: t(90), due: { required: false, severity: 'P3' } },
    { severity: 'P4', due: { required: false, severity: 'P4' } },
  ];
  for (const c of cases) {
    it(`${c.severity} ${c.resolvedAt ? 'resolved' : 'unresolved'}: ${c.due.required ? `${c.due.hours} h after ${c.due.from}` : 'not required'}`, () => {
      const { resolvedAt: _r, ...open } = INCIDENT;
      assert.deepEqual(reviewDue({ ...open, severity: c.severity, ...(c.resolvedAt ? { resolvedAt: c.resolvedAt } : {}) }, NOW), c.due);
    });
  }

  const lines: { incident: Partial<Incident>; line: string }[] = [
    { incident: {}, line: 'Due: 2026-11-29 14:30Z (48 hours after resolution, runbook Step 5 for P1)' },
    { incident: { severity: 'P2' }, line: 'Due: 2026-12-04 14:30Z (1 week after resolution, runbook Step 5 for P2)' },
    {
      incident: { resolvedAt: undefined, status: 'open' },
      line: 'Due: 2026-11-29 16:00Z (48 hours from now: the incident is not resolved yet; the runbook counts from resolution)',
    },
    { incident: { severity: 'P3' }, line: 'Due: no review required by the runbook (P3)' },
    { incident: { severity: 'P4' }, line: 'Due: no review required by the runbook (P4)' },
  ];
  for (const c of lines) {
    it(`says "${c.line}"`, () => {
      assert.ok(review(c.incident).split('\n').includes(c.line), review(c.incident));
    });
  }
});

describe('renderReview', () => {
  const text = review();

  it('has the six sections, in order', () => {
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    assert.deepEqual(headings, [
      '## Summary',
      '## Impact',
      '## Timeline (UTC, relative to opening)',
      '## Automatic actions and their verification',
      '## What worked / what did not',
      '## Follow-ups',
    ]);
  });

  it('contains every timeline event, in order, in UTC, relative to the opening', () => {
    const lines = text.split('\n');
    const positions = TIMELINE.map((e) => lines.findIndex((l) => l.includes(`**${e.type}**: ${e.detail}`)));
    assert.ok(
      positions.every((p) => p >= 0),
      `missing events:\n${text}`,
    );
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
    );
    assert.ok(lines.includes(`- 2026-11-27 13:00:00Z (T+0s) **fired**: ${TIMELINE[0]!.detail}`));
    assert.ok(lines.includes('- 2026-11-27 13:06:01Z (T+6m1s) **page**: paged on-call-primary, on-call-secondary: automatic ecs-rollback was ineffective'));
    assert.ok(lines.includes('- 2026-11-27 14:30:00Z (T+1h30m) **resolved**: resolved by bob after 1h30m: rolled back by hand'));
    assert.ok(
      lines.includes(
        '- 2026-11-27 13:01:00Z (T+1m) **automatic action**: ecs-rollback on ecs:prod/chatbot-api: acted (enabled), taskDefinition: chatbot-api:2 -> chatbot-api:1',
      ),
    );
  });

  it('summarises the record: alert, severity, service, times and durations', () => {
    for (const line of [
      '- Alert: HighAPIErrorRate: API error rate above 5%',
      '- Service: chatbot-api',
      '- Opened: 2026-11-27 13:00:00Z',
      '- Acknowledged: 2026-11-27 13:22:00Z by alice, 22m after opening (target 15m)',
      '- Resolved: 2026-11-27 14:30:00Z by bob, 1h30m after opening: rolled back by hand',
    ]) {
      assert.ok(text.split('\n').includes(line), `lacks ${line}`);
    }
    assert.match(text, /- Severity: P1 \(Critical\)/);
    assert.match(
      text,
      /- Alarms: `chatbot-HighAPIErrorRate-chatbot-api` at 2026-11-27 13:00:00Z; `chatbot-HighAPILatency-chatbot-api` at 2026-11-27 13:03:00Z/,
    );
  });

  it('leaves impact to the author behind TODO markers, with the runbook link', () => {
    const impact = text.slice(text.indexOf('## Impact'), text.indexOf('## Timeline'));
    assert.match(impact, /Customer-facing: yes/);
    assert.match(impact, /Runbook: https:\/\/github\.com\/example-org\/runbook-alerting\/blob\/main\/runbooks\/HighAPIErrorRate\.md/);
    assert.equal(impact.match(/TODO\(author\):/g)?.length, 3);
  });

  it("lists the incident's actions (not other incidents') with decision, change, outcome and revert", () => {
    const section = text.slice(text.indexOf('## Automatic actions'), text.indexOf('## What worked'));
    assert.match(
      section,
      /### ecs-rollback on ecs:prod\/chatbot-api\n\n- Alarm: .*\n- Decision: acted \(mode enabled\): recent deployment \(12 min ago\)\n- Before -> after: taskDefinition: chatbot-api:2 -> chatbot-api:1\n- Outcome: ineffective: chatbot-HighAPIErrorRate-chatbot-api still in ALARM 5 min after the action\n- Revert: `npx oncall revert a1`/,
    );
    assert.match(
      section,
      /### fallback-mode on ssm:\/chatbot\/fallback-mode\n\n.*\n- Decision: skipped \(mode enabled\): LLM dependency healthy\n- Before -> after: -\n- Outcome: skipped, nothing changed\n- Revert: -/,
    );
    assert.ok(!section.includes('rate-limit'), 'an action of another incident');
  });

  const facts: {
    name: string;
    incident?: Partial<Incident>;
    actions?: ActionRecord[];
    history?: Incident[];
    worked: RegExp[];
    didNot: RegExp[];
    followUps: RegExp[];
  }[] = [
    {
      name: 'ineffective rollback, late ack',
      worked: [],
      didNot: [/- ecs-rollback on ecs:prod\/chatbot-api: ineffective/, /- acknowledged after 22m, later than the 15m target/],
      followUps: [
        /- \[ \] Find out why ecs-rollback on ecs:prod\/chatbot-api did not clear `chatbot-HighAPIErrorRate-chatbot-api`/,
        /- \[ \] Check routing and paging: acknowledged after 22m, the P1 target is 15m/,
      ],
    },
    {
      name: 'verified rollback, ack in time',
      incident: { ackedAt: t(10) },
      actions: [action({ outcome: 'verified', error: undefined })],
      worked: [/- ecs-rollback on ecs:prod\/chatbot-api: verified/, /- acknowledged after 10m, within the 15m target/],
      didNot: [],
      followUps: [],
    },
    {
      name: 'flapping: re-opened 20 min after the previous incident resolved',
      incident: { ackedAt: t(10) },
      actions: [],
      history: [{ ...INCIDENT, incidentId: `${ALARM}@${t(-120)}`, openedAt: t(-120), triggers: [`${ALARM}@${t(-120)}`], resolvedAt: t(-20) }],
      worked: [/- acknowledged after 10m, within the 15m target/],
      didNot: [
        /- chatbot-HighAPIErrorRate-chatbot-api fired 20m after the previous incident with it \(chatbot-HighAPIErrorRate-chatbot-api@2026-11-27T11:00:00\.000Z\) resolved/,
      ],
      followUps: [/- \[ \] Tune the alarm's duration or threshold \(flapping: chatbot-HighAPIErrorRate-chatbot-api fired 20m after/],
    },
    {
      name: 'the same alarm fired twice within the incident',
      incident: { ackedAt: t(10), triggers: [ID, `${ALARM}@${t(40)}`] },
      actions: [],
      worked: [/- acknowledged after 10m, within the 15m target/],
      didNot: [/- chatbot-HighAPIErrorRate-chatbot-api fired 2 times within this incident/],
      followUps: [/- \[ \] Tune the alarm's duration or threshold \(flapping: chatbot-HighAPIErrorRate-chatbot-api fired 2 times within this incident\)/],
    },
    {
      name: 'never acknowledged, past the target',
      incident: { ackedAt: undefined, ackedBy: undefined },
      actions: [],
      worked: [],
      didNot: [/- not acknowledged within the 15m target/],
      followUps: [/- \[ \] Check routing and paging: never acknowledged, the P1 target is 15m/],
    },
  ];
  for (const c of facts) {
    it(`derives what worked, what did not and the follow-ups: ${c.name}`, () => {
      const out = review(c.incident, { ...(c.actions ? { actions: c.actions } : {}), ...(c.history ? { history: c.history } : {}) });
      const worked = out.slice(out.indexOf('### Worked'), out.indexOf('### Did not work'));
      const didNot = out.slice(out.indexOf('### Did not work'), out.indexOf('## Follow-ups'));
      const followUps = out.slice(out.indexOf('## Follow-ups'));
      for (const r of c.worked) assert.match(worked, r);
      for (const r of c.didNot) assert.match(didNot, r);
      for (const r of c.followUps) assert.match(followUps, r);
      // Facts not listed are absent: every fact line is matched by one expectation.
      const factLines = (section: string) => section.split('\n').filter((l) => l.startsWith('- ') && !l.includes('TODO(author)'));
      assert.equal(factLines(worked).length, c.worked.length, worked);
      assert.equal(factLines(didNot).length, c.didNot.length, didNot);
      // The runbook's Step 5 items are always there.
      assert.match(followUps, /- \[ \] Write this review by 2026-11-29 14:30Z \(runbook Step 5\)/);
      assert.match(followUps, /- \[ \] Update the runbook based on learnings: https:\/\/github\.com\/.*HighAPIErrorRate\.md/);
      assert.match(followUps, /- \[ \] Implement preventive measures: TODO\(author\)/);
      assert.equal(followUps.split('\n').filter((l) => l.startsWith('- [ ]')).length, 3 + c.followUps.length);
    });
  }

  it('says when no automatic mitigation was considered', () => {
    assert.match(review({}, { actions: [] }), /## Automatic actions and their verification\n\nNo automatic mitigation was considered for this incident\./);
  });
});
