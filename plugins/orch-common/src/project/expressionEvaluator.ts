import {
  OrchExpression,
  parseCondition,
  parseTemplate,
} from './expressionParser';

/*
 * Evaluation of the orch.yaml expression language (see expressionParser.ts):
 * a walk over the parsed tree. Values are read as data, never evaluated, and
 * what a template renders to is never rendered again.
 */

/**
 * What templates and conditions are evaluated against: the project's inputs,
 * the steps that ran before, and the environment.
 * @public
 */
export type TemplateContext = {
  inputs: Record<string, unknown>;
  steps: Record<string, { status: string; outputs: Record<string, unknown> }>;
  env?: { name: string };
};

/**
 * Evaluates a parsed expression. A path that leads nowhere (an input not
 * given, a step that did not run, an output it did not produce) is
 * `undefined`; `&&`, `||` and `!` give booleans; `default(a, b)` is `b` when
 * `a` is undefined, null or the empty string.
 * @public
 */
export function evaluateExpression(
  expression: OrchExpression,
  ctx: TemplateContext,
): unknown {
  switch (expression.type) {
    case 'literal':
      return expression.value;
    case 'path':
      return lookup(ctx, expression.path);
    case 'not':
      return !truthy(evaluateExpression(expression.operand, ctx));
    case 'call': {
      const first = evaluateExpression(expression.args[0], ctx);
      if (first === undefined || first === null || first === '') {
        return evaluateExpression(expression.args[1], ctx);
      }
      return first;
    }
    default:
      break;
  }
  switch (expression.operator) {
    case '&&':
      return (
        truthy(evaluateExpression(expression.left, ctx)) &&
        truthy(evaluateExpression(expression.right, ctx))
      );
    case '||':
      return (
        truthy(evaluateExpression(expression.left, ctx)) ||
        truthy(evaluateExpression(expression.right, ctx))
      );
    case '==':
      return equals(
        evaluateExpression(expression.left, ctx),
        evaluateExpression(expression.right, ctx),
      );
    default:
      return !equals(
        evaluateExpression(expression.left, ctx),
        evaluateExpression(expression.right, ctx),
      );
  }
}

/**
 * Renders a value's templates against a context. Strings are rendered; arrays
 * and objects are rendered item by item (keys are left alone); anything else
 * is returned as is. A string that is exactly one `${{ expr }}` becomes the
 * expression's value with its type (a number stays a number, an object an
 * object; an object property whose value is undefined is left out); in any
 * other string each expression is written as text (undefined and null as
 * nothing, objects and arrays as JSON).
 *
 * The result is data: it is never rendered again, so a value that contains
 * `${{` stays as it is.
 * @public
 */
export function renderTemplateValue(
  value: unknown,
  ctx: TemplateContext,
): unknown {
  if (typeof value === 'string') {
    return renderString(value, ctx);
  }
  if (Array.isArray(value)) {
    return value.map(item => {
      const rendered = renderTemplateValue(item, ctx);
      return rendered === undefined ? null : rendered;
    });
  }
  if (isPlainObject(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderTemplateValue(item, ctx);
      if (rendered !== undefined) {
        result[key] = rendered;
      }
    }
    return result;
  }
  return value;
}

function renderString(text: string, ctx: TemplateContext): unknown {
  const parts = parseTemplate(text);
  if (parts.length === 1 && parts[0].type === 'expression') {
    return clone(evaluateExpression(parts[0].expression, ctx));
  }
  return parts
    .map(part =>
      part.type === 'text'
        ? part.text
        : stringify(evaluateExpression(part.expression, ctx)),
    )
    .join('');
}

/**
 * Evaluates a step's `when`: an expression, written bare
 * (`inputs.enabled == true`) or as one `${{ }}`. The value is taken as a
 * boolean: false, null, undefined, 0 and '' are false, anything else true.
 * Throws an `InputError` when the expression is invalid.
 * @public
 */
export function evaluateCondition(expr: string, ctx: TemplateContext): boolean {
  return truthy(evaluateExpression(parseCondition(expr), ctx));
}

function lookup(ctx: TemplateContext, path: string[]): unknown {
  let current: unknown = ctx;
  for (const segment of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) {
      return undefined;
    }
    if (!Object.prototype.hasOwnProperty.call(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function truthy(value: unknown): boolean {
  return !(
    value === undefined ||
    value === null ||
    value === false ||
    value === 0 ||
    value === '' ||
    Number.isNaN(value)
  );
}

function equals(a: unknown, b: unknown): boolean {
  if (a === undefined || a === null) {
    return b === undefined || b === null;
  }
  if (typeof a === 'object' || typeof b === 'object') {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

function clone(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? JSON.parse(JSON.stringify(value))
    : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
