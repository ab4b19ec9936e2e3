/**
 * Alert test files: `oncall test-alerts FILE`, in the spirit of `promtool test rules`. The alarms come from
 * the same catalog and config the stack deploys; the file only gives data and expectations.
 *
 * ```yaml
 * env: default              # which config/ environment's alarms to test (default: default)
 * overrides:                # optional partial config, deep-merged over the environment's
 *   alerts:
 *     HighAPIErrorRate: { threshold: 0.07 }
 * tests:
 *   - name: 6% errors for 5 minutes fires
 *     alert: HighAPIErrorRate       # an alert id (add `instance:` when it has several alarms) ...
 *     # alarm: chatbot-HighAPIErrorRate-chatbot-api   # ... or an exact alarm name
 *     interval: 1m                  # spacing of the samples below (default: the alarm's period)
 *     initialState: OK              # state before the first evaluation (default: INSUFFICIENT_DATA)
 *     severity: P1                  # optional: the alarm's severity must be this
 *     series:                       # input series by metric id or CloudWatch metric name (inputs.ts)
 *       requests: 1000x10           # compact notation (series.ts): values, _ gaps, VxN, a+bxN, (...)xN
 *       errors1: 60x10
 *       band.upper: 0.02            # a bare number is a constant for the whole test (anomaly bands)
 *     expect:
 *       - at: 4m                    # time since the first sample (30s, 5m, 1h30m, 2d)
 *         state: OK
 *       - at: 5m
 *         state: ALARM
 *       - at: 6m                    # with `until`: the state holds from `at` to `until`, inclusive
 *         until: 10m
 *         state: ALARM
 * ```
 *
 * Sample i is at i x interval. The alarm is evaluated every minute (every period for 10/20/30-second
 * periods) over period-long windows ending at that minute, as CloudWatch does by default (evaluate.ts), and
 * the state "at" an instant is the state after the last evaluation at or before it: a one-minute alarm with
 * 5 of 5 breaching samples from 0s is in ALARM at 5m. Metrics without a series have no data. Evaluation
 * continues past the last sample up to the latest time expected.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { SEVERITIES } from '../catalog';
import { parseDuration } from './duration';
import { InputError, readInputFile } from './errors';
import { ALARM_STATES } from './state';

const duration = z.string({ error: 'must be a duration such as 30s, 5m, 1h30m' }).transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message, input: text });
    return z.NEVER;
  }
});

const ExpectationSchema = z.strictObject({
  at: duration,
  until: duration.optional(),
  state: z.enum(ALARM_STATES),
});

const TestCaseSchema = z
  .strictObject({
    name: z.string().min(1),
    alarm: z.string().min(1).optional(),
    alert: z.string().min(1).optional(),
    instance: z.string().min(1).optional(),
    interval: duration.refine((ms) => ms > 0, 'must be longer than 0').optional(),
    initialState: z.enum(ALARM_STATES).optional(),
    severity: z.enum(SEVERITIES).optional(),
    series: z.record(z.string(), z.union([z.string(), z.number()], { error: 'must be a series in the compact notation (a string) or a constant (a number)' })),
    expect: z.array(ExpectationSchema).min(1, 'needs at least one expectation'),
  })
  .refine((t) => (t.alarm === undefined) !== (t.alert === undefined), { message: 'give exactly one of "alarm" (an alarm name) or "alert" (an alert id)' });

const TestFileSchema = z.strictObject({
  env: z.string().min(1).default('default'),
  overrides: z.record(z.string(), z.unknown()).optional(),
  tests: z.array(TestCaseSchema).min(1, 'needs at least one test'),
});

/** One expectation: the alarm's state at an instant, or throughout `[atMs, untilMs]`. */
export type Expectation = z.output<typeof ExpectationSchema>;
/** One test case, validated, with durations in milliseconds. */
export type AlertTestCase = z.output<typeof TestCaseSchema>;

/** A validated test file. */
export interface TestFile {
  readonly path: string;
  readonly env: string;
  readonly overrides: Readonly<Record<string, unknown>> | undefined;
  readonly tests: readonly AlertTestCase[];
  /** `file:line` of a node of the file, e.g. `locate(['tests', 2, 'series', 'requests'])`. */
  locate(path: readonly PropertyKey[]): string;
}

/**
 * Reads and validates a test file.
 * @throws InputError for a missing file, YAML that does not parse, or content that does not validate; the
 *   message names the file and line
 */
export function loadTestFile(path: string): TestFile {
  return parseTestFile(readInputFile(path), path);
}

/** {@link loadTestFile} on text already read. */
export function parseTestFile(text: string, path: string): TestFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new InputError(`invalid YAML: ${syntax.message.split('\n')[0]}`, `${path}:${line}`);
  }
  const locate = (nodePath: readonly PropertyKey[]): string => {
    for (let n = nodePath.length; n >= 0; n--) {
      const node = doc.getIn(nodePath.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return `${path}:${lineCounter.linePos(node.range[0]).line}`;
    }
    return path;
  };
  keepSeriesNotation(doc);
  const result = TestFileSchema.safeParse(doc.toJS());
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
      return `${locate(issue.path)}: ${field}${issue.message}`;
    });
    throw new InputError(`invalid test file:\n  ${problems.join('\n  ')}`);
  }
  return { path, env: result.data.env, overrides: result.data.overrides, tests: result.data.tests, locate };
}

/**
 * YAML reads an unquoted `0x10` as the hexadecimal number 16 and `0o7` as 7, where the series notation means
 * "0 ten times" and is simply not a number. Series values keep their source text unless it is a plain decimal.
 */
function keepSeriesNotation(doc: Document): void {
  const tests = doc.get('tests', true);
  if (!isSeq(tests)) return;
  for (const test of tests.items) {
    const series = isMap(test) ? test.get('series', true) : undefined;
    if (!isMap(series)) continue;
    for (const pair of series.items) {
      const node = pair.value;
      if (isScalar(node) && typeof node.value === 'number' && node.source !== undefined && !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(node.source)) {
        node.value = node.source;
      }
    }
  }
}
