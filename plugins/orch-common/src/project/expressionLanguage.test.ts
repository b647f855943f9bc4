import {
  parseExpression,
  parseTemplate,
  templateReferences,
} from './expressionParser';
import {
  TemplateContext,
  evaluateCondition,
  renderTemplateValue,
} from './expressionEvaluator';

const ctx: TemplateContext = {
  inputs: {
    name: 'web',
    replicas: 3,
    enabled: true,
    empty: '',
    tags: ['a', 'b'],
    nested: { port: 8080 },
    sneaky: '${{ inputs.name }}',
  },
  steps: {
    build: { status: 'SUCCESS', outputs: { image: 'web:1', port: 80 } },
    'deploy-app': { status: 'ERROR', outputs: {} },
  },
  env: { name: 'stage' },
};

describe('parseExpression', () => {
  it('parses literals, paths, operators, parentheses and default()', () => {
    expect(parseExpression("'it''s'")).toEqual({
      type: 'literal',
      value: "it's",
    });
    expect(parseExpression('-1.5')).toEqual({ type: 'literal', value: -1.5 });
    expect(parseExpression('null')).toEqual({ type: 'literal', value: null });
    expect(parseExpression('steps.deploy-app.outputs.url')).toEqual({
      type: 'path',
      path: ['steps', 'deploy-app', 'outputs', 'url'],
    });
    expect(
      parseExpression("!(inputs.a == 'x') || env.name != 'prod' && true"),
    ).toEqual({
      type: 'binary',
      operator: '||',
      left: {
        type: 'not',
        operand: {
          type: 'binary',
          operator: '==',
          left: { type: 'path', path: ['inputs', 'a'] },
          right: { type: 'literal', value: 'x' },
        },
      },
      right: {
        type: 'binary',
        operator: '&&',
        left: {
          type: 'binary',
          operator: '!=',
          left: { type: 'path', path: ['env', 'name'] },
          right: { type: 'literal', value: 'prod' },
        },
        right: { type: 'literal', value: true },
      },
    });
    expect(parseExpression("default(inputs.a, 'b')")).toMatchObject({
      type: 'call',
      name: 'default',
    });
  });

  it.each([
    ['', /empty/],
    ['inputs', /must name an input/],
    ['inputs.', /expected a name after "."/],
    ['steps.build', /steps.<id>.status or steps.<id>.outputs/],
    ['steps.build.status.x', /steps.<id>.status or steps.<id>.outputs/],
    ['env.region', /only env.name/],
    ['process.env.HOME', /unknown name "process"/],
    ['inputs.__proto__', /"__proto__" may not be used/],
    ['inputs.constructor', /"constructor" may not be used/],
    ["eval('1')", /unknown function "eval"/],
    ["default('a')", /default\(\) takes 2 arguments, got 1/],
    ["'open", /unterminated string/],
    ['inputs.a +', /unexpected character "\+"/],
    ['inputs.a inputs.b', /unexpected "inputs"/],
    ['(inputs.a', /expected "\)"/],
    ['inputs.a ==', /incomplete/],
    ['1abc', /invalid number/],
  ])('refuses %j', (source, message) => {
    expect(() => parseExpression(source)).toThrow(message);
  });

  it('bounds length and nesting', () => {
    expect(() => parseExpression('x'.repeat(5000))).toThrow(/longer than 4096/);
    expect(() =>
      parseExpression(`${'('.repeat(100)}true${')'.repeat(100)}`),
    ).toThrow(/nested deeper than 64/);
    expect(() => parseExpression(`${'!'.repeat(100)}true`)).toThrow(
      /nested deeper than 64/,
    );
  });

  it('throws InputError with the position', () => {
    expect(() => parseExpression("inputs.a == 'x' ;")).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: `Invalid expression "inputs.a == 'x' ;" at character 17: unexpected character ";"`,
      }),
    );
  });
});

describe('parseTemplate', () => {
  it('splits text and expressions; }} inside a string does not close', () => {
    expect(parseTemplate("a ${{ 'x}}y' }} b ${{inputs.name}}")).toEqual([
      { type: 'text', text: 'a ' },
      {
        type: 'expression',
        source: "'x}}y'",
        expression: { type: 'literal', value: 'x}}y' },
      },
      { type: 'text', text: ' b ' },
      {
        type: 'expression',
        source: 'inputs.name',
        expression: { type: 'path', path: ['inputs', 'name'] },
      },
    ]);
    expect(parseTemplate('plain')).toEqual([{ type: 'text', text: 'plain' }]);
  });

  it('refuses an unclosed ${{', () => {
    expect(() => parseTemplate('a ${{ inputs.name')).toThrow(/never closed/);
  });

  it('lists the references of nested values', () => {
    expect(
      templateReferences({
        a: ['${{ inputs.name }}', 1],
        b: {
          c: 'x ${{ steps.build.outputs.image }} ${{ default(env.name, steps.x.status) }}',
        },
      }),
    ).toEqual([
      { kind: 'input', name: 'name', path: ['inputs', 'name'] },
      {
        kind: 'step',
        id: 'build',
        field: 'outputs',
        path: ['steps', 'build', 'outputs', 'image'],
      },
      { kind: 'env', path: ['env', 'name'] },
      {
        kind: 'step',
        id: 'x',
        field: 'status',
        path: ['steps', 'x', 'status'],
      },
    ]);
  });
});

describe('renderTemplateValue', () => {
  it('keeps the type of a value that is exactly one expression', () => {
    expect(renderTemplateValue('${{ inputs.replicas }}', ctx)).toBe(3);
    expect(renderTemplateValue('${{inputs.enabled}}', ctx)).toBe(true);
    expect(renderTemplateValue('${{ inputs.tags }}', ctx)).toEqual(['a', 'b']);
    expect(renderTemplateValue('${{ inputs.nested }}', ctx)).toEqual({
      port: 8080,
    });
    expect(renderTemplateValue('${{ steps.build.outputs.port }}', ctx)).toBe(
      80,
    );
    expect(renderTemplateValue('${{ null }}', ctx)).toBeNull();
  });

  it('stringifies in mixed strings', () => {
    expect(
      renderTemplateValue(
        'http://${{ inputs.name }}.${{ env.name }}:${{ inputs.nested.port }} ${{ inputs.tags }}${{ inputs.missing }}',
        ctx,
      ),
    ).toBe('http://web.stage:8080 ["a","b"]');
  });

  it('renders objects and arrays deeply, leaves keys and non-strings alone', () => {
    expect(
      renderTemplateValue(
        {
          '${{ inputs.name }}': '${{ inputs.name }}',
          list: ['${{ inputs.replicas }}', '${{ inputs.missing }}', 7, false],
          gone: '${{ inputs.missing }}',
          n: 1,
        },
        ctx,
      ),
    ).toEqual({ '${{ inputs.name }}': 'web', list: [3, null, 7, false], n: 1 });
  });

  it('never evaluates a rendered value again', () => {
    expect(renderTemplateValue('${{ inputs.sneaky }}', ctx)).toBe(
      '${{ inputs.name }}',
    );
    expect(renderTemplateValue('x ${{ inputs.sneaky }}', ctx)).toBe(
      'x ${{ inputs.name }}',
    );
  });

  it('copies objects so the context cannot be changed through the result', () => {
    const rendered = renderTemplateValue('${{ inputs.nested }}', ctx) as {
      port: number;
    };
    rendered.port = 1;
    expect(ctx.inputs.nested).toEqual({ port: 8080 });
  });

  it('reads own properties only', () => {
    expect(renderTemplateValue('${{ inputs.toString }}', ctx)).toBeUndefined();
    expect(
      renderTemplateValue('${{ inputs.name.length }}', ctx),
    ).toBeUndefined();
  });

  it('applies default()', () => {
    expect(
      renderTemplateValue("${{ default(inputs.empty, 'fallback') }}", ctx),
    ).toBe('fallback');
    expect(renderTemplateValue('${{ default(inputs.missing, 2) }}', ctx)).toBe(
      2,
    );
    expect(renderTemplateValue("${{ default(inputs.name, 'x') }}", ctx)).toBe(
      'web',
    );
  });

  it('throws InputError on an invalid template', () => {
    expect(() => renderTemplateValue({ a: ['${{ inputs. }}'] }, ctx)).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });
});

describe('evaluateCondition', () => {
  it.each([
    ["steps.build.status == 'SUCCESS'", true],
    ["${{ steps.deploy-app.status == 'SUCCESS' }}", false],
    ["steps.deploy-app.status != 'SUCCESS' && inputs.enabled", true],
    ['inputs.empty || inputs.missing', false],
    ['!inputs.missing', true],
    ['inputs.replicas == 3', true],
    ["inputs.replicas == '3'", false],
    ['inputs.missing == null', true],
    ['inputs.tags == inputs.tags', true],
    ['inputs.name', true],
    ['0', false],
    ["env.name == 'stage' && (false || true)", true],
  ])('%s is %s', (expr, expected) => {
    expect(evaluateCondition(expr, ctx)).toBe(expected);
  });

  it('has no env when none is given', () => {
    expect(
      evaluateCondition('env.name == null', { inputs: {}, steps: {} }),
    ).toBe(true);
  });

  it('refuses text around the expression', () => {
    expect(() => evaluateCondition('x ${{ true }}', ctx)).toThrow(
      /write one expression/,
    );
  });
});
