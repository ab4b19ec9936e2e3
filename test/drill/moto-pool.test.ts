import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { acquireMoto, MOTO_POOL_ENV, type MotoPool } from '../../tools/drill/moto-pool';

// The pool's bookkeeping (tools/drill/moto-pool.ts), on two stand-in servers that count moto's reset calls: which
// server a file gets, that it is wiped, and that a file never takes a server another file holds.
describe('moto pool', () => {
  const resets = new Map<string, number>();
  const servers: Server[] = [];
  let pool: MotoPool;
  const saved = process.env[MOTO_POOL_ENV];

  before(async () => {
    const endpoints: string[] = [];
    for (let i = 0; i < 2; i++) {
      const server = createServer((req, res) => {
        const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        if (req.method === 'POST' && req.url === '/moto-api/reset') resets.set(endpoint, (resets.get(endpoint) ?? 0) + 1);
        res.end('{}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.push(server);
      endpoints.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
    pool = { endpoints, lockDir: mkdtempSync(join(tmpdir(), 'moto-pool-test-')) };
    process.env[MOTO_POOL_ENV] = JSON.stringify(pool);
  });
  beforeEach(() => {
    resets.clear();
    for (const f of readdirSync(pool.lockDir)) rmSync(join(pool.lockDir, f));
  });
  after(() => {
    for (const s of servers) s.close();
    rmSync(pool.lockDir, { recursive: true, force: true });
    if (saved === undefined) delete process.env[MOTO_POOL_ENV];
    else process.env[MOTO_POOL_ENV] = saved;
  });

  it('hands each taker a different free server, wiped, and takes a server back when it is stopped', async () => {
    const first = await acquireMoto();
    const second = await acquireMoto();
    assert.deepEqual([first.endpoint, second.endpoint], pool.endpoints);
    assert.deepEqual([...resets.values()], [1, 1]);
    await first.stop();
    const third = await acquireMoto();
    assert.equal(third.endpoint, first.endpoint, 'the server given back is taken again');
    assert.equal(resets.get(first.endpoint), 2, 'and wiped again');
    await Promise.all([second.stop(), third.stop()]);
    assert.deepEqual(readdirSync(pool.lockDir), []);
  });

  it('takes over a server whose holder died, never one a live process holds', async () => {
    // GIVEN server 0 locked by a process that has exited, server 1 by a live one (the test runner's parent)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(pool.lockDir, '0.lock'), dead);
    writeFileSync(join(pool.lockDir, '1.lock'), String(process.ppid));
    // WHEN a file asks for a server
    const moto = await acquireMoto();
    // THEN it gets the dead holder's, and server 1 is untouched
    assert.equal(moto.endpoint, pool.endpoints[0]);
    assert.equal(readFileSync(join(pool.lockDir, '0.lock'), 'utf8'), String(process.pid));
    assert.equal(readFileSync(join(pool.lockDir, '1.lock'), 'utf8'), String(process.ppid));
    assert.equal(resets.get(pool.endpoints[1]!), undefined);
    await moto.stop();
  });

  it('a server given back and taken by another process stays with that process', async () => {
    // GIVEN a server given back, then taken by another live process
    const moto = await acquireMoto();
    await moto.stop();
    writeFileSync(join(pool.lockDir, '0.lock'), String(process.ppid));
    // WHEN the first taker lets go again (its exit hook releases the same way)
    await moto.stop();
    assert.equal(readFileSync(join(pool.lockDir, '0.lock'), 'utf8'), String(process.ppid), 'the other holder keeps it');
  });
});
