import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withAlertTable } from '../lib/docs/alert-table';
import { ALERTS } from '../lib/catalog';
import { ConfigSchema } from '../lib/config/schema';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');

describe('README.md', () => {
  it('documents every top-level config field', () => {
    for (const field of Object.keys(ConfigSchema.shape)) assert.ok(README.includes(`| \`${field}\``), `config field ${field} is not in the config reference`);
  });

  it('gives the quick start commands', () => {
    assert.match(README, /npm ci && npm run demo/);
    assert.match(README, /npm test/);
  });
});

describe('docs/alerts.md', () => {
  const page = read('docs/alerts.md');

  it('lists the current catalog (run `npm run docs` after changing it)', () => {
    assert.equal(page, withAlertTable(page));
    for (const alert of ALERTS) assert.ok(page.includes(`[${alert.id}](../runbooks/${alert.id}.md) | ${alert.severity} |`), alert.id);
  });
});
