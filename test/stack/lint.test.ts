import { strict as assert } from 'node:assert';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildApp } from '../../lib/infra/app';
import { applyNagChecks } from '../../lib/infra/nag';
import { loadEnvironment } from '../../lib/core/config/environment';
import type { Config } from '../../lib/core/config/schema';
import { fleetConfig } from '../support/config';
import { findTool } from '../../tools/drill/tools';

const CFN_LINT = findTool('cfn-lint', "pip install 'cfn-lint>=1.51'");
const workdir = mkdtempSync(join(tmpdir(), 'alerting-lint-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

// A fleet with more than one alarm stack and IAM scoped by tag: the same shapes as a 1,000-service fleet, whose
// sizes the quota guard checks (test/stack/scale.test.ts). Stacks of 40 alarms make three of them out of 8 services:
// cfn-lint spends about 5 s on a stack of 300.
const ENVIRONMENTS: readonly [string, () => Config][] = [
  ['default', () => loadEnvironment('default')],
  ['staging', () => loadEnvironment('staging')],
  // Two regions and two accounts: the regional stacks, and the core stack's event bus policy.
  ['multi-account', () => loadEnvironment('multi-account')],
  ['fleet-8', () => ({ ...fleetConfig(8), maxAlarmsPerStack: 40 })],
];

/** Synthesizes with CDK's own template validation on, as `npm run synth` does. */
function synthTo(name: string, config: Config): string[] {
  const outdir = join(workdir, name);
  buildApp({ config, nag: false, appProps: { outdir } }).app.synth();
  return readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => join(outdir, f));
}

describe('official cfn-lint on every synthesized template', () => {
  // One cfn-lint run for every environment: it spends seconds loading its rules and the resource specs.
  let lint: SpawnSyncReturns<string>;
  const templates = new Map<string, string[]>();
  before(() => {
    for (const [name, load] of ENVIRONMENTS) templates.set(name, synthTo(name, load()));
    // A template with a misspelled property, linted in the same run, proves the run reports errors.
    mkdirSync(join(workdir, 'planted'));
    const planted = join(workdir, 'planted', 'bad.template.json');
    writeFileSync(planted, JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicNam: 'x' } } } }));
    templates.set('planted', [planted]);
    lint = spawnSync(CFN_LINT, ['--format', 'parseable', ...[...templates.values()].flat()], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
  });

  for (const [name] of ENVIRONMENTS) {
    it(`${name}: no errors`, () => {
      // THEN cfn-lint ran (it exits with a bit mask: 2 means errors, 4 warnings, 8 informational) and found no error here
      assert.equal(lint.error, undefined);
      assert.ok((templates.get(name) ?? []).length >= 2, 'a core stack and its alarm stacks');
      const errors = lint.stdout.split('\n').filter((line) => line.startsWith(join(workdir, name, '')) && /:E\d{4}:/.test(line));
      assert.deepEqual(errors, [], lint.stdout + lint.stderr);
    });
  }

  it('does catch an error (the check is live)', () => {
    assert.match(lint.stdout, /planted\/bad\.template\.json:\d+:\d+:\d+:\d+:E3002:.*TopicNam/);
    assert.equal(lint.status! & 2, 2, 'errors set the exit code');
  });
});

describe('cdk-nag AwsSolutions at synth', () => {
  /** Synthesizes with the nag pack registered as `npm run synth` does; returns the findings it reported. */
  function nagFindings(app: App): string[] {
    try {
      app.synth();
      return [];
    } catch (error) {
      const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: { ruleName: string; violatingConstructs?: { constructPath?: string }[] }[] }[];
      };
      const findings = report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
      assert.ok(findings.length > 0, `synth failed without findings: ${String(error)}`);
      return findings;
    }
  }

  // The default and staging environments, and IAM scoped by tag (its wildcards acknowledged with their condition).
  const nagged: readonly [string, () => Config][] = [...ENVIRONMENTS.slice(0, 2), ['fleet-5 (targets by tag)', () => fleetConfig(5, 'tags')]];
  for (const [name, load] of nagged) {
    it(`${name}: no unacknowledged finding on any stack`, () => {
      const built = buildApp({
        config: load(),
        appProps: { outdir: join(workdir, `nag-${name.split(' ')[0]}`), builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } },
      });
      assert.deepEqual(nagFindings(built.app), []);
    });
  }

  it('does catch a finding (the check is live)', () => {
    // GIVEN an unencrypted topic without SSL enforcement, in an app with the same checks
    const app = new App({ outdir: join(workdir, 'nag-bad') });
    applyNagChecks(app);
    new sns.Topic(new Stack(app, 'Bad'), 'Plain');
    // WHEN / THEN
    assert.ok(nagFindings(app).some((rule) => rule.includes('SNS3')));
  });
});
