import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp, stacksOf } from '../../lib/app';
import { loadEnvironment } from '../../lib/config/environment';
import type { Config } from '../../lib/config/schema';
import { fleetConfig } from '../support/synth';
import { findTool } from '../support/tools';

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
  return readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => join(outdir, f));
}

describe('official cfn-lint on every synthesized template', () => {
  for (const [name, load] of ENVIRONMENTS) {
    it(`${name}: no errors`, () => {
      // GIVEN
      const templates = synthTo(name, load());
      // WHEN
      const result = spawnSync(CFN_LINT, ['--format', 'parseable', ...templates], { encoding: 'utf8' });
      // THEN: cfn-lint exits with a bit mask; 2 means errors (4 warnings, 8 informational).
      const errors = result.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
      assert.deepEqual(errors, [], result.stdout + result.stderr);
      assert.equal(result.status! & 2, 0, result.stdout + result.stderr);
      assert.equal(result.error, undefined);
    });
  }
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding on any stack of the default environment', () => {
    // GIVEN
    const built = buildApp({ config: loadEnvironment('default'), nag: false, appProps: { builtinCloudFormationValidation: false } });
    // WHEN
    const reports = stacksOf(built).map((stack) => new AwsSolutionsChecks().validateScope(stack));
    // THEN
    const violations = reports.flatMap((r) => r.violations.map((v) => `${v.ruleName}: ${v.description.split('\n')[0]} at ${v.violatingResources.map((x) => x.resourceLogicalId).join(',')}`));
    assert.deepEqual(violations, []);
  });

  it('does catch a finding (the check is live)', () => {
    // GIVEN an unencrypted topic without SSL enforcement
    const stack = new Stack(new App(), 'Bad');
    new sns.Topic(stack, 'Plain');
    // WHEN
    const report = new AwsSolutionsChecks().validateScope(stack);
    // THEN
    assert.ok(report.violations.some((v) => v.ruleName.includes('SNS3')), JSON.stringify(report.violations.map((v) => v.ruleName)));
  });
});
