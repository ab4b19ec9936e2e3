import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { EXIT } from '../../lib/cli/context';
import { oncall, oncallOffline } from '../support/cli';

// The CLI tests run the program in-process (runCli) or as the bundle of bin/oncall.ts (test/support/cli.ts); on-call
// runs `npx oncall`, the shim that compiles bin/oncall.ts with tsx. All three must answer alike.
describe('the oncall entry point', () => {
  const UNREACHABLE = 'http://127.0.0.1:9';
  const unreachable = { AWS_ENDPOINT_URL: UNREACHABLE, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  const cases: [string[], NodeJS.ProcessEnv][] = [
    [['test-alerts', 'examples/alert-tests.yaml', 'test/fixtures/alert-tests'], {}],
    [['backtest', 'HighAPIErrorRate'], {}],
    [['incidents'], unreachable],
  ];
  for (const [args, env] of cases) {
    it(`npx oncall ${args.join(' ')}: the shim answers as the bundle and as runCli in the test process`, async () => {
      const shim = oncallOffline(args, { entry: 'shim', env });
      const bundle = oncallOffline(args, { env });
      const inProcess = await oncall({ endpoint: UNREACHABLE }, args);
      assert.deepEqual(bundle, shim);
      assert.deepEqual(inProcess, shim);
    });
  }

  it('--help prints the commands', () => {
    const shim = oncallOffline(['--help'], { entry: 'shim' });
    assert.equal(shim.status, 0);
    assert.match(shim.stdout, /^Usage: oncall \[options\] \[command\]/);
    assert.deepEqual(oncallOffline(['--help']), shim);
  });

  it('creates its AWS clients without the SDK Node-version notice (on-call reads this output at 3 a.m.)', () => {
    const run = oncallOffline(['incidents'], { entry: 'shim', env: unreachable });
    assert.equal(run.status, EXIT.AWS_UNAVAILABLE);
    assert.equal(run.stderr, `error: cannot reach the AWS endpoint ${UNREACHABLE}: connect ECONNREFUSED 127.0.0.1:9\n`);
  });
});
