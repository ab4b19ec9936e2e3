import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { userInfo } from 'node:os';
import type { EscalationDeps } from '../../lambdas/escalation/deps';
import { stepFunctionsRunner } from '../../lambdas/escalation/runner';
import type { AuditLog } from '../../lambdas/shared/storage/audit-log';
import type { TargetAccount } from '../../lambdas/responder/target-tag';
import { createClients, type AwsClients } from '../../lambdas/shared/clients';
import type { IncidentStore } from '../../lambdas/shared/storage/incident-store';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import type { SilenceStore } from '../../lambdas/shared/storage/silences';
import { ShortLinkStore } from '../../lambdas/shared/short-links';
import type { Log } from '../../lambdas/shared/observability';
import { auditTableName, escalationStateMachineName } from '../core/config/derived';
import { configIn, regionalServices } from '../core/config/regions';
import { parseConfig } from '../core/config/load';
import type { Config } from '../core/config/schema';
import { roleTopicName } from '../core/topic-names';
import { ConfigError } from '../core/errors';
import { InputError } from '../core/evaluator';
import { EXIT, type CliContext } from './context';

/** Everything a command that talks to AWS needs, for one environment. */
export interface Session {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly audit: AuditLog;
  readonly store: IncidentStore;
  readonly silences: SilenceStore;
  /** Who runs the command: the AWS principal and the OS user, for the audit trail. */
  who(): Promise<string>;
  /** Where the environment's resources are: the caller's account and partition, the session's region. */
  account(): Promise<TargetAccount>;
  /** The escalation's dependencies, to ack and resolve as the endpoint does. */
  escalation(): Promise<EscalationDeps>;
  /**
   * The regions where a responder of the environment's account acts, each with its own audit log and switch: the
   * home region, then each regional stack's (docs/regions.md). `only` keeps one; a region with no responder of this
   * account is refused, naming those that have one.
   */
  responderRegions(only?: string): readonly ResponderRegion[];
}

/** One region's responder, as the audit commands and the switch reach it. */
export interface ResponderRegion {
  readonly region: string;
  /** The environment as this region's responder was built from it (its services, named as they are there). */
  readonly config: Config;
  readonly clients: AwsClients;
  readonly audit: AuditLog;
}

/** An AWS problem the user can fix (credentials, endpoint, a missing table); exit code 4. */
export class AwsUnavailableError extends Error {
  public override readonly name = 'AwsUnavailableError';
}

/** An id that names nothing (unknown action, incident, silence); exit code 3. */
export class NotFoundError extends Error {
  public override readonly name = 'NotFoundError';
}

/**
 * Opens a session on an environment of config/ (`--env`), against AWS or any endpoint in AWS_ENDPOINT_URL (the
 * SDK reads it), in the environment's region unless AWS_REGION says otherwise.
 */
export function openSession(ctx: CliContext, envName: string): Session {
  const raw = ctx.environments[envName];
  if (raw === undefined) throw new InputError(`unknown environment "${envName}"; known: ${Object.keys(ctx.environments).join(', ')}`);
  let config: Config;
  try {
    config = parseConfig(envName, raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.message);
    throw error;
  }
  ctx.sessionConfig = config;
  const region = process.env.AWS_REGION ?? config.region;
  const clients = createClients({ region, maxAttempts: 3 });
  const table = auditTableName(config);
  const now = () => new Date();
  // One set of stores serves the commands and the escalation's dependencies alike.
  const { audit, incidents, silences } = openStores({ dynamo: clients.dynamo, table, retentionDays: config.automation.auditRetentionDays, now });
  const sts = new STSClient({ region, maxAttempts: 2 });
  let identity: Promise<{ arn: string; account: string; partition: string }> | undefined;
  const caller = () =>
    (identity ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((r) => ({ arn: r.Arn ?? 'unknown', account: r.Account ?? '000000000000', partition: (r.Arn ?? 'arn:aws').split(':')[1] ?? 'aws' })));
  const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const home: ResponderRegion = { region, config, clients, audit };
  // Regions of other accounts need that account's credentials: a session reaches its own account's.
  // Built when a command first asks: most commands read the home region only.
  let all: readonly ResponderRegion[] | undefined;
  const responders = () =>
    (all ??= [
      home,
      ...regionalServices(config)
        .filter((group) => group.account === undefined)
        .map((group): ResponderRegion => {
          const regionalClients = createClients({ region: group.region, maxAttempts: 3 });
          const stores = openStores({ dynamo: regionalClients.dynamo, table, retentionDays: config.automation.auditRetentionDays, now });
          return { region: group.region, config: configIn(config, group), clients: regionalClients, audit: stores.audit };
        }),
    ]);
  return {
    config,
    clients,
    audit,
    store: incidents,
    silences,
    async who() {
      const { arn } = await caller();
      return `${userInfo().username} (${arn})`;
    },
    async account() {
      const { account, partition } = await caller();
      return { partition, region, accountId: account };
    },
    responderRegions(only) {
      const every = responders();
      if (only === undefined) return every;
      const found = every.filter((r) => r.region === only);
      const known = every.map((r) => r.region).join(', ');
      if (found.length === 0) throw new InputError(`--region ${only}: no responder of environment ${envName} runs there; its responders' regions: ${known}`);
      return found;
    },
    async escalation() {
      const { account, partition } = await caller();
      const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
      return {
        config,
        clients,
        store: incidents,
        audit,
        silences,
        runner: stepFunctionsRunner(clients.sfn, arn('states', `stateMachine:${escalationStateMachineName(config)}`)),
        roleTopicArn: (role) => arn('sns', roleTopicName(config.prefix, role)),
        linkKey: async () => {
          throw new Error('the CLI does not sign links');
        },
        shortLinks: new ShortLinkStore(clients.dynamo, table),
        linkBaseUrl: '',
        now,
        logger: silent,
      };
    },
  };
}

/**
 * Runs `work` in each region, concurrently. A region AWS cannot serve (unreachable, its stack not deployed, access
 * denied) is reported on stderr and left out, and the command exits 4 after printing what the others gave: a region
 * that is down must not hide the others, since its outage may be why on-call is looking. Throws when none answers,
 * and at once on any error that is not about reaching AWS.
 */
export async function eachRegion<T>(ctx: CliContext, regions: readonly ResponderRegion[], work: (region: ResponderRegion) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(regions.map(work));
  const failures = settled.flatMap((result, i) => (result.status === 'rejected' ? [{ region: regions[i]!, error: result.reason as unknown }] : []));
  for (const { error } of failures) if (explainAwsError(error) === undefined) throw error;
  if (failures.length === regions.length) throw failures[0]!.error;
  for (const { region, error } of failures) {
    ctx.io.err(`${region.region} left out: ${explainAwsError(error, region.config)}\n`);
  }
  if (failures.length > 0) ctx.exitCode = EXIT.AWS_UNAVAILABLE;
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/**
 * Turns the SDK's errors into messages a person at 3 a.m. can act on. Returns undefined for errors that are
 * not about reaching AWS.
 */
export function explainAwsError(error: unknown, config?: Config): string | undefined {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return 'no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for a local endpoint any values do)';
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || e.name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND/.test(e.message ?? '')) {
    return `cannot reach the AWS endpoint${process.env.AWS_ENDPOINT_URL ? ` ${process.env.AWS_ENDPOINT_URL}` : ''}: ${e.message ?? code}`;
  }
  if (e.name === 'ResourceNotFoundException' || e.name === 'ParameterNotFound') {
    const what = e.name === 'ParameterNotFound' ? 'a parameter of the stack' : config ? `the audit table ${auditTableName(config)}` : 'a resource of the stack';
    return `${what} does not exist here (${e.message || e.name}): is the stack deployed in this account and region (--env, AWS_REGION)?`;
  }
  if (e.name === 'UnrecognizedClientException' || e.name === 'InvalidClientTokenId' || e.name === 'ExpiredToken' || e.name === 'ExpiredTokenException') {
    return `AWS refused the credentials (${e.name}): refresh them (aws sso login, or new keys)`;
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied') return `access denied: ${e.message}`;
  return undefined;
}
