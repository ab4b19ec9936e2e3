import { AsyncLocalStorage } from 'node:async_hooks';

const MINUTE = 60_000;

/**
 * The drill's simulated time. The drill plays hours of an incident in seconds: each thing that happens (an alarm,
 * an escalation step, an acknowledgement) is run at its own simulated instant with {@link DrillClock.run}, and
 * every `now()` the handlers read while doing it, through all their awaits, is that instant. So what the
 * timeline records is the schedule's own time (a P1 pages at t+0, the senior engineer at t+30), however long
 * the emulator took to process it, and however the work of several causes interleaves in the process.
 *
 * Time only moves when the drill moves it ({@link DrillClock.advanceTo}); {@link DrillClock.until} is a Wait
 * state on this clock: it holds an escalation step until the drill's time has reached the step.
 *
 * Each reading of `now()` is one millisecond later than the one before (within the cause's minute, for any
 * realistic drill): events of the same instant keep the order in which they were written, as they would with a
 * real clock, and no two timeline entries share a time (the store orders entries of one time at random).
 */
export class DrillClock {
  private readonly cause = new AsyncLocalStorage<number>();
  private reached: number;
  private readings = 0;
  private waiting: { readonly at: number; readonly release: () => void }[] = [];

  /** @param origin t+0: the drill's first alarm. */
  public constructor(public readonly origin: Date) {
    this.reached = origin.getTime();
  }

  /** The instant `minutes` after t+0. */
  public at(minutes: number): Date {
    return new Date(this.origin.getTime() + minutes * MINUTE);
  }

  /** How many minutes after t+0 an instant is (what the drill prints as `t+N min`). */
  public minutesOf(at: Date | string): number {
    return ((typeof at === 'string' ? Date.parse(at) : at.getTime()) - this.origin.getTime()) / MINUTE;
  }

  /** How far the drill's time has been moved. */
  public get time(): Date {
    return new Date(this.reached);
  }

  /** Moves the drill's time forward to `at` (never back): what waits for an instant up to it goes on. */
  public advanceTo(at: Date): void {
    this.reached = Math.max(this.reached, at.getTime());
    const due = this.waiting.filter((w) => w.at <= this.reached);
    this.waiting = this.waiting.filter((w) => w.at > this.reached);
    due.forEach((w) => w.release());
  }

  /**
   * Settles once the drill's time has reached `at` (true), or once `signal` aborts first (false): an execution
   * stopped while its step waited for a time that never comes.
   */
  public until(at: Date, signal?: AbortSignal): Promise<boolean> {
    if (at.getTime() <= this.reached) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((settle) => {
      const waiter = { at: at.getTime(), release: () => settle(true) };
      this.waiting.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          this.waiting = this.waiting.filter((w) => w !== waiter);
          settle(false);
        },
        { once: true },
      );
    });
  }

  /** Runs `work` as happening at `at`: every `now()` read inside it, across its awaits, is at that instant. */
  public run<T>(at: Date, work: () => Promise<T>): Promise<T> {
    return this.cause.run(at.getTime(), work);
  }

  /**
   * The simulated now of the cause being run. Outside {@link DrillClock.run} it throws: an event the drill would
   * otherwise stamp with the wall clock is an event it has not placed on its schedule.
   */
  public now(): Date {
    const at = this.cause.getStore();
    if (at === undefined) throw new Error('the drill clock was read outside any step: run the work with clock.run(at, ...)');
    return new Date(at + ++this.readings);
  }
}
