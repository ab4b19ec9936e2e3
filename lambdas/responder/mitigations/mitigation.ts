import type { MitigationId } from '../../../lib/core/catalog';
import type { Config, ServiceConfig } from '../../../lib/core/config/schema';
import type { AwsClients } from '../../shared/clients';
import type { ActionRecord } from '../../shared/storage/audit-log';
import type { Log } from '../../shared/observability';
import type { AlarmNotification } from '../notification';

/**
 * Everything a mitigation's own steps may look at. A human revert (revert.ts) has no alarm notification, so the
 * steps never depend on one.
 */
export interface MitigationScope {
  readonly config: Config;
  readonly clients: AwsClients;
  /** The service the alarm is about, or the model's service for environment-wide alarms. */
  readonly service: ServiceConfig;
  readonly now: () => Date;
  readonly logger: Log;
}

/** The scope of an automatic action: built once per notification. */
export interface MitigationContext extends MitigationScope {
  readonly notification: AlarmNotification;
}

/** The resource a mitigation changes. Comes from config only, never from the notification. */
export interface Target {
  /** Human-readable and unique per resource: `ecs:prod/chatbot-api`, `ssm:/chatbot/fallback-mode`. */
  readonly key: string;
  /** ARN or name, as the API call takes it. */
  readonly id: string;
}

/** A JSON-serializable view of a resource's state, recorded before and after. */
export type State = Readonly<Record<string, string | number | boolean | null>>;

/** What a mitigation decided from the before-state. */
export type Decision =
  | { readonly act: true; readonly desired: State; readonly reason: string }
  | { readonly act: false; readonly reason: string };

/**
 * One automatic mitigation of the runbook. Every mitigation has the same small shape, and the guard-rail
 * pipeline (pipeline.ts) is the only caller: it reads, decides, records the intent, applies, reads again.
 * A mitigation never checks the automation mode, idempotency, cooldowns or rate limits itself.
 */
export interface Mitigation {
  readonly id: MitigationId;
  /** What it does, in the runbook's words, for announcements. */
  readonly title: string;
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
  read(ctx: MitigationScope, target: Target): Promise<State>;
  /** Preconditions and caps, from the before-state. Pure apart from the clock. */
  decide(ctx: MitigationScope, before: State): Decision;
  /** Changes the world to the desired state. */
  apply(ctx: MitigationScope, target: Target, desired: State, before: State): Promise<void>;
  /**
   * Whether an action of this mitigation can be undone now (revert.ts is the only caller). Pure: compares the
   * world now (`current`, from `read`) with what the action left (`record.after`) in the fields the mitigation
   * controls; if anyone changed them since, refuses with what changed. Otherwise `desired` is those fields of
   * `record.before`, applied with `apply`.
   */
  revertDecision(ctx: MitigationScope, current: State, record: ActionRecord): Decision;
}
