import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DrillClock } from '../../tools/drill/drill-clock';

const ORIGIN = new Date('2026-11-27T13:29:12.000Z');
/** Lets every promise that can settle now settle (one turn of the event loop; no timer involved). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the drill clock', () => {
  it('places minutes on the schedule and reads them back', () => {
    const clock = new DrillClock(ORIGIN);
    assert.equal(clock.at(0).toISOString(), '2026-11-27T13:29:12.000Z');
    assert.equal(clock.at(30).toISOString(), '2026-11-27T13:59:12.000Z');
    assert.equal(clock.minutesOf(clock.at(15)), 15);
    assert.equal(clock.minutesOf('2026-11-27T14:19:12.000Z'), 50);
  });

  it("gives the work it runs the time of its cause, across awaits, and another cause's work its own", async () => {
    const clock = new DrillClock(ORIGIN);
    const readings: Record<string, number[]> = { page: [], ack: [] };
    let letPageGoOn!: () => void;
    const pageHeld = new Promise<void>((resolve) => (letPageGoOn = resolve));
    const page = clock.run(clock.at(0), async () => {
      readings.page!.push(clock.minutesOf(clock.now()));
      await pageHeld; // the ack runs in the middle of the page
      readings.page!.push(clock.minutesOf(clock.now()));
    });
    await clock.run(clock.at(40), async () => {
      readings.ack!.push(clock.minutesOf(clock.now()));
    });
    letPageGoOn();
    await page;
    assert.deepEqual(readings.page!.map(Math.floor), [0, 0]);
    assert.deepEqual(readings.ack!.map(Math.floor), [40]);
  });

  it('reads one millisecond later each time, so the events of one instant keep the order they were written in', async () => {
    const clock = new DrillClock(ORIGIN);
    const [a, b, c] = await clock.run(clock.at(15), async () => [clock.now(), clock.now(), clock.now()]);
    assert.ok(a! < b! && b! < c!);
    assert.equal(Math.floor(clock.minutesOf(c!)), 15);
  });

  it('refuses to be read outside any cause: an event the drill has not placed on its schedule', () => {
    assert.throws(() => new DrillClock(ORIGIN).now(), /outside any step/);
  });

  it('holds what waits for an instant until the drill moves its time there, and never moves back', async () => {
    const clock = new DrillClock(ORIGIN);
    const released: number[] = [];
    for (const minutes of [30, 15, 60]) void clock.until(clock.at(minutes)).then(() => released.push(minutes));
    await settled();
    assert.deepEqual(released, []);
    clock.advanceTo(clock.at(40));
    await settled();
    assert.deepEqual(
      released.sort((a, b) => a - b),
      [15, 30],
    );
    clock.advanceTo(clock.at(20));
    assert.equal(clock.minutesOf(clock.time), 40);
    assert.equal(await clock.until(clock.at(5)), true, 'an instant already passed does not wait');
    await settled();
    assert.deepEqual(
      released.sort((a, b) => a - b),
      [15, 30],
    );
  });

  it('lets go of a wait whose execution was stopped, without the time having come', async () => {
    const clock = new DrillClock(ORIGIN);
    const stop = new AbortController();
    const waiting = clock.until(clock.at(60), stop.signal);
    stop.abort();
    assert.equal(await waiting, false);
    clock.advanceTo(clock.at(90));
    assert.equal(await clock.until(clock.at(60), stop.signal), true, 'the time has come now');
  });
});
