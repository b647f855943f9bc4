import { InputError } from '@backstage/errors';

/*
 * The expression language of orch.yaml: `${{ expr }}` inside strings.
 *
 *   expr     := or
 *   or       := and ('||' and)*
 *   and      := equality ('&&' equality)*
 *   equality := unary (('==' | '!=') unary)*
 *   unary    := '!' unary | primary
 *   primary  := literal | path | call | '(' expr ')'
 *   literal  := 'text' | number | true | false | null
 *   path     := inputs.<name>(.<key>)*
 *             | steps.<id>.status
 *             | steps.<id>.outputs(.<key>)*
 *             | env.name
 *   call     := default(expr, expr)
 *
 * It is parsed here into a small tree and interpreted by walking that tree:
 * nothing is ever handed to eval, Function or a template engine, and the
 * value a template renders to is data, never parsed again.
 */

/** Longest expression accepted, to bound the work one template can cause. */
const MAX_EXPRESSION_LENGTH = 4096;
/** Deepest nesting of parentheses, `!` and calls. */
const MAX_DEPTH = 64;
/** Path segments: identifiers, with `-` allowed after the first character. */
const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Names that would walk into an object's prototype instead of its data. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const FUNCTIONS = new Set(['default']);

/**
 * A parsed expression of the orch.yaml expression language.
 * @public
 */
export type OrchExpression =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'path'; path: string[] }
  | { type: 'not'; operand: OrchExpression }
  | {
      type: 'binary';
      operator: '==' | '!=' | '&&' | '||';
      left: OrchExpression;
      right: OrchExpression;
    }
  | { type: 'call'; name: 'default'; args: OrchExpression[] };

/**
 * One part of a parsed template string: literal text, or an expression.
 * @public
 */
export type OrchTemplatePart =
  | { type: 'text'; text: string }
  | { type: 'expression'; source: string; expression: OrchExpression };

/**
 * A value an expression reads, classified: a project input, a step's status
 * or outputs, or the environment.
 * @public
 */
export type OrchReference =
  | { kind: 'input'; name: string; path: string[] }
  | { kind: 'step'; id: string; field: 'status' | 'outputs'; path: string[] }
  | { kind: 'env'; path: string[] };

type Token =
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'ident'; value: string; pos: number }
  | { type: 'op'; value: string; pos: number }
  | { type: 'end'; pos: number };

function fail(source: string, pos: number, message: string): never {
  throw new InputError(
    `Invalid expression "${source}" at character ${pos + 1}: ${message}`,
  );
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      // 'it''s' is the only escape: a doubled quote.
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) {
          fail(source, start, 'unterminated string');
        }
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += source[i];
        i++;
      }
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(
        source.slice(i),
      );
      if (!match) {
        fail(source, start, 'invalid number');
      }
      i += match[0].length;
      if (/[A-Za-z0-9_]/.test(source[i] ?? '')) {
        fail(source, start, 'invalid number');
      }
      tokens.push({ type: 'number', value: Number(match[0]), pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      i += match[0].length;
      tokens.push({ type: 'ident', value: match[0], pos: start });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ type: 'op', value: two, pos: start });
      i += 2;
      continue;
    }
    if ('!().,'.includes(c)) {
      tokens.push({ type: 'op', value: c, pos: start });
      i++;
      continue;
    }
    fail(source, start, `unexpected character "${c}"`);
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): OrchExpression {
    const expression = this.or();
    const next = this.peek();
    if (next.type !== 'end') {
      fail(this.source, next.pos, `unexpected ${describe(next)}`);
    }
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private take(): Token {
    return this.tokens[this.index++];
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.value === value;
  }

  private expectOp(value: string): void {
    const token = this.take();
    if (token.type !== 'op' || token.value !== value) {
      fail(
        this.source,
        token.pos,
        `expected "${value}", found ${describe(token)}`,
      );
    }
  }

  private nested<T>(pos: number, parse: () => T): T {
    this.depth++;
    if (this.depth > MAX_DEPTH) {
      fail(this.source, pos, `nested deeper than ${MAX_DEPTH} levels`);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private or(): OrchExpression {
    let left = this.and();
    while (this.isOp('||')) {
      this.take();
      left = { type: 'binary', operator: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): OrchExpression {
    let left = this.equality();
    while (this.isOp('&&')) {
      this.take();
      left = { type: 'binary', operator: '&&', left, right: this.equality() };
    }
    return left;
  }

  private equality(): OrchExpression {
    let left = this.unary();
    while (this.isOp('==') || this.isOp('!=')) {
      const operator = this.take() as { value: '==' | '!=' };
      left = {
        type: 'binary',
        operator: operator.value,
        left,
        right: this.unary(),
      };
    }
    return left;
  }

  private unary(): OrchExpression {
    if (this.isOp('!')) {
      const token = this.take();
      return this.nested(token.pos, () => ({
        type: 'not' as const,
        operand: this.unary(),
      }));
    }
    return this.primary();
  }

  private primary(): OrchExpression {
    const token = this.take();
    switch (token.type) {
      case 'string':
      case 'number':
        return { type: 'literal', value: token.value };
      case 'ident':
        return this.identifier(token);
      case 'op':
        if (token.value === '(') {
          return this.nested(token.pos, () => {
            const inner = this.or();
            this.expectOp(')');
            return inner;
          });
        }
        return fail(this.source, token.pos, `unexpected ${describe(token)}`);
      default:
        return fail(this.source, token.pos, 'the expression is incomplete');
    }
  }

  private identifier(token: { value: string; pos: number }): OrchExpression {
    switch (token.value) {
      case 'true':
        return { type: 'literal', value: true };
      case 'false':
        return { type: 'literal', value: false };
      case 'null':
        return { type: 'literal', value: null };
      default:
        break;
    }
    if (this.isOp('(')) {
      if (!FUNCTIONS.has(token.value)) {
        fail(this.source, token.pos, `unknown function "${token.value}"`);
      }
      this.take();
      const args = this.nested(token.pos, () => {
        const list: OrchExpression[] = [];
        if (!this.isOp(')')) {
          list.push(this.or());
          while (this.isOp(',')) {
            this.take();
            list.push(this.or());
          }
        }
        this.expectOp(')');
        return list;
      });
      if (args.length !== 2) {
        fail(
          this.source,
          token.pos,
          `default() takes 2 arguments, got ${args.length}`,
        );
      }
      return { type: 'call', name: 'default', args };
    }
    const path = [token.value];
    while (this.isOp('.')) {
      this.take();
      const segment = this.take();
      if (segment.type !== 'ident') {
        fail(
          this.source,
          segment.pos,
          `expected a name after ".", found ${describe(segment)}`,
        );
      }
      path.push(segment.value);
    }
    checkPath(this.source, token.pos, path);
    return { type: 'path', path };
  }
}

function checkPath(source: string, pos: number, path: string[]): void {
  const forbidden = path.find(s => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden) {
    fail(source, pos, `"${forbidden}" may not be used in a path`);
  }
  const bad = path.find(s => !SEGMENT.test(s));
  if (bad) {
    fail(source, pos, `"${bad}" is not a valid name`);
  }
  const [root] = path;
  const dotted = path.join('.');
  switch (root) {
    case 'inputs':
      if (path.length < 2) {
        fail(source, pos, '"inputs" must name an input (inputs.<name>)');
      }
      return;
    case 'steps':
      if (path.length < 3) {
        fail(
          source,
          pos,
          `"${dotted}" must be steps.<id>.status or steps.<id>.outputs.<key>`,
        );
      }
      if (
        path[2] === 'outputs' ||
        (path[2] === 'status' && path.length === 3)
      ) {
        return;
      }
      fail(
        source,
        pos,
        `"${dotted}" must be steps.<id>.status or steps.<id>.outputs.<key>`,
      );
      return;
    case 'env':
      if (dotted !== 'env.name') {
        fail(
          source,
          pos,
          `"${dotted}" is unknown; the environment has only env.name`,
        );
      }
      return;
    default:
      fail(
        source,
        pos,
        `unknown name "${root}"; expressions read inputs.*, steps.* and env.name`,
      );
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `the string '${token.value}'`;
    case 'number':
      return `the number ${token.value}`;
    default:
      return `"${token.value}"`;
  }
}

/**
 * Parses one expression (the text inside `${{ }}`, without the braces).
 * Throws an `InputError` naming the character where it goes wrong.
 * @public
 */
export function parseExpression(source: string): OrchExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new InputError(
      `Invalid expression: longer than ${MAX_EXPRESSION_LENGTH} characters`,
    );
  }
  const tokens = tokenize(source);
  if (tokens.length === 1) {
    throw new InputError('Invalid expression: it is empty');
  }
  return new Parser(source, tokens).parse();
}

/**
 * Splits a string into literal text and `${{ expr }}` expressions, each
 * parsed. A `}}` inside a quoted string does not close the expression.
 * Throws an `InputError` for an unclosed `${{` or an invalid expression.
 * @public
 */
export function parseTemplate(text: string): OrchTemplatePart[] {
  const parts: OrchTemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${{', i);
    if (open < 0) {
      parts.push({ type: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) {
      parts.push({ type: 'text', text: text.slice(i, open) });
    }
    const start = open + 3;
    let j = start;
    let inString = false;
    let close = -1;
    while (j < text.length) {
      const c = text[j];
      if (inString) {
        if (c === "'" && text[j + 1] === "'") {
          j += 2;
          continue;
        }
        if (c === "'") {
          inString = false;
        }
      } else if (c === "'") {
        inString = true;
      } else if (c === '}' && text[j + 1] === '}') {
        close = j;
        break;
      }
      j++;
    }
    if (close < 0) {
      throw new InputError(
        `Invalid template "${text}": "\${{" at character ${
          open + 1
        } is never closed with "}}"`,
      );
    }
    const source = text.slice(start, close).trim();
    parts.push({
      type: 'expression',
      source,
      expression: parseExpression(source),
    });
    i = close + 2;
  }
  return parts;
}

/**
 * Every value an expression reads (`inputs.x`, `steps.a.outputs.b`, …).
 * @public
 */
export function expressionReferences(
  expression: OrchExpression,
): OrchReference[] {
  switch (expression.type) {
    case 'literal':
      return [];
    case 'not':
      return expressionReferences(expression.operand);
    case 'binary':
      return [
        ...expressionReferences(expression.left),
        ...expressionReferences(expression.right),
      ];
    case 'call':
      return expression.args.flatMap(expressionReferences);
    default:
      return [toReference(expression.path)];
  }
}

function toReference(path: string[]): OrchReference {
  if (path[0] === 'inputs') {
    return { kind: 'input', name: path[1], path };
  }
  if (path[0] === 'steps') {
    return {
      kind: 'step',
      id: path[1],
      field: path[2] === 'status' ? 'status' : 'outputs',
      path,
    };
  }
  return { kind: 'env', path };
}

/**
 * Every value a template (a string, or an object or array of them, as in a
 * step's `inputs`) reads. Throws an `InputError` when a template is invalid.
 * @public
 */
export function templateReferences(value: unknown): OrchReference[] {
  if (typeof value === 'string') {
    return parseTemplate(value).flatMap(part =>
      part.type === 'expression' ? expressionReferences(part.expression) : [],
    );
  }
  if (Array.isArray(value)) {
    return value.flatMap(templateReferences);
  }
  if (isPlainObject(value)) {
    return Object.values(value).flatMap(templateReferences);
  }
  return [];
}

/**
 * Parses a `when` condition, bare or wrapped in one `${{ }}`.
 * @public
 */
export function parseCondition(expr: string): OrchExpression {
  const trimmed = expr.trim();
  if (trimmed.includes('${{')) {
    const parts = parseTemplate(trimmed);
    if (parts.length !== 1 || parts[0].type !== 'expression') {
      throw new InputError(
        `Invalid condition "${expr}": write one expression, bare or as a single \${{ }}`,
      );
    }
    return parts[0].expression;
  }
  return parseExpression(trimmed);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
