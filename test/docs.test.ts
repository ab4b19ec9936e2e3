import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { withAlertTable } from '../tools/docs/alert-table';
import { ALERTS } from '../lib/core/catalog';
import { ConfigSchema } from '../lib/core/config/schema';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const README = read('README.md');

describe('README.md', () => {
  it('gives the quick start commands', () => {
    assert.match(README, /npm ci && npm run demo/);
    assert.match(README, /npm test/);
  });

  it('stays a front page (issue #12: at most ~250 lines; the rest lives in docs/)', () => {
    assert.ok(README.split('\n').length <= 250, `README.md has ${README.split('\n').length} lines`);
  });

  it('maps every page of docs/', () => {
    for (const page of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')))
      assert.ok(README.includes(`](docs/${page})`), `README.md does not link docs/${page}`);
  });
});

describe('docs/configuration.md', () => {
  it('documents every top-level config field', () => {
    const page = read('docs/configuration.md');
    for (const field of Object.keys(ConfigSchema.shape)) assert.ok(page.includes(`| \`${field}\``), `config field ${field} is not in the config reference`);
  });
});

describe('docs/alerts.md', () => {
  const page = read('docs/alerts.md');

  it('lists the current catalog (run `npm run docs` after changing it)', () => {
    assert.equal(page, withAlertTable(page));
    for (const alert of ALERTS) assert.ok(page.includes(`[${alert.id}](../runbooks/${alert.id}.md) | ${alert.severity} |`), alert.id);
  });
});

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const FENCED_CODE = /^```[^\n]*\n[\s\S]*?^```$/gm;

/** Markdown text without code (fenced or inline), where brackets are not links. */
const prose = (text: string) => text.replace(FENCED_CODE, '').replace(/`[^`\n]*`/g, '');

const anchorsOf = (path: string) =>
  new Set(
    [
      ...readFileSync(path, 'utf8')
        .replace(FENCED_CODE, '')
        .matchAll(/^#+ (.*)$/gm),
    ].map((m) => anchor(m[1]!.replace(/`/g, ''))),
  );

/** The source runbook is the seed, word for word: its links point at pages of the project it came from. */
const SOURCE_RUNBOOK = 'docs/production-alerting-runbook.md';

/** Every `*.ts` file under a directory of the repository. */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesUnder(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
  );

describe('links from code to the docs', () => {
  it('every docs/<page>.md#<heading> a message of lib/ or lambdas/ names exists (the quota guard links docs/configuration.md#fleets-and-iam)', () => {
    const links = [
      ...new Set(
        ['lib', 'lambdas'].flatMap(sourcesUnder).flatMap((file) => [...read(file).matchAll(/docs\/([\w-]+\.md)#([\w-]+)/g)].map((m) => `${m[1]}#${m[2]}`)),
      ),
    ];
    assert.ok(links.includes('configuration.md#fleets-and-iam'), links.join(', '));
    const broken = links.filter((link) => {
      const [page, heading] = link.split('#') as [string, string];
      return !existsSync(join(ROOT, 'docs', page)) || !anchorsOf(join(ROOT, 'docs', page)).has(heading);
    });
    assert.deepEqual(broken, []);
  });
});

describe('relative links', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`)
      .filter((p) => p !== SOURCE_RUNBOOK),
    ...readdirSync(join(ROOT, 'runbooks')).map((f) => `runbooks/${f}`),
  ];

  for (const page of pages) {
    it(`every relative link of ${page} reaches an existing file (and heading)`, () => {
      const broken: string[] = [];
      for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
        const [file, fragment] = target!.split('#') as [string, string | undefined];
        const path = file === '' ? join(ROOT, page) : join(ROOT, dirname(page), file);
        if (!existsSync(path)) broken.push(`${target} (no ${relative(ROOT, path)})`);
        else if (fragment !== undefined && path.endsWith('.md') && !anchorsOf(path).has(fragment)) broken.push(`${target} (no heading #${fragment})`);
      }
      assert.deepEqual(broken, []);
    });
  }
});
