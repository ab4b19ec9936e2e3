import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { EXIT } from '../../lib/cli/context';
import { oncallOffline } from '../support/cli';

// The CLI tests spawn oncall bundled once per process (test/support/cli.ts); on-call runs `npx oncall`, the shim
// that compiles bin/oncall.ts with tsx. Both must be the same program.
describe('the oncall entry point', () => {
  const unreachable = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  const cases: [string[], NodeJS.ProcessEnv][] = [
    [['--help'], {}],
    [['test-alerts', 'examples/alert-tests.yaml', 'test/fixtures/alert-tests'], {}],
    [['incidents'], unreachable],
  ];
  for (const [args, env] of cases) {
    it(`npx oncall ${args.join(' ')}: the shim answers as the bundle the tests spawn`, () => {
      const shim = oncallOffline(args, { entry: 'shim', env });
      const bundle = oncallOffline(args, { env });
      assert.deepEqual(
        { status: shim.status, stdout: shim.stdout, stderr: shim.stderr },
        { status: bundle.status, stdout: bundle.stdout, stderr: bundle.stderr },
      );
    });
  }

  it('creates its AWS clients without the SDK Node-version notice (on-call reads this output at 3 a.m.)', () => {
    const run = oncallOffline(['incidents'], { entry: 'shim', env: unreachable });
    assert.equal(run.status, EXIT.AWS_UNAVAILABLE);
    assert.equal(run.stderr, 'error: cannot reach the AWS endpoint http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9\n');
  });
});
