import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Moto, motoAt, startMoto } from './moto';

/**
 * Moto servers shared by the test files of one `npm test` run (tools/test/run.ts starts them). Each server serves
 * one test file at a time, which takes it with a lock file and wipes it: a file still sees a fresh emulator, but
 * the 2 s of CPU moto spends importing its backends on first use are paid once per server, not once per file.
 */
export const MOTO_POOL_ENV = 'ALERTING_MOTO_POOL';

/** The pool's description in {@link MOTO_POOL_ENV}: endpoints and the directory of their lock files. */
export interface MotoPool {
  readonly endpoints: readonly string[];
  readonly lockDir: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process holding a lock file; 0 when none. */
function holderOf(lock: string): number {
  try {
    return Number(readFileSync(lock, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/** Takes the lock of `endpoint` for this process, freeing one left by a process that died holding it. */
function tryLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written aside and linked into place: a lock is never seen empty, and link fails if it exists.
    const mine = `${lock}.${process.pid}`;
    writeFileSync(mine, String(process.pid));
    try {
      linkSync(mine, lock);
      return true;
    } catch {
      const holder = holderOf(lock);
      if (holder > 0 && alive(holder)) return false;
      rmSync(lock, { force: true });
    } finally {
      rmSync(mine, { force: true });
    }
  }
  return false;
}

/**
 * A moto server for this test file: a free one of the run's pool (wiped), or, outside `npm test` or when every
 * pooled server is taken, one of its own. `stop()` gives a pooled server back.
 */
export async function acquireMoto(): Promise<Moto> {
  const described = process.env[MOTO_POOL_ENV];
  if (!described) return startMoto();
  const pool = JSON.parse(described) as MotoPool;
  for (const [index, endpoint] of pool.endpoints.entries()) {
    const lock = join(pool.lockDir, `${index}.lock`);
    if (!tryLock(lock)) continue;
    // Released when the file stops using it, or when its process exits; never once another process has taken it.
    const release = () => {
      if (holderOf(lock) === process.pid) rmSync(lock, { force: true });
    };
    process.once('exit', release);
    const moto = motoAt(endpoint, async () => release());
    await moto.reset();
    return moto;
  }
  return startMoto();
}
