import { createHandler } from '../../lambdas/responder/handler';
import type { PipelineDeps } from '../../lambdas/responder/pipeline';
import type { AwsClients } from '../../lambdas/shared/clients';
import type { ActionMetrics, Log } from '../../lambdas/shared/observability';
import { openStores } from '../../lambdas/shared/storage/open-stores';
import type { SilenceReader } from '../../lambdas/shared/storage/silences';
import type { Config } from '../../lib/core/config/schema';
import { withDeploymentHistory } from './deployment-history';
import type { SampleWorld } from './sample-world';

/** The account id of emulated worlds (moto's default). */
export const DRILL_ACCOUNT = '123456789012';

const SILENT: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The responder's real Lambda handler wired to a sample world in an emulated account, the way
 * lambdas/responder/index.ts wires it in Lambda: for the drill, the tests and the benchmarks.
 */
export function localResponder(options: {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly world: SampleWorld;
  /** @default the real clock */
  readonly now?: () => Date;
  /** @default silent */
  readonly logger?: Log;
  /** @default not counted */
  readonly metrics?: ActionMetrics;
  /** @default no verification of actions */
  readonly verification?: PipelineDeps['verification'];
  /** The region the responder runs in (a serving region's own responder): that of `clients` and `world`. @default config.region */
  readonly region?: string;
  /**
   * The ad-hoc silences it obeys; a regional responder reads the home region's (lambdas/responder/home-silences.ts).
   * @default those of the world's audit table
   */
  readonly silences?: SilenceReader;
}): (event: unknown) => Promise<void> {
  const { config, world } = options;
  const region = options.region ?? config.region;
  // moto has no ECS deployment history: the drill's stand-in answers it, from the world's own deployments.
  const clients = { ...options.clients, ecs: withDeploymentHistory(options.clients.ecs, world, { region, account: DRILL_ACCOUNT }) };
  const now = options.now ?? (() => new Date());
  const { audit, silences: own } = openStores({ dynamo: clients.dynamo, table: world.auditTable, retentionDays: config.automation.auditRetentionDays, now });
  const silences = options.silences ?? own;
  return createHandler({
    config,
    clients,
    audit,
    silences,
    announceTopicArn: world.announceTopicArn,
    automationModeParameter: world.automationModeParameter,
    quarantineQueueUrl: world.quarantineQueueUrl,
    accountId: DRILL_ACCOUNT,
    partition: 'aws',
    region,
    now,
    logger: options.logger ?? SILENT,
    metrics: options.metrics ?? { count: () => undefined },
    ...(options.verification ? { verification: options.verification } : {}),
  });
}
