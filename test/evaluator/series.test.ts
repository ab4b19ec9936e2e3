import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseSeries, SeriesSyntaxError } from '../../lib/core/evaluator';

const _ = Number.NaN;

describe('parseSeries (compact notation)', () => {
  const cases: readonly (readonly [string, readonly number[]])[] = [
    ['1 2 3', [1, 2, 3]],
    ['  1\n2\t3  ', [1, 2, 3]],
    ['-1.5 +2 .5 1e3 2.5E-1', [-1.5, 2, 0.5, 1000, 0.25]],
    ['0.06x5', [0.06, 0.06, 0.06, 0.06, 0.06]],
    ['_', [_]],
    ['_x3 1', [_, _, _, 1]],
    ['0.06x2 _x2 1 2 3', [0.06, 0.06, _, _, 1, 2, 3]],
    ['1+2x4', [1, 3, 5, 7]],
    ['10-1x3', [10, 9, 8]],
    ['-1-1x3', [-1, -2, -3]],
    ['1e-3x2', [0.001, 0.001]],
    ['(1 2)x3', [1, 2, 1, 2, 1, 2]],
    ['(1x2 _)x2 9', [1, 1, _, 1, 1, _, 9]],
    ['((0 1)x2 5)x2', [0, 1, 0, 1, 5, 0, 1, 0, 1, 5]],
    ['(7)', [7]],
    ['', []],
  ];
  for (const [text, expected] of cases) {
    it(`"${text.replace(/\s+/g, ' ')}" -> ${expected.map((v) => (Number.isNaN(v) ? '_' : v)).join(' ') || '(empty)'}`, () => {
      // GIVEN / WHEN
      const values = parseSeries(text);
      // THEN NaN stands for a gap
      assert.deepEqual(values, expected);
    });
  }

  const bad: readonly (readonly [string, RegExp])[] = [
    ['1 abc 3', /column 3: cannot read "abc"/],
    ['1+2', /has a step but no count/],
    ['1x0', /at least 1/],
    ['(1 2', /not closed/],
    ['1 2)', /unexpected "\)"/],
    ['1,2', /cannot read "1,2"/],
    ['1x99999999', /larger than/],
  ];
  for (const [text, message] of bad) {
    it(`rejects "${text}" with ${message}`, () => {
      // WHEN / THEN
      assert.throws(
        () => parseSeries(text),
        (error: unknown) => error instanceof SeriesSyntaxError && message.test(error.message) && error.message.includes(`"${text}"`),
      );
    });
  }
});
