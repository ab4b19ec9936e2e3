import { ExpressionError } from './errors';

/**
 * The metric math subset the catalog's alarms use, parsed into a tree: numbers, metric ids, `+ - * / ^`,
 * unary minus, comparisons `== != < <= > >=`, `AND`/`&&`, `OR`/`||`, parentheses, and the functions
 * `IF(cond, a[, b])`, `FILL(x, value | series | REPEAT)` and `ABS(x)`. Evaluation is in metric-math.ts.
 */
export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'metric'; readonly id: string }
  | { readonly kind: 'keyword'; readonly name: 'REPEAT' }
  | { readonly kind: 'negate'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'call'; readonly name: FunctionName; readonly args: readonly Expr[] };

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

/** Functions the evaluator implements, with the argument counts CloudWatch accepts. */
export const FUNCTIONS = { IF: [2, 3], FILL: [2, 2], ABS: [1, 1] } as const;
export type FunctionName = keyof typeof FUNCTIONS;

/** Binding strength of the binary operators; higher binds tighter. */
const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  OR: 1,
  AND: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '^': 6,
};

interface Token {
  readonly text: string;
  readonly kind: 'number' | 'word' | 'op' | 'end';
  readonly at: number;
}

const TOKEN = /\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[-+*/^<>(),]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (text.slice(pos).trim() !== '') {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) {
      const at = text.length - text.slice(pos).trimStart().length;
      throw syntax(text, at, `unexpected character "${text[at]}"`);
    }
    // The token starts after the whitespace the match skipped.
    const at = m.index + m[0].length - (m[1] ?? m[2] ?? m[3])!.length;
    if (m[1] !== undefined) tokens.push({ text: m[1], kind: 'number', at });
    else if (m[2] !== undefined) tokens.push({ text: m[2], kind: 'word', at });
    else tokens.push({ text: m[3]!, kind: 'op', at });
    pos = TOKEN.lastIndex;
  }
  tokens.push({ text: '', kind: 'end', at: text.length });
  return tokens;
}

/**
 * Parses a metric math expression.
 * @throws ExpressionError with the column of the problem
 */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;
  const expect = (op: string): void => {
    const t = next();
    if (t.text !== op) throw syntax(text, t.at, `expected "${op}" but found ${describe(t)}`);
  };

  const binaryOp = (t: Token): BinaryOp | undefined => {
    if (t.kind === 'op') {
      if (t.text === '&&') return 'AND';
      if (t.text === '||') return 'OR';
      return t.text in PRECEDENCE ? (t.text as BinaryOp) : undefined;
    }
    return t.kind === 'word' && (t.text === 'AND' || t.text === 'OR') ? t.text : undefined;
  };

  const binary = (minPrecedence: number): Expr => {
    let left = unary();
    for (;;) {
      const op = binaryOp(peek());
      if (op === undefined || PRECEDENCE[op] < minPrecedence) return left;
      next();
      // `^` is right-associative; the others associate to the left.
      const right = binary(op === '^' ? PRECEDENCE[op] : PRECEDENCE[op] + 1);
      left = { kind: 'binary', op, left, right };
    }
  };

  const unary = (): Expr => {
    if (peek().text === '-') {
      next();
      return { kind: 'negate', operand: unary() };
    }
    return primary();
  };

  const primary = (): Expr => {
    const t = next();
    if (t.kind === 'number') return { kind: 'number', value: Number(t.text) };
    if (t.text === '(') {
      const inner = binary(1);
      expect(')');
      return inner;
    }
    if (t.kind === 'word') {
      if (t.text === 'REPEAT') return { kind: 'keyword', name: 'REPEAT' };
      if (peek().text === '(') return call(t);
      if (/^[a-z]/.test(t.text)) return { kind: 'metric', id: t.text };
      throw syntax(text, t.at, `unknown name "${t.text}": metric ids start with a lower-case letter; functions are ${Object.keys(FUNCTIONS).join(', ')}`);
    }
    throw syntax(text, t.at, `expected a number, a metric id or "(" but found ${describe(t)}`);
  };

  const call = (name: Token): Expr => {
    if (!(name.text in FUNCTIONS)) {
      throw syntax(text, name.at, `unsupported function ${name.text}(): the evaluator implements ${Object.keys(FUNCTIONS).join(', ')}`);
    }
    const fn = name.text as FunctionName;
    expect('(');
    const args: Expr[] = [binary(1)];
    while (peek().text === ',') {
      next();
      args.push(binary(1));
    }
    expect(')');
    const [min, max] = FUNCTIONS[fn];
    if (args.length < min || args.length > max) {
      throw syntax(text, name.at, `${fn}() takes ${min === max ? min : `${min} or ${max}`} arguments, received ${args.length}`);
    }
    return { kind: 'call', name: fn, args };
  };

  const tree = binary(1);
  if (peek().kind !== 'end') throw syntax(text, peek().at, `unexpected ${describe(peek())}`);
  return tree;
}

/** Metric ids the expression reads, in order of first use. */
export function metricIds(expr: Expr): string[] {
  const ids = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === 'metric') ids.add(e.id);
    else if (e.kind === 'negate') walk(e.operand);
    else if (e.kind === 'binary') {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === 'call') e.args.forEach(walk);
  };
  walk(expr);
  return [...ids];
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the expression' : `"${t.text}"`;
}

function syntax(text: string, at: number, message: string): ExpressionError {
  return new ExpressionError(`expression "${text}", column ${at + 1}: ${message}`);
}
