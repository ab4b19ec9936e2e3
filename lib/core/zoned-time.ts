/**
 * Wall-clock time in IANA time zones, with nothing but Intl: the escalation's business hours and the silencing
 * windows read local time the same way. Plain functions, no AWS.
 */

/** A local wall-clock reading. `weekday` is ISO: 1 = Monday ... 7 = Sunday. */
export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly weekday: number;
}

/** Whether Intl knows the zone (e.g. `Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of an instant in a zone. */
export function localParts(at: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  const year = parts.year!;
  const month = parts.month!;
  const day = parts.day!;
  return { year, month, day, hour: parts.hour!, minute: parts.minute!, weekday: isoWeekday(year, month, day) };
}

/** ISO weekday (1 = Monday ... 7 = Sunday) of a calendar date; the date may overflow (day 0, day 32). */
export function isoWeekday(year: number, month: number, day: number): number {
  return ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
}

/**
 * The UTC instant of a local wall-clock time; the offset is taken at that instant, so DST days are right. The
 * date may overflow (day 32 is the 1st of the next month). A time that does not exist (inside a spring-forward
 * gap) maps to the instant the same distance past the gap's start.
 */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - t;
  };
  return new Date(guess - offsetAt(guess - offsetAt(guess)));
}
