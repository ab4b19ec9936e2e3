import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ENVIRONMENTS } from '../../config';
import { InputError, loadTestFile, parseTestFile, runTestFile } from '../../lib/core/evaluator';

const run = (text: string) => runTestFile(parseTestFile(text, 'inline.yaml'), { environments: ENVIRONMENTS });
const rejects = (fn: () => unknown, ...patterns: RegExp[]) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    for (const p of patterns) assert.match(error.message, p);
    return true;
  });

const CASE = (body: string) => `tests:\n  - name: a case\n${body}`;

describe('test files: reading and validation', () => {
  it('reads the format with defaults, durations in ms and the notation as text', () => {
    // GIVEN / WHEN
    const file = parseTestFile(
      CASE(
        '    alert: HighAPIErrorRate\n    interval: 1m\n    series:\n      requests: 0x10\n      errors1: 5\n    expect:\n      - { at: 1h30m, until: 2h, state: OK }\n',
      ),
      'f.yaml',
    );
    // THEN
    assert.equal(file.env, 'default');
    const [test] = file.tests;
    assert.equal(test!.interval, 60_000);
    assert.deepEqual(test!.expect, [{ at: 5_400_000, until: 7_200_000, state: 'OK' }]);
    // `0x10` is "0 ten times", not YAML's hexadecimal 16; a plain number stays a number (a constant)
    assert.deepEqual(test!.series, { requests: '0x10', errors1: 5 });
    assert.equal(file.locate(['tests', 0, 'series', 'errors1']), 'f.yaml:7');
  });

  const invalid: readonly (readonly [string, string, readonly RegExp[]])[] = [
    ['YAML that does not parse', 'tests:\n  - name: [unclosed\n', [/^inline\.yaml:\d+: invalid YAML/]],
    ['no tests', 'env: default\n', [/inline\.yaml:1: tests: /]],
    [
      'both alarm and alert',
      CASE('    alarm: x\n    alert: y\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n'),
      [/inline\.yaml:2: tests\.0: give exactly one of "alarm"/],
    ],
    [
      'a bad duration',
      CASE('    alert: HighAPIErrorRate\n    series: {}\n    expect:\n      - { at: 5 minutes, state: OK }\n'),
      [/inline\.yaml:6: tests\.0\.expect\.0\.at: invalid duration "5 minutes"/],
    ],
    [
      'an unknown state',
      CASE('    alert: HighAPIErrorRate\n    series: {}\n    expect:\n      - { at: 5m, state: FIRING }\n'),
      [/inline\.yaml:6: tests\.0\.expect\.0\.state: /, /ALARM/],
    ],
    ['an unknown field', CASE('    alert: HighAPIErrorRate\n    serie: {}\n    expect: [{ at: 1m, state: OK }]\n'), [/Unrecognized key: "serie"/]],
    [
      'a series of the wrong type',
      CASE('    alert: HighAPIErrorRate\n    series:\n      requests: [1, 2]\n    expect: [{ at: 1m, state: OK }]\n'),
      [/inline\.yaml:5: tests\.0\.series\.requests: must be a series in the compact notation/],
    ],
  ];
  for (const [title, text, patterns] of invalid) {
    it(`rejects ${title}, naming the line`, () => {
      rejects(() => parseTestFile(text, 'inline.yaml'), ...patterns);
    });
  }

  it('reports a missing file by name', () => {
    rejects(() => loadTestFile('/nonexistent/alerts.yaml'), /^\/nonexistent\/alerts\.yaml: file not found$/);
  });
});

describe('test files: what the runner refuses', () => {
  const refused: readonly (readonly [string, string, readonly RegExp[]])[] = [
    [
      'an unknown alarm name, with close matches',
      CASE('    alarm: chatbot-HighAPIErrorRat-chatbot-api\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n'),
      [/^inline\.yaml:3: unknown alarm "chatbot-HighAPIErrorRat-chatbot-api"\. Did you mean: chatbot-HighAPIErrorRate-chatbot-api/],
    ],
    [
      'an alert id given as an alarm name',
      CASE('    alarm: HighAPIErrorRate\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n'),
      [/write "alert: HighAPIErrorRate"/],
    ],
    [
      'an unknown alert id',
      CASE('    alert: HighApiErrorRate\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n'),
      [/unknown alarm "HighApiErrorRate"\. Did you mean: HighAPIErrorRate/],
    ],
    [
      'a series the alarm does not read, listing those it does',
      CASE('    alert: HighAPIErrorRate\n    series:\n      errors: 1\n    expect: [{ at: 1m, state: OK }]\n'),
      [
        /^inline\.yaml:5: series "errors" does not belong to chatbot-HighAPIErrorRate-chatbot-api; it reads errors1 \(HTTPCode_Target_5XX_Count\), errors2 \(HTTPCode_ELB_5XX_Count\), requests \(RequestCount\)/,
      ],
    ],
    [
      'the same metric twice',
      CASE('    alert: HighAPIErrorRate\n    series:\n      requests: 1\n      RequestCount: 1\n    expect: [{ at: 1m, state: OK }]\n'),
      [/"RequestCount" and "requests" are the same metric/],
    ],
    [
      'bad notation, at its line',
      CASE('    alert: HighAPIErrorRate\n    series:\n      requests: 1 2 three\n    expect: [{ at: 1m, state: OK }]\n'),
      [/^inline\.yaml:5: series "1 2 three", column 5: cannot read "three"/],
    ],
    [
      'an unknown environment',
      `env: prod\n${CASE('    alert: HighAPIErrorRate\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n')}`,
      [/unknown env "prod"; config\/index\.ts defines default, staging, multi-account/],
    ],
    [
      'an override that makes the config invalid',
      `overrides:\n  alerts:\n    HighAPIErrorRate: { threshold: fast }\n${CASE('    alert: HighAPIErrorRate\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n')}`,
      [/^inline\.yaml:2: Invalid config for env "default"/, /alerts\.HighAPIErrorRate\.threshold/],
    ],
  ];
  for (const [title, text, patterns] of refused) {
    it(`refuses ${title}`, () => {
      rejects(() => run(text), ...patterns);
    });
  }

  it('asserts the severity when a case gives one', () => {
    // GIVEN a case claiming HighAPIErrorRate is a P2
    const [result] = run(CASE('    alert: HighAPIErrorRate\n    severity: P2\n    series: {}\n    expect: [{ at: 1m, state: OK }]\n')).cases;
    // THEN the case fails on the severity alone
    assert.equal(result!.passed, false);
    assert.equal(result!.severityMismatch, 'severity: expected P2, the alarm is P1');
  });

  it('applies the file overrides before resolving the alarms', () => {
    const text = `overrides:\n  alerts:\n    HighAPIErrorRate: { threshold: 0.07 }\n${CASE('    alert: HighAPIErrorRate\n    interval: 1m\n    series:\n      requests: 1000x5\n      errors1: 60x5\n    expect: [{ at: 5m, state: OK }]\n')}`;
    const [result] = run(text).cases;
    assert.equal(result!.spec.kind !== 'composite' && result!.spec.threshold, 0.07);
    assert.equal(result!.passed, true);
  });
});
