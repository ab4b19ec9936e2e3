import type { MitigationId } from '../../../lib/catalog';
import type { Config, ServiceConfig } from '../../../lib/config/schema';
import type { AwsClients } from '../../shared/clients';
import type { Log } from '../../shared/observability';
import type { AlarmNotification } from '../notification';

/** Everything a mitigation may look at. Built once per notification. */
export interface MitigationContext {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly notification: AlarmNotification;
  /** The service the alarm is about, or the model's service for environment-wide alarms. */
  readonly service: ServiceConfig;
  readonly now: () => Date;
  readonly logger: Log;
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
  /** The configured resource this alarm's mitigation would change, or undefined if none is configured. */
  target(ctx: MitigationContext): Target | undefined;
  /** Reads the target's current state (called before and after acting). */
  read(ctx: MitigationContext, target: Target): Promise<State>;
  /** Preconditions and caps, from the before-state. Pure apart from the clock. */
  decide(ctx: MitigationContext, before: State): Decision;
  /** Changes the world to the desired state. */
  apply(ctx: MitigationContext, target: Target, desired: State, before: State): Promise<void>;
}
