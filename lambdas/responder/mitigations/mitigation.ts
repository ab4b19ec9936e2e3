import type { MitigationId } from '../../../lib/core/catalog';
import type { Config, ServiceConfig } from '../../../lib/core/config/schema';
import type { AwsClients } from '../../shared/clients';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Log } from '../../shared/observability';
import type { AlarmNotification } from '../notification';

/**
 * The AWS clients a mitigation may be given: the APIs of the resources it reads and changes. The audit table
 * (dynamo), the on-call topic (sns), the quarantine queue (sqs) and the verification (sfn) belong to the pipeline
 * and the action executor; no mitigation can be handed them.
 */
export type MitigationClient = 'autoscaling' | 'cloudwatch' | 'codedeploy' | 'ecs' | 'rds' | 'ssm';

/**
 * Everything a mitigation's own steps may look at, with the clients `C` only (none by default: the pure steps,
 * `target`, `decide` and `revertDecision`, get no client at all). A human revert (revert.ts) has no alarm
 * notification, so the steps never depend on one.
 */
export interface MitigationScope<C extends MitigationClient = never> {
  readonly config: Config;
  readonly clients: Pick<AwsClients, C>;
  /** The service the alarm is about, or the model's service for environment-wide alarms. */
  readonly service: ServiceConfig;
  readonly now: () => Date;
  readonly logger: Log;
}

/**
 * The context of one alarm notification, built once for all its mitigations, with every mitigation client (the
 * decision tree reads CloudWatch and ECS). Each mitigation is handed its own cut of it ({@link scopeFor}).
 */
export interface MitigationContext extends MitigationScope<MitigationClient> {
  readonly notification: AlarmNotification;
}

/**
 * The scope of one mitigation: the context's config, service, clock and logger, and of its clients only those the
 * mitigation declares (`uses`), so that a mitigation holds no client it was not typed for, at run time either.
 */
export function scopeFor<C extends MitigationClient>(mitigation: Mitigation<C>, context: MitigationScope<MitigationClient>): MitigationScope<C> {
  // Object.fromEntries loses the key types; `uses` lists exactly C (its type is C[]), hence the cast.
  const clients = Object.fromEntries(mitigation.uses.map((name) => [name, context.clients[name]])) as unknown as Pick<AwsClients, C>;
  return { config: context.config, clients, service: context.service, now: context.now, logger: context.logger };
}

/** The resource a mitigation changes. Comes from config only, never from the notification. */
export interface Target {
  /** Human-readable and unique per resource: `ecs:prod/chatbot-api`, `ssm:/chatbot/fallback-mode`. */
  readonly key: string;
  /** ARN or name, as the API call takes it. */
  readonly id: string;
  /**
   * The resource whose tag lets the responder act in `automation.targetScope: 'tags'` (target-tag.ts): its ARN's
   * service and resource part. None for SSM flags, which IAM lists by ARN in both modes.
   */
  readonly tagged?: { readonly service: 'ecs' | 'rds'; readonly resource: string };
}

/** A JSON-serializable view of a resource's state, recorded before and after. */
export type State = Readonly<Record<string, string | number | boolean | null>>;

/** What a mitigation decided from the before-state. */
export type Decision = { readonly act: true; readonly desired: State; readonly reason: string } | { readonly act: false; readonly reason: string };

/**
 * One automatic mitigation of the runbook, using the AWS clients `C` (`Mitigation<'ssm'>`). Every mitigation has
 * the same small shape and checks nothing of the guard rails itself (automation mode, idempotency, cooldowns,
 * rate limits). Its callers: the guard-rail pipeline (pipeline.ts) reads, decides and hands the action to the
 * action executor (action-executor.ts), which records the intent, applies, reads again; a revert (revert.ts)
 * reads and asks `revertDecision`, then hands its action to the same executor; `oncall drill` previews (preview.ts)
 * read and decide only.
 */
export interface Mitigation<C extends MitigationClient = MitigationClient> {
  readonly id: MitigationId;
  /** What it does, in the runbook's words, for announcements. */
  readonly title: string;
  /** The clients its `read` and `apply` use: its scope holds these and no others ({@link scopeFor}). */
  readonly uses: readonly C[];
  /**
   * Only turns a feature off or to its safe fallback (the AI kill switch, fallback responses): acting when not
   * needed costs a degraded feature, not acting can cost a data leak. The pipeline never refuses a protective
   * action for the shared action window, lets a human's change of the target since the last automatic action
   * lift its cooldown, and announces its refusals to on-call (pipeline.ts, step 7, says which).
   */
  readonly protective: boolean;
  /** The configured resource this alarm's mitigation would change, or undefined if none is configured. */
  target(ctx: MitigationScope): Target | undefined;
  /** Reads the target's current state (called before and after acting). */
  read(ctx: MitigationScope<C>, target: Target): Promise<State>;
  /** Preconditions and caps, from the before-state. Pure apart from the clock. */
  decide(ctx: MitigationScope, before: State): Decision;
  /** Changes the world to the desired state. */
  apply(ctx: MitigationScope<C>, target: Target, desired: State, before: State): Promise<void>;
  /**
   * Whether an action of this mitigation can be undone now (revert.ts is the only caller). Pure: compares the
   * world now (`current`, from `read`) with what the action left (`record.after`) in the fields the mitigation
   * controls; if anyone changed them since, refuses with what changed. Otherwise `desired` is those fields of
   * `record.before`, applied with `apply`.
   */
  revertDecision(ctx: MitigationScope, current: State, record: ActionRecord): Decision;
}
