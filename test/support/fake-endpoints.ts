import { strict as assert } from 'node:assert';
import { after, before, beforeEach } from 'node:test';
import { IntegrationError } from '../../lambdas/integrations/http';
import { startFakeEndpoints, type FakeEndpoints, type FakeEndpointsOptions, type FakeRuntime } from '../../tools/stand-ins/endpoints';

export * from '../../tools/stand-ins/endpoints';

/** What `useFakeEndpoints` hands a test file; read it inside tests and hooks (the fake starts in `before`). */
export interface FakeEndpointsFixture {
  /** The fake, started once for the file, cleared (requests, faults and state) before each test. */
  readonly fake: FakeEndpoints;
  /** A new runtime (fetch reaching the fake, fake clock, no waits yet) for each test. */
  readonly runtime: FakeRuntime;
}

/**
 * Starts the fake for the calling test file (`before`), stops it (`after`), and before each test clears it and makes
 * a fresh runtime:
 *
 * ```ts
 * const env = useFakeEndpoints();                   // options as for startFakeEndpoints
 * const client = () => slackClient(config, env.fake.tokens.slack, { policy: { attempts: 3 }, runtime: env.runtime });
 * ```
 */
export function useFakeEndpoints(options: FakeEndpointsOptions = {}): FakeEndpointsFixture {
  let fake: FakeEndpoints | undefined;
  let runtime: FakeRuntime | undefined;
  before(async () => {
    fake = await startFakeEndpoints(options);
  });
  after(() => fake?.stop());
  beforeEach(() => {
    fake!.clear();
    runtime = fake!.runtime();
  });
  return {
    get fake() {
      if (!fake) throw new Error('useFakeEndpoints: the fake starts in before(); read .fake inside a test or hook');
      return fake;
    },
    get runtime() {
      if (!runtime) throw new Error('useFakeEndpoints: the runtime is made before each test; read .runtime inside a test or hook');
      return runtime;
    },
  };
}

/** Asserts that none of `secrets` is in anything the error shows: its message, String(error), stack or JSON. */
export function assertNoSecret(error: unknown, ...secrets: string[]): void {
  const shown = error as { readonly message?: unknown; readonly stack?: unknown } | null | undefined;
  const text = [String(error), String(shown?.message), String(shown?.stack), JSON.stringify(error)].join(' ');
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret leaked: ${text}`);
}

/** What `rejectsWithIntegrationError` checks: the error's fields given (each equal), and the secrets it must not show. */
export interface ExpectedIntegrationError {
  readonly integration?: string;
  readonly status?: number;
  readonly attempts?: number;
  readonly message?: string;
  /** Secrets the error must not show (see assertNoSecret). */
  readonly without?: readonly string[];
}

/** Asserts that `promise` rejects with an IntegrationError whose given fields equal `expected`, showing none of `expected.without`. */
export async function rejectsWithIntegrationError(promise: Promise<unknown>, expected: ExpectedIntegrationError): Promise<void> {
  const { without = [], ...fields } = expected;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IntegrationError, `not an IntegrationError: ${String(error)}`);
    for (const [field, value] of Object.entries(fields)) assert.equal(error[field as keyof typeof fields], value, `IntegrationError.${field}`);
    assertNoSecret(error, ...without);
    return true;
  });
}
