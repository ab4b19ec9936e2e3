import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withAlertTable } from '../lib/docs/alert-table';
import { ALERTS } from '../lib/catalog';
import { ConfigSchema } from '../lib/config/schema';

const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it('lists the current catalog (run `npm run docs` after changing it)', () => {
    assert.equal(README, withAlertTable(README));
    for (const alert of ALERTS) assert.ok(README.includes(`[${alert.id}](runbooks/${alert.id}.md) | ${alert.severity} |`), alert.id);
  });

  it('documents every top-level config field', () => {
    for (const field of Object.keys(ConfigSchema.shape)) assert.ok(README.includes(`| \`${field}\``), `config field ${field} is not in the config reference`);
  });

  it('gives the quick start commands', () => {
    assert.match(README, /npm ci && npm run demo/);
    assert.match(README, /npm test/);
  });
});
