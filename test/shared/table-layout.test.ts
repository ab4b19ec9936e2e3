import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { keys, parseKey, ranges, timeIndexed, withoutLayout } from '../../lambdas/shared/storage/table-layout';

const ROOT = join(__dirname, '..', '..');
/** Generated or third-party trees, and the tests (which spell keys out on purpose, to check the layout itself). */
const SKIPPED = new Set(['node_modules', 'cdk.out', '.git', '.bench-tmp', 'test']);

/** Every TypeScript source of the project outside the tests, by path relative to the root. */
function sources(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/** Lines of `file` matching `pattern`, as `file:line: text`. */
function hits(file: string, pattern: RegExp): string[] {
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

const LAYOUT = 'lambdas/shared/storage/table-layout.ts';
/** A key prefix spelled out in a string (`'INCIDENT#'`, `` `ACTION#${id}` ``), or a key attribute given a literal. */
const KEY_LITERAL = /['"`][A-Z][A-Z_]+#|\b(pk|sk|gsi1pk|gsi1sk)\s*:\s*['"`]/;

describe('the table layout (lambdas/shared/storage/table-layout.ts)', () => {
  it('keeps the key formats of items already stored: a changed format would orphan them', () => {
    assert.deepEqual(keys.action('a1'), { pk: 'ACTION#a1', sk: 'ACTION' });
    assert.deepEqual(keys.cooldown('ecs-rollback', 'ecs:prod/api'), { pk: 'COOLDOWN#ecs-rollback#ecs:prod/api', sk: 'COOLDOWN' });
    assert.deepEqual(keys.actionWindow(1_700_000_000_000), { pk: 'WINDOW#1700000000000', sk: 'WINDOW' });
    assert.deepEqual(keys.incident('i1'), { pk: 'INCIDENT#i1', sk: 'INCIDENT' });
    assert.deepEqual(keys.timelineEvent('i1', '2026-12-07T03:00:00.000Z', 'ab12cd34'), { pk: 'INCIDENT#i1', sk: 'EVENT#2026-12-07T03:00:00.000Z#ab12cd34' });
    assert.deepEqual(keys.pageReceipt('i1', 'step-0', 'on-call-primary'), { pk: 'INCIDENT#i1', sk: 'PAGED#step-0#on-call-primary' });
    assert.deepEqual(keys.openAlarm('chatbot-5xx'), { pk: 'OPENALARM#chatbot-5xx', sk: 'OPEN' });
    assert.deepEqual(keys.openAlert('HighAPIErrorRate', undefined), { pk: 'OPENALERT#HighAPIErrorRate#-', sk: 'OPEN' });
    assert.deepEqual(keys.recentAlert('HighAPIErrorRate'), { pk: 'RECENT#HighAPIErrorRate', sk: 'RECENT' });
    assert.deepEqual(keys.lastOk('chatbot-5xx'), { pk: 'LASTOK#chatbot-5xx', sk: 'LASTOK' });
    assert.deepEqual(keys.lock('grouping'), { pk: 'LOCK#grouping', sk: 'LOCK' });
    assert.deepEqual(keys.linkNonce('n1'), { pk: 'NONCE#n1', sk: 'NONCE' });
    assert.deepEqual(keys.shortLink('h1'), { pk: 'SHORTLINK#h1', sk: 'SHORTLINK' });
    assert.deepEqual(keys.silence('0a1b2c3d'), { pk: 'SILENCE#0a1b2c3d', sk: 'SILENCE' });
    assert.deepEqual(keys.collaborationEffect('i1', 'slack#x'), { pk: 'COLLAB#i1', sk: 'EFFECT#slack#x' });
    assert.deepEqual(keys.collaborationSingleton('i1', 'TICKET'), { pk: 'COLLAB#i1', sk: 'TICKET' });
    assert.deepEqual(timeIndexed('incidents', '2026-12-07T03:00:00.000Z', 'i1'), { gsi1pk: 'INCIDENTS', gsi1sk: '2026-12-07T03:00:00.000Z#i1' });
  });

  it("queries an incident's timeline and page receipts by prefixes that match the keys it writes", () => {
    assert.ok(keys.timelineEvent('i1', '2026-12-07T03:00:00.000Z', 'x').sk.startsWith(ranges.timeline('i1').skPrefix));
    assert.ok(keys.pageReceipt('i1', 'step-0', 'r').sk.startsWith(ranges.pageReceipts('i1', 'step-0').skPrefix));
    // A page's prefix ends with the separator: step-1's receipts are not step-10's.
    assert.ok(!keys.pageReceipt('i1', 'step-10', 'r').sk.startsWith(ranges.pageReceipts('i1', 'step-1').skPrefix));
  });

  it('recognises the keys it forms, and nothing else', () => {
    assert.deepEqual(parseKey(keys.timelineEvent('i#1', '2026-12-07T03:00:00.000Z', 'x')), { kind: 'event', incidentId: 'i#1' });
    assert.deepEqual(parseKey(keys.action('a1')), { kind: 'action', actionId: 'a1' });
    assert.deepEqual(parseKey(keys.incident('i1')), { kind: 'other' }, 'the incident item is not a timeline event');
    assert.deepEqual(parseKey(keys.collaborationEffect('i1', 'x')), { kind: 'other' });
  });

  it('hands items out without its own attributes', () => {
    const item = { ...keys.silence('s1'), ...timeIndexed('silences', '2026-12-07T03:00:00.000Z', 's1'), expiresAt: 1, id: 's1', reason: 'r' };
    assert.deepEqual(withoutLayout(item), { id: 's1', reason: 'r' });
  });
});

describe('the storage boundary (issue #12)', () => {
  const files = sources();

  it('finds the sources it checks (the checks below are not vacuous)', () => {
    assert.ok(files.includes(LAYOUT), `${LAYOUT} not among ${files.length} sources`);
    assert.ok(files.length > 50, `only ${files.length} sources found`);
    assert.ok(hits(LAYOUT, KEY_LITERAL).length >= 10, "the pattern no longer finds the layout's own keys");
  });

  it('forms and recognises keys in the table layout only', () => {
    const outside = files.filter((f) => f !== LAYOUT).flatMap((f) => hits(f, KEY_LITERAL));
    assert.deepEqual(outside, [], 'use keys/ranges/parseKey/PREFIX of lambdas/shared/storage/table-layout.ts');
  });

  it('opens the stores through openStores only', () => {
    const withTests = [...files, ...sources(join(ROOT, 'test'))];
    const outside = withTests
      .filter((f) => f !== 'lambdas/shared/storage/open-stores.ts')
      .flatMap((f) => hits(f, /new (AuditLog|IncidentStore|SilenceStore)\b/));
    assert.deepEqual(outside, [], 'open them with openStores (lambdas/shared/storage/open-stores.ts)');
  });

  it('handles a refused condition with written() (lambdas/shared/dynamo.ts) only', () => {
    const outside = files
      .filter((f) => f !== 'lambdas/shared/dynamo.ts')
      .flatMap((f) => hits(f, /isConditionFailure|transactionConditionFailed|ConditionalCheckFailed/));
    assert.deepEqual(outside, [], 'wrap the conditional write in written(...) instead of catching its error');
  });
});
