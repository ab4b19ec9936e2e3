import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALERTS, ESCALATION_POLICIES, MITIGATION_IDS, SEVERITY_LEVELS, findAlert, type Role } from '../lib/core/catalog';
import { renderEscalation, withEscalation } from '../tools/docs/runbook-escalation';
import { config as configWith, DEFAULT_INPUT } from './support/config';

const DIR = join(__dirname, '..', 'runbooks');
const files = readdirSync(DIR).filter((f) => f.endsWith('.md'));
const read = (id: string) => readFileSync(join(DIR, `${id}.md`), 'utf8');

/** The seed's runbook template, in order. */
const SECTIONS = ['Symptoms', 'Impact', 'Diagnosis', 'Mitigation', 'Resolution', 'Prevention', 'Related Alerts', 'Escalation'];

/** How a page names each role in prose. */
const ROLE_WORDS: Readonly<Record<Role, RegExp>> = {
  'on-call-primary': /primary/i,
  'on-call-secondary': /secondary/i,
  'senior-engineer': /senior engineer/i,
  'on-call-manager': /manager/i,
  'vp-engineering': /VP Engineering/i,
  cto: /CTO/,
  'incident-commander': /incident commander/i,
  'security-team': /security team/i,
  'customer-success': /customer success/i,
};

/** "30 min", "1 hour", "4 hours", "next business day" for 24 h. */
function whenPattern(minutes: number): RegExp {
  if (minutes === 0) return /0 min|at once|immediately/i;
  if (minutes === 24 * 60) return /24 hours|next business day/i;
  if (minutes % 60 === 0) return new RegExp(`${minutes / 60} hours?|${minutes} min`);
  return new RegExp(`${minutes} min`);
}

function section(text: string, name: string): string {
  const start = text.indexOf(`\n## ${name}\n`);
  if (start < 0) return '';
  const next = text.indexOf('\n## ', start + 4);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('runbooks/', () => {
  it('has one page per catalog alert and no page without one', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.md$/, '')).sort(), ALERTS.map((a) => a.id).sort());
  });

  for (const alert of ALERTS) {
    it(`${alert.id}.md follows the template and says what the automation does`, () => {
      const text = read(alert.id);
      assert.match(text, new RegExp(`^# Runbook: .+\\n\\n\\*\\*Alert\\*\\*: ${alert.id}\\n`));
      assert.match(text, new RegExp(`\\*\\*Severity\\*\\*: ${alert.severity} \\(${SEVERITY_LEVELS[alert.severity].name}\\)`));
      assert.match(text, /\*\*Trigger\*\*: .+/);
      let last = -1;
      for (const name of SECTIONS) {
        const at = text.indexOf(`\n## ${name}\n`);
        assert.ok(at > last, `section ${name} missing or out of order`);
        last = at;
      }
      const mitigation = section(text, 'Mitigation');
      assert.match(mitigation, /\*\*Automatic\*\*:/);
      for (const id of MITIGATION_IDS) {
        const named = mitigation.includes(`\`${id}\``);
        assert.equal(named, alert.mitigations.includes(id), `${id} ${named ? 'named but not wired' : 'wired but not named'} in the Mitigation section`);
      }
      if (alert.mitigations.length === 0) assert.match(mitigation, /\*\*Automatic\*\*: none\./);
      for (const related of alert.relatedAlerts) assert.ok(section(text, 'Related Alerts').includes(`(${related}.md)`), `related ${related}`);
      if (alert.decision !== undefined) assert.match(text, /\n## Why these numbers\n/);
      const escalation = section(text, 'Escalation');
      assert.ok(escalation.includes(alert.escalationPolicy), `escalation section names policy ${alert.escalationPolicy}`);
      for (const step of ESCALATION_POLICIES[alert.escalationPolicy].steps) {
        for (const role of step.page) assert.match(escalation, ROLE_WORDS[role], `role ${role}`);
        if (step.ticket) assert.match(escalation, /ticket/i, 'the ticket step');
        if (step.page.length > 0)
          assert.match(escalation, step.nextBusinessDay ? /next business day/i : whenPattern(step.afterMinutes), `step at ${step.afterMinutes} min`);
      }
    });
  }

  it('Escalation sections are the current policy and default config (run `npm run docs` after changing either)', () => {
    const config = configWith();
    for (const alert of ALERTS) assert.equal(read(alert.id), withEscalation(read(alert.id), alert, config), `runbooks/${alert.id}.md is stale`);
  });

  it('an Escalation section names who is reached, without phone numbers or webhook paths', () => {
    // GIVEN a team with contacts on the roles of a P1 policy, and a tracker
    const config = configWith({
      subscriptions: {
        'on-call-primary': [{ email: 'alice@example.com' }, { sms: '+15551234567' }],
        'incident-commander': [{ https: 'https://hooks.example.com/services/T000/B000/secret-key' }],
      },
      integrations: {
        ...DEFAULT_INPUT.integrations,
        tickets: { provider: 'github', tokenSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:gh', repository: 'acme/ops' },
      },
    });
    // WHEN the P1 and P4 sections are rendered
    const p1 = renderEscalation(findAlert('HighAPIErrorRate')!, config);
    const p4 = renderEscalation(findAlert('ModelRetrained')!, config);
    // THEN each step names its contacts, masked where a contact is sensitive, and P4 files a backlog ticket
    assert.match(
      p1,
      /\| 0 min \| the incident opens \| on-call primary, incident commander, customer success \| on-call primary: email alice@example\.com, SMS …4567; incident commander: HTTPS hooks\.example\.com;/,
    );
    assert.doesNotMatch(p1, /5551234567|secret-key/);
    assert.match(p1, /\| 30 min \| still open \| senior engineer \| senior engineer: nobody subscribed/);
    assert.match(p4, /backlog ticket is filed in github/);
  });

  it('no two pages are copies with the names swapped', () => {
    // Compare Symptoms+Diagnosis with alert ids and numbers masked: near-identical text means a copy.
    const body = (id: string) => {
      const text = read(id);
      return (section(text, 'Symptoms') + section(text, 'Diagnosis'))
        .replace(new RegExp(ALERTS.map((a) => a.id).join('|'), 'g'), 'ID')
        .replace(/\d+(\.\d+)?/g, 'N');
    };
    const shingles = (text: string) => {
      const words = text.split(/\s+/);
      return new Set(words.slice(0, -4).map((_, i) => words.slice(i, i + 5).join(' ')));
    };
    const sets = new Map(ALERTS.map((a) => [a.id, shingles(body(a.id))]));
    for (const a of ALERTS) {
      for (const b of ALERTS) {
        if (a.id >= b.id) continue;
        const x = sets.get(a.id)!;
        const y = sets.get(b.id)!;
        const shared = [...x].filter((s) => y.has(s)).length;
        const similarity = shared / Math.min(x.size, y.size);
        assert.ok(similarity < 0.5, `${a.id} and ${b.id} share ${(similarity * 100).toFixed(0)}% of their symptoms and diagnosis`);
      }
    }
  });
});
