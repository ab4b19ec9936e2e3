import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'alerting-synth-cli-'));
after(() => rmSync(out, { recursive: true, force: true }));
const synth = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/synth.ts', '--out', out, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });

describe('npm run synth -- --fleet N (capacity planning)', () => {
  it('past what the roles can list by ARN, says so, synthesizes with targets by tag and prints every quota', () => {
    const run = synth('--fleet', '81');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /--fleet 81: the roles no longer fit IAM's quotas listing 81 services by ARN/);
    assert.match(run.stdout, /^Alerting stack "chatbot": \d+ CloudWatch alarms$/m);
    assert.match(run.stdout, /AWS quotas \(tightest resource: value \/ limit\):\n {2}template body size/);
    assert.match(run.stdout, /managed policy document per managed policy +none in these templates/, 'no overflow policy once targets are scoped by tag');
  });

  it('refuses a fleet that is not a whole number, naming the flag', () => {
    const run = synth('--fleet', 'many');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /--fleet: must be a whole number of services, at least 1\. Received: "many"/);
  });
});
