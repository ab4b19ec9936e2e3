import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../lib/core/config/schema';
import type { CfnTemplate } from '../../tools/drill/templates';
import { SYNTH_CACHE_ENV } from '../../tools/test/synth-cache';

/**
 * An environment's templates as {@link import('./synth').synth} makes them, by stack name, as plain JSON: for test
 * files that run what the stack declares (state machine definitions, alarms) rather than inspect the stack.
 *
 * Within one `npm test` run each config is synthesized once, by the first file that asks, and read by the others
 * from the run's directory; CDK is loaded only by the file that synthesizes. Seventeen files run the escalation,
 * and loading CDK and synthesizing cost each of them about 1.7 s of CPU (docs/testing.md#speed). A file run on its
 * own synthesizes.
 */
export async function synthesizedTemplates(cfg: Config): Promise<ReadonlyMap<string, CfnTemplate>> {
  const dir = process.env[SYNTH_CACHE_ENV];
  const file = dir ? join(dir, `${createHash('sha256').update(JSON.stringify(cfg)).digest('hex')}.json`) : undefined;
  if (file) {
    try {
      return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, CfnTemplate>));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { synth } = await import('./synth.js');
  const templates = Object.fromEntries([...synth(cfg).templates].map(([name, template]) => [name, template.toJSON() as CfnTemplate]));
  if (file) {
    // Written whole under another name, then renamed: a file reading concurrently sees all of it or nothing.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(templates));
    renameSync(partial, file);
  }
  return new Map(Object.entries(templates));
}
