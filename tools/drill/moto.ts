import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { AwsClients } from '../../lambdas/shared/clients';
import { findTool } from './tools';

/** A running moto server: the AWS emulator the local drill and the emulator-backed tests talk to with the real SDK clients. */
export interface Moto {
  readonly endpoint: string;
  /** Client settings for any AWS SDK v3 client. */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Wipes every emulated resource (moto's reset API), for test isolation within one server. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Holds sitecustomize.py, which memoizes a directory listing moto repeats on every request. */
const MOTO_PYTHON_PATH = join(__dirname, 'moto-python');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts moto on 127.0.0.1 on a free port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const binary = findTool('moto_server', "pip install 'moto[server]>=5.2'");
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      // moto otherwise loads some 1,200 public AMIs, each with a volume, whenever its EC2 backend is created: on the
      // first RDS or ECS call after each reset. Nothing here reads an AMI.
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
      PYTHONPATH: [MOTO_PYTHON_PATH, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return motoAt(
    endpoint,
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  );
}

/** A handle on the moto server at `endpoint`; `stop` is what ends the caller's use of it. */
export function motoAt(endpoint: string, stop: () => Promise<void>): Moto {
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    stop,
  };
}

/**
 * Runs every DynamoDB write with a condition (a transaction, or a put, update or delete with a
 * ConditionExpression) of these clients alone, for moto: its threaded server takes no lock around a condition and
 * the write it guards. Two concurrent `attribute_not_exists` puts of one key can both succeed (two responders
 * claiming one action), where DynamoDB lets exactly one through. And TransactWriteItems deep-copies the whole table
 * first and, when a condition fails (a cooldown refusal), restores that copy, which silently undoes every write
 * other requests made meanwhile; a concurrent write during the copy makes it fail with a 500 (`dictionary changed
 * size during iteration`). Real DynamoDB has none of these problems.
 *
 * A conditional write waits for the calls in flight and holds back the ones after it (first come, first served);
 * other calls run concurrently with each other. Only DynamoDB is ordered: the pipeline's own race windows (read,
 * decide, reserve, act across services) stay concurrent.
 */
export function isolateMotoConditionalWrites(clients: AwsClients): void {
  let running = 0;
  let transaction = false;
  const waiting: { readonly alone: boolean; readonly go: () => void }[] = [];
  const pump = () => {
    while (waiting.length > 0) {
      const head = waiting[0]!;
      if (transaction || (head.alone && running > 0)) return;
      waiting.shift();
      if (head.alone) transaction = true;
      else running += 1;
      head.go();
    }
  };
  clients.dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      const input = (args as { input?: { ConditionExpression?: unknown; Expected?: unknown } }).input ?? {};
      const alone =
        String((context as { commandName?: string }).commandName).startsWith('TransactWrite') ||
        input.ConditionExpression !== undefined ||
        input.Expected !== undefined;
      await new Promise<void>((go) => {
        waiting.push({ alone, go });
        pump();
      });
      try {
        return await next(args);
      } finally {
        if (alone) transaction = false;
        else running -= 1;
        pump();
      }
    },
    { step: 'initialize', name: 'isolateMotoConditionalWrites' },
  );
}
