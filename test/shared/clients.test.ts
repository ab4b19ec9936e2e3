import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// In a fresh process: what the module cache holds is what a Lambda's cold start paid for.
describe('createClients', () => {
  it('loads the Application Auto Scaling and CodeDeploy SDKs only when a mitigation first uses them, and builds each once', () => {
    const script = `
      const { createClients } = require('./lambdas/shared/clients');
      const loaded = () => ['client-application-auto-scaling', 'client-codedeploy'].filter((m) => Object.keys(require.cache).some((f) => f.includes('/@aws-sdk/' + m + '/')));
      const clients = createClients({ region: 'us-east-1' });
      const atStart = loaded();
      const same = clients.codedeploy === clients.codedeploy && clients.autoscaling === clients.autoscaling;
      console.log(JSON.stringify({ atStart, afterUse: loaded(), same, kinds: [clients.autoscaling.constructor.name, clients.codedeploy.constructor.name] }));
    `;
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      atStart: [],
      afterUse: ['client-application-auto-scaling', 'client-codedeploy'],
      same: true,
      kinds: ['ApplicationAutoScalingClient', 'CodeDeployClient'],
    });
  });
});
