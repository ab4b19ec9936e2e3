import type { CompositeAlarmSpec } from '../alarms/alarm-spec';
import { ExpressionError, InputError } from './errors';
import { evaluateMetricAlarm, type AlarmInput, type EvaluateOptions, type MetricAlarmTimeline } from './evaluate';
import type { AlarmState, Timeline, Transition } from './state';

/**
 * Composite alarms: a rule over other alarms' states (`ALARM("name")`, `OK(...)`, `INSUFFICIENT_DATA(...)`,
 * `TRUE`, `FALSE`, `AND`, `OR`, `NOT`, parentheses), evaluated whenever a child is evaluated. The rule true
 * means ALARM, false means OK. Approximation: the composite stays INSUFFICIENT_DATA while every alarm the rule
 * names is INSUFFICIENT_DATA (a freshly created composite over fresh children).
 */
export type Rule =
  | { readonly kind: 'state'; readonly state: AlarmState; readonly alarm: string }
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'not'; readonly operand: Rule }
  | { readonly kind: 'and' | 'or'; readonly left: Rule; readonly right: Rule };

const RULE_TOKEN = /\s*(?:(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]+)"|([^\s()"]+))\s*\)|(TRUE|FALSE|AND|OR|NOT)\b|([()]))/y;

/**
 * Parses a composite alarm rule.
 * @throws ExpressionError with the column of the problem
 */
export function parseRule(text: string): Rule {
  type Tok = { kind: 'state'; state: AlarmState; alarm: string; at: number } | { kind: 'word' | 'paren'; text: string; at: number };
  const tokens: Tok[] = [];
  let pos = 0;
  while (text.slice(pos).trim() !== '') {
    RULE_TOKEN.lastIndex = pos;
    const m = RULE_TOKEN.exec(text);
    const at = pos + text.slice(pos).length - text.slice(pos).trimStart().length;
    if (!m)
      throw new ExpressionError(
        `rule "${text}", column ${at + 1}: expected ALARM("name"), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, AND, OR, NOT or parentheses`,
      );
    if (m[1] !== undefined) tokens.push({ kind: 'state', state: m[1] as AlarmState, alarm: (m[2] ?? m[3])!, at });
    else tokens.push({ kind: m[4] !== undefined ? 'word' : 'paren', text: (m[4] ?? m[5])!, at });
    pos = RULE_TOKEN.lastIndex;
  }
  let i = 0;
  const fail = (what: string): never => {
    const at = tokens[i]?.at ?? text.length;
    throw new ExpressionError(`rule "${text}", column ${at + 1}: ${what}`);
  };
  const isWord = (w: string): boolean => {
    const t = tokens[i];
    return t !== undefined && t.kind !== 'state' && t.text === w;
  };
  const or = (): Rule => {
    let left = and();
    while (isWord('OR')) {
      i += 1;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Rule => {
    let left = not();
    while (isWord('AND')) {
      i += 1;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): Rule => {
    if (isWord('NOT')) {
      i += 1;
      return { kind: 'not', operand: not() };
    }
    return atom();
  };
  const atom = (): Rule => {
    const t = tokens[i];
    if (t === undefined) return fail('the rule ends too early');
    i += 1;
    if (t.kind === 'state') return { kind: 'state', state: t.state, alarm: t.alarm };
    if (t.text === 'TRUE' || t.text === 'FALSE') return { kind: 'constant', value: t.text === 'TRUE' };
    if (t.text === '(') {
      const inner = or();
      if (!isWord(')')) fail('expected ")"');
      i += 1;
      return inner;
    }
    i -= 1;
    return fail(`unexpected "${t.text}"`);
  };
  const rule = or();
  if (i < tokens.length) fail('unexpected text after the rule');
  return rule;
}

/** Alarm names a rule reads. */
export function ruleAlarms(rule: Rule): string[] {
  switch (rule.kind) {
    case 'state':
      return [rule.alarm];
    case 'constant':
      return [];
    case 'not':
      return ruleAlarms(rule.operand);
    case 'and':
    case 'or':
      return [...new Set([...ruleAlarms(rule.left), ...ruleAlarms(rule.right)])];
  }
}

function holds(rule: Rule, stateOf: (alarm: string) => AlarmState): boolean {
  switch (rule.kind) {
    case 'state':
      return stateOf(rule.alarm) === rule.state;
    case 'constant':
      return rule.value;
    case 'not':
      return !holds(rule.operand, stateOf);
    case 'and':
      return holds(rule.left, stateOf) && holds(rule.right, stateOf);
    case 'or':
      return holds(rule.left, stateOf) || holds(rule.right, stateOf);
  }
}

/** A composite alarm's evaluation, with its children's. */
export interface CompositeTimeline extends Timeline {
  readonly spec: CompositeAlarmSpec;
  readonly children: readonly MetricAlarmTimeline[];
}

/**
 * Evaluates each child on its input, then the rule at every instant a child is evaluated.
 * @param inputs per child alarm name
 * @throws InputError when the rule names an alarm that is not one of the children
 */
export function evaluateComposite(spec: CompositeAlarmSpec, inputs: Readonly<Record<string, AlarmInput>>, options: EvaluateOptions): CompositeTimeline {
  const rule = parseRule(spec.rule);
  const children = spec.children.map((child) => evaluateMetricAlarm(child, inputs[child.alarmName] ?? { metrics: {} }, options));
  const byName = new Map(children.map((c) => [c.alarmName, c]));
  const named = ruleAlarms(rule);
  const unknown = named.filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new InputError(`the rule of ${spec.alarmName} names ${unknown.join(', ')}, which is not one of its children`);

  const times = [...new Set(children.flatMap((c) => Array.from({ length: c.evaluations }, (_, k) => c.start + (k + 1) * c.stepMs)))].sort((a, b) => a - b);
  const initialState = options.initialState ?? 'INSUFFICIENT_DATA';
  const transitions: Transition[] = [];
  const stateTimes: number[] = [];
  const states: AlarmState[] = [];
  let state = initialState;
  for (const t of times) {
    const stateOf = (name: string): AlarmState => byName.get(name)!.stateAt(t);
    const next: AlarmState =
      named.every((name) => stateOf(name) === 'INSUFFICIENT_DATA') && named.length > 0 ? 'INSUFFICIENT_DATA' : holds(rule, stateOf) ? 'ALARM' : 'OK';
    if (next !== state) {
      const why = named.map((name) => `${name} ${stateOf(name)}`).join(', ');
      transitions.push({ at: t, from: state, to: next, reason: `rule ${next === 'ALARM' ? 'true' : 'false'}: ${why}` });
      stateTimes.push(t);
      states.push(next);
      state = next;
    }
  }
  return {
    alarmName: spec.alarmName,
    start: options.start,
    stepMs: Math.min(...children.map((c) => c.stepMs)),
    evaluations: times.length,
    initialState,
    transitions,
    spec,
    children,
    stateAt: (t) => {
      let result = initialState;
      for (let j = 0; j < stateTimes.length && stateTimes[j]! <= t; j++) result = states[j]!;
      return result;
    },
  };
}
