/** Runtime errors of the Lambda side. Infra (synth-time) errors live in lib/core/errors.ts. */

/** Base class: every error the responders raise on purpose. */
export class AlertingError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A notification that is not a CloudWatch alarm notification this stack can act on. Never retried. */
export class InvalidNotificationError extends AlertingError {
  public constructor(
    public readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`invalid notification: ${reason}`, options);
  }
}

/** The audit log already holds a record for this (incident, mitigation): the notification is a duplicate. */
export class AlreadyRecordedError extends AlertingError {
  public constructor(public readonly actionId: string) {
    super(`action ${actionId} is already recorded`);
  }
}

/** A mitigation failed while changing the world; its outcome is recorded as failed. */
export class MitigationFailedError extends AlertingError {
  public constructor(
    public readonly actionId: string,
    options?: ErrorOptions,
  ) {
    super(`mitigation ${actionId} failed: ${(options?.cause as Error | undefined)?.message ?? 'unknown error'}`, options);
  }
}

/**
 * DynamoDB kept answering part of a request (unprocessed batch keys or items, a transaction cancelled by
 * throttling or a conflicting transaction) after every bounded retry. Thrown, never swallowed: the caller's
 * invocation fails and is retried by Lambda, or lands in its dead-letter queue.
 */
export class StorageRetryError extends AlertingError {
  public constructor(
    public readonly operation: string,
    public readonly table: string,
    public readonly attempts: number,
    public readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${operation} on ${table}: still incomplete after ${attempts} attempts (${detail})`, options);
  }
}
