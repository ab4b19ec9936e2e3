import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { evaluateMath, ExpressionError, metricIds, parseExpression } from '../../lib/core/evaluator';

const _ = Number.NaN;
const series = (values: readonly number[]): Float64Array => Float64Array.from(values);
const run = (expression: string, metrics: Record<string, readonly number[]>, length = 5): number[] =>
  Array.from(evaluateMath(parseExpression(expression), new Map(Object.entries(metrics).map(([id, v]) => [id, series(v)])), length));

describe('metric math: CloudWatch documented examples', () => {
  // "Comparison and logical operators": metric1 [30, 20, 0, 0], metric2 [20, -, 20, -].
  const compare = { metric1: [30, 20, 0, 0], metric2: [20, _, 20, _] };
  const comparisons: readonly (readonly [string, readonly number[]])[] = [
    ['(metric1 < metric2)', [0, 0, 1, 0]],
    ['(metric1 >= 30)', [1, 0, 0, 0]],
    ['(metric1 > 15 AND metric2 > 15)', [1, 0, 0, 0]],
  ];
  for (const [expression, expected] of comparisons) {
    it(`${expression} = [${expected.join(', ')}]`, () => {
      assert.deepEqual(run(expression, compare, 4), expected);
    });
  }

  // "Using IF expressions": metric1 [1, 1, 0, 0, -], metric2 [30, -, 0, 0, 30], metric3 [0, 0, 20, -, 20].
  const ifs = { metric1: [1, 1, 0, 0, _], metric2: [30, _, 0, 0, 30], metric3: [0, 0, 20, _, 20] };
  const ifCases: readonly (readonly [string, readonly number[]])[] = [
    ['IF(metric1, metric2, metric3)', [30, 0, 20, _, _]],
    ['IF(metric1, 5, metric3)', [5, 5, 20, _, _]],
    ['IF(metric1, metric2, 5)', [30, 0, 5, 5, _]],
    ['IF(metric1, metric2)', [30, 0, _, _, _]],
  ];
  for (const [expression, expected] of ifCases) {
    it(`${expression} = [${expected.map((v) => (Number.isNaN(v) ? '-' : v)).join(', ')}]`, () => {
      assert.deepEqual(run(expression, ifs), expected);
    });
  }
});

describe('metric math: missing datapoints and the catalog expressions', () => {
  const cases: readonly (readonly [string, string, Record<string, readonly number[]>, readonly number[]])[] = [
    ['arithmetic treats one missing side as 0', 'a + b', { a: [1, _, 3, _], b: [10, 20, _, _] }, [11, 20, 3, _]],
    ['division by zero drops the datapoint', 'a / b', { a: [1, 1, 0, 5], b: [2, 0, 0, _] }, [0.5, _, _, _]],
    ['series and scalar: only where the series has a value', '100 * a', { a: [0.5, _, 1, 2] }, [50, _, 100, 200]],
    ['precedence and unary minus', '-a + 2 * 3 ^ 2', { a: [1, 2, 3, 4] }, [17, 16, 15, 14]],
    ['^ is right-associative', '2 ^ 3 ^ 2 + a', { a: [0, 0, 0, 0] }, [512, 512, 512, 512]],
    ['OR and ||, AND and &&', '(a > 1 || b > 1) && a != 3', { a: [0, 2, 3, 0], b: [2, 0, 0, 0] }, [1, 1, 0, 0]],
    ['FILL with a number', 'FILL(a, 0)', { a: [_, 1, _, 2] }, [0, 1, 0, 2]],
    ['FILL of a metric with no data at all', 'FILL(none, 7)', {}, [7, 7, 7, 7]],
    ['FILL with another series', 'FILL(a, b)', { a: [_, 1, _, _], b: [5, 6, 7, _] }, [5, 1, 7, _]],
    ['FILL with REPEAT', 'FILL(a, REPEAT)', { a: [_, 1, _, 3] }, [_, 1, 1, 3]],
    ['ABS', 'ABS(a - 5)', { a: [1, 9, _, 5] }, [4, 4, _, 0]],
    // HighAPIErrorRate as resolved for an ALB: target and ELB 5xx, missing counts as 0, no traffic is 0.
    [
      'HighAPIErrorRate (ALB)',
      'IF(requests > 0, (FILL(errors1, 0) + FILL(errors2, 0)) / requests, 0)',
      { requests: [1000, 1000, 0, _], errors1: [60, _, 5, _], errors2: [_, 30, _, _] },
      [0.06, 0.03, 0, _],
    ],
    ['HighDiskUsage', '100 * used / reserved', { used: [85, 92, _, 1], reserved: [100, 100, 100, 0] }, [85, 92, 0, _]],
    ['ConversionDrop', 'IF(baseline > 0, current / baseline, 1)', { current: [65, 70, 10, _], baseline: [100, 100, 0, 100] }, [0.65, 0.7, 1, 0]],
  ];
  for (const [title, expression, metrics, expected] of cases) {
    it(`${title}: ${expression}`, () => {
      // GIVEN per-period series with gaps / WHEN evaluated / THEN CloudWatch's documented result
      assert.deepEqual(run(expression, metrics, 4), expected);
    });
  }
});

describe('metric math: parsing', () => {
  it('lists the metric ids an expression reads', () => {
    assert.deepEqual(metricIds(parseExpression('IF(requests > 0, (FILL(errors1, 0) + FILL(errors2, 0)) / requests, 0)')), ['requests', 'errors1', 'errors2']);
  });

  const bad: readonly (readonly [string, RegExp])[] = [
    ['a +', /column 4: expected a number, a metric id or "\(" but found the end/],
    ['SUM(a)', /unsupported function SUM\(\): the evaluator implements IF, FILL, ABS/],
    ['IF(a)', /IF\(\) takes 2 or 3 arguments, received 1/],
    ['(a + b', /expected "\)"/],
    ['a $ b', /column 3: unexpected character "\$"/],
    ['Requests / 2', /unknown name "Requests"/],
    ['a b', /unexpected "b"/],
  ];
  for (const [expression, message] of bad) {
    it(`rejects "${expression}"`, () => {
      assert.throws(
        () => parseExpression(expression),
        (error: unknown) => error instanceof ExpressionError && message.test(error.message),
      );
    });
  }

  it('rejects an expression that is a constant', () => {
    assert.throws(() => run('1 + 2', {}), /evaluates to the constant 3/);
  });
});
