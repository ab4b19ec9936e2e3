import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { buildApp } from '../../lib/infra/app';
import { applyNagChecks } from '../../lib/infra/nag';
import { loadEnvironment } from '../../lib/core/config/environment';
import type { Config } from '../../lib/core/config/schema';
import { fleetConfig } from '../support/synth';
import { findTool } from '../../tools/drill/tools';

const CFN_LINT = findTool('cfn-lint', "pip install 'cfn-lint>=1.51'");
const workdir = mkdtempSync(join(tmpdir(), 'alerting-lint-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const ENVIRONMENTS: readonly [string, () => Config][] = [
  ['default', () => loadEnvironment('default')],
  ['staging', () => loadEnvironment('staging')],
  ['fleet-100', () => fleetConfig(100)],
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
  for (const [name, load] of ENVIRONMENTS) {
    it(`${name}: no errors`, () => {
      // GIVEN
      const templates = synthTo(name, load());
      // WHEN
      const result = spawnSync(CFN_LINT, ['--format', 'parseable', ...templates], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
      // THEN: cfn-lint exits with a bit mask; 2 means errors (4 warnings, 8 informational).
      const errors = result.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
      assert.deepEqual(errors, [], result.stdout + result.stderr);
      assert.equal(result.status! & 2, 0, result.stdout + result.stderr);
      assert.equal(result.error, undefined);
    });
  }
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
