// A test reporter for tools/test/run.ts. JavaScript: Node loads reporters before tsx's hooks are in place.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/** Where the reporter keeps each test file's duration between runs (set by tools/test/run.ts). */
export const DURATIONS_ENV = 'ALERTING_TEST_DURATIONS';

/**
 * Seconds each test file took in its last run, by path from the repository root; none when never run.
 * @param {string} path
 * @returns {Record<string, number>}
 */
export function readDurations(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Prints nothing; records how long each file's tests took (the sum of its top-level tests), merged into the file
 * named by DURATIONS_ENV, so that the next run starts the longest files first.
 * @param {AsyncIterable<import('node:test/reporters').TestEvent>} source
 */
export default async function* durationsReporter(source) {
  const path = process.env[DURATIONS_ENV];
  /** @type {Map<string, number>} */
  const seconds = new Map();
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0 || !event.data.file) continue;
    const file = relative(process.cwd(), event.data.file);
    seconds.set(file, (seconds.get(file) ?? 0) + event.data.details.duration_ms / 1000);
  }
  if (path && seconds.size > 0) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ ...readDurations(path), ...Object.fromEntries(seconds) }, null, 1)}\n`);
  }
  yield '';
}
