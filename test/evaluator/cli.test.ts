import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../lib/cli/program';

/**
 * `oncall` as the binary runs it (`runCli`), in this process: its exit code and its output. The binary itself (the
 * shim and the esbuild bundle) is held to answer as `runCli` does in test/cli/entry.test.ts, test-alerts included.
 */
const oncall = async (...args: string[]) => {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'oncall-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const FAILING = file(
  'failing.yaml',
  `tests:
  - name: a 4-minute spike fires HighAPIErrorRate (it does not)
    alert: HighAPIErrorRate
    interval: 1m
    series:
      requests: 1000x10
      errors1: 0x2 600x4 0x4
    expect:
      - { at: 6m, state: ALARM }
`,
);

describe('oncall test-alerts', () => {
  it('exits 0 when every case passes, on files and directories', async () => {
    const { code, stdout } = await oncall('test-alerts', 'examples/alert-tests.yaml', 'test/fixtures/alert-tests');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^ {2}ok {4}6% errors for 5 minutes fires HighAPIErrorRate$/m);
    assert.match(stdout, /\n\d+ passed, 0 failed\n$/);
  });

  it('exits 1 on a failing case, with a readable diff of expected and actual states', async () => {
    const { code, stdout } = await oncall('test-alerts', FAILING);
    assert.equal(code, 1);
    assert.match(stdout, /FAIL {2}a 4-minute spike fires HighAPIErrorRate \(it does not\) {2}\(.*failing\.yaml:2\)/);
    assert.match(stdout, /alarm chatbot-HighAPIErrorRate-chatbot-api: IF\(requests > 0, .*\) > 0\.05 for 5 of 5 periods of 60 s, missing data: notBreaching/);
    assert.match(stdout, /\n {8}- at 6m: ALARM\n {8}\+ at 6m: OK\n/);
    assert.match(
      stdout,
      /datapoints of the evaluation at 6m, by period start \(\* breaching, - none\):\n {10}-1m - {2}0s 0 {2}1m 0 {2}2m 0\.6\* {2}3m 0\.6\* {2}4m 0\.6\* {2}5m 0\.6\*/,
    );
    assert.match(stdout, /\n0 passed, 1 failed\n$/);
  });

  const usage: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['a missing file', ['test-alerts', join(dir, 'missing.yaml')], /error: .*missing\.yaml: file not found/],
    ['YAML that does not parse', ['test-alerts', file('broken.yaml', 'tests:\n  - name: [x\n')], /error: .*broken\.yaml:\d+: invalid YAML/],
    [
      'an unknown alarm, with close matches',
      [
        'test-alerts',
        file('typo.yaml', 'tests:\n  - name: t\n    alarm: chatbot-HighAPIErrorRat-chatbot-api\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n'),
      ],
      /error: .*typo\.yaml:3: unknown alarm "chatbot-HighAPIErrorRat-chatbot-api"\. Did you mean: chatbot-HighAPIErrorRate-chatbot-api/,
    ],
    ['no file at all', ['test-alerts'], /error: missing required argument 'files'/],
    ['an unknown command', ['tset-alerts'], /error: unknown command 'tset-alerts'/],
  ];
  for (const [title, args, message] of usage) {
    it(`exits 2 on ${title}`, async () => {
      const { code, stderr } = await oncall(...args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    });
  }

  it('still runs the other files when one has an input error, and exits 2', async () => {
    const { code, stdout, stderr } = await oncall('test-alerts', join(dir, 'missing.yaml'), 'examples/alert-tests.yaml');
    assert.equal(code, 2);
    assert.match(stderr, /file not found/);
    assert.match(stdout, /5 passed, 0 failed, 1 file with errors/);
  });
});

describe('oncall backtest', () => {
  it('summarises fires, time in ALARM and flapping, with other thresholds side by side', async () => {
    const { code, stdout, stderr } = await oncall('backtest', 'HighAPIErrorRate', '--csv', 'examples/backtest-api-errors.csv', '--threshold', '0.07');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^backtest chatbot-HighAPIErrorRate-chatbot-api \(HighAPIErrorRate, P1\)$/m);
    assert.match(stdout, /^ {2}0\.05 \(config\) +4 +27m +24m +2 +1m$/m);
    assert.match(stdout, /^ {2}0\.07 +1 +24m +24m +0 +1m$/m);
    assert.match(stdout, /^ {4}2026-01-05T09:17:00Z {2}24m$/m);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await oncall(
      'backtest',
      'chatbot-HighAPIErrorRate-chatbot-api',
      '--csv',
      'examples/backtest-api-errors.csv',
      '--json',
      '--flap-window',
      '30m',
    );
    assert.equal(code, 0);
    const [result] = JSON.parse(stdout) as { fires: number; flaps: number; flapWindowMs: number; episodes: { start: string }[] }[];
    assert.deepEqual([result!.fires, result!.flaps, result!.flapWindowMs, result!.episodes[0]!.start], [4, 2, 1_800_000, '2026-01-05T09:17:00.000Z']);
  });

  const usage: readonly (readonly [string, readonly string[], RegExp])[] = [
    ['no --csv', ['backtest', 'HighAPIErrorRate'], /required option '--csv <file>' not specified/],
    [
      'an unknown alert',
      ['backtest', 'HighAPIErrorRat', '--csv', 'examples/backtest-api-errors.csv'],
      /unknown alarm "HighAPIErrorRat"\. Did you mean: .*HighAPIErrorRate/,
    ],
    [
      'a column the alarm does not read',
      ['backtest', 'HighCPUUtilization', '--csv', 'examples/backtest-api-errors.csv'],
      /series "RequestCount" does not belong to chatbot-HighCPUUtilization-chatbot-api; it reads m1 \(CPUUtilization\)/,
    ],
    [
      'a threshold that is not a number',
      ['backtest', 'HighAPIErrorRate', '--csv', 'examples/backtest-api-errors.csv', '--threshold', 'high'],
      /--threshold must be a number, received "high"/,
    ],
  ];
  for (const [title, args, message] of usage) {
    it(`exits 2 on ${title}`, async () => {
      const { code, stderr } = await oncall(...args);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    });
  }
});

describe('runCli (in process)', () => {
  it('prints help and exits 0', async () => {
    let out = '';
    const code = await runCli(['--help'], { out: (t) => (out += t), err: (t) => (out += t) });
    assert.equal(code, 0);
    assert.match(out, /test-alerts \[options\] <files\.\.\.>/);
    assert.match(out, /backtest \[options\] <alert>/);
  });
});
