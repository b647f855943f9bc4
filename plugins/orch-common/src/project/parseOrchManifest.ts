import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { isMap, isNode, LineCounter, parseDocument } from 'yaml';
import { validRange } from 'semver';
import { SECRET_KEYWORD } from '../runbooks';
import { orchProjectManifestSchema } from './orchProjectManifestSchema';
import {
  ManifestError,
  OrchManifestParseResult,
  OrchProjectManifest,
  OrchProjectStep,
} from './types';
import {
  OrchReference,
  parseCondition,
  templateReferences,
  expressionReferences,
} from './expressionParser';

/**
 * Largest manifest accepted, in bytes (UTF-8).
 * @public
 */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/**
 * Options of {@link parseOrchManifest}.
 * @public
 */
export type ParseOrchManifestOptions = {
  /**
   * The runbooks known to the caller, by name, with their inputs schema.
   * When given, each step's runbook must be one of them, and a secret
   * project input may only be passed, whole, into a runbook input that is
   * itself marked secret.
   */
  runbooks?: Record<string, { inputs: Record<string, unknown> }>;
};

type Segment = string | number;

let validateManifest: ValidateFunction | undefined;
let inputsAjv: Ajv2020 | undefined;

function manifestValidator(): ValidateFunction {
  if (!validateManifest) {
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      useDefaults: true,
    });
    validateManifest = ajv.compile(orchProjectManifestSchema);
  }
  return validateManifest;
}

function inputsSchemaAjv(): Ajv2020 {
  if (!inputsAjv) {
    // Like the runbook loader's inputs validator, without ajv-formats (this
    // package stays small for the browser): unknown formats are allowed.
    inputsAjv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      validateFormats: false,
    });
    inputsAjv.addKeyword({ keyword: SECRET_KEYWORD, schemaType: 'boolean' });
  }
  return inputsAjv;
}

/**
 * Renders a path as `spec.steps[1].runbook`.
 * @public
 */
export function formatManifestPath(path: Segment[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') {
        return `[${segment}]`;
      }
      const plain = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment);
      if (!plain) {
        return `[${JSON.stringify(segment)}]`;
      }
      return i === 0 ? segment : `.${segment}`;
    })
    .join('');
}

/**
 * Parses and validates an `orch.yaml`: YAML, then the JSON Schema
 * ({@link orchProjectManifestSchema}, defaults filled in), then the rules a
 * schema cannot state:
 *
 * - step ids are unique (steps and rollback steps together);
 * - every `${{ }}` template and `when` condition parses;
 * - a step reads `steps.<id>` of earlier steps only (rollback steps: of any
 *   step and of earlier rollback steps; outputs: of any step);
 * - `inputs.<name>` names a declared input;
 * - a secret input is only passed into step inputs, never into outputs,
 *   conditions, environments or connections;
 * - dependency versions are semver ranges; `spec.inputs` is a valid schema.
 *
 * Never throws: every problem is returned with its path, line and rule, and
 * `manifest` is set only when there is none.
 * @public
 */
export function parseOrchManifest(
  text: string,
  options: ParseOrchManifestOptions = {},
): OrchManifestParseResult {
  const size = utf8Length(text);
  if (size > MAX_MANIFEST_BYTES) {
    return {
      errors: [
        {
          path: '',
          rule: 'size',
          message: `the manifest is ${size} bytes, more than the limit of ${MAX_MANIFEST_BYTES}`,
        },
      ],
    };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map(e => {
        const pos = e.linePos?.[0];
        return {
          path: '',
          line: pos?.line,
          column: pos?.col,
          rule: 'yaml',
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
        };
      }),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      errors: [
        {
          path: '',
          rule: 'yaml',
          message: `invalid YAML: ${errorMessage(error)}`,
        },
      ],
    };
  }

  const locate = (path: Segment[]): { line?: number; column?: number } => {
    // The deepest node that exists: a missing property points at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        // A pair's key is where a reader looks for a property.
        const pos = lineCounter.linePos(
          keyOffset(doc, path.slice(0, n)) ?? node.range[0],
        );
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
  const errors: ManifestError[] = [];
  const report = (path: Segment[], rule: string, message: string) => {
    errors.push({
      path: formatManifestPath(path),
      ...locate(path),
      rule,
      message,
    });
  };

  const validate = manifestValidator();
  if (!validate(raw)) {
    for (const error of pruneErrors(validate.errors ?? [])) {
      const { path, message } = describeSchemaError(error);
      report(path, error.keyword, message);
    }
    return { errors };
  }
  const manifest = raw as OrchProjectManifest;
  checkSemantics(manifest, options, report);
  if (errors.length > 0) {
    return { errors };
  }
  return { manifest, errors: [] };
}

type Report = (path: Segment[], rule: string, message: string) => void;

function checkSemantics(
  manifest: OrchProjectManifest,
  options: ParseOrchManifestOptions,
  report: Report,
): void {
  const { spec } = manifest;

  const ajv = inputsSchemaAjv();
  try {
    ajv.compile(spec.inputs);
  } catch (error) {
    report(
      ['spec', 'inputs'],
      'input-schema',
      `not a valid JSON Schema: ${errorMessage(error)}`,
    );
  } finally {
    // Ajv keeps every compiled schema; a provider parses manifests forever.
    ajv.removeSchema(spec.inputs);
  }
  const declared = isObject(spec.inputs.properties)
    ? spec.inputs.properties
    : {};
  const secrets = new Set(
    Object.entries(declared)
      .filter(([, p]) => isObject(p) && p[SECRET_KEYWORD] === true)
      .map(([name]) => name),
  );

  spec.dependencies.forEach((dependency, i) => {
    if (!validRange(dependency.version)) {
      report(
        ['spec', 'dependencies', i, 'version'],
        'semver-range',
        `"${dependency.version}" is not a semver range`,
      );
    }
  });

  const seen = new Map<string, string>();
  const all: Array<[OrchProjectStep, Segment[]]> = [
    ...spec.steps.map((s, i): [OrchProjectStep, Segment[]] => [
      s,
      ['spec', 'steps', i],
    ]),
    ...spec.rollback.map((s, i): [OrchProjectStep, Segment[]] => [
      s,
      ['spec', 'rollback', i],
    ]),
  ];
  for (const [step, path] of all) {
    const first = seen.get(step.id);
    if (first) {
      report(
        [...path, 'id'],
        'duplicate-id',
        `step id "${step.id}" is already used by ${first}`,
      );
    } else {
      seen.set(step.id, formatManifestPath(path));
    }
  }

  const mainIds = spec.steps.map(s => s.id);
  const checkReferences = (
    references: OrchReference[],
    where: Segment[],
    visible: Set<string>,
    secretsAllowed: boolean,
  ) => {
    for (const reference of references) {
      const dotted = reference.path.join('.');
      if (reference.kind === 'input') {
        if (!Object.prototype.hasOwnProperty.call(declared, reference.name)) {
          report(
            where,
            'unknown-input',
            `"${dotted}" reads an input that spec.inputs does not declare`,
          );
        } else if (!secretsAllowed && secrets.has(reference.name)) {
          report(
            where,
            'secret-output',
            `"${dotted}" is a secret input; secrets may only be passed into step inputs`,
          );
        }
      } else if (reference.kind === 'step' && !visible.has(reference.id)) {
        if (seen.has(reference.id)) {
          report(
            where,
            'later-step',
            `"${dotted}" reads step "${reference.id}", which has not run yet at this point`,
          );
        } else {
          report(
            where,
            'unknown-step',
            `"${dotted}" reads step "${reference.id}", which does not exist`,
          );
        }
      }
    }
  };
  /** Parses a template (or a condition) and reports an invalid one. */
  const referencesIn = (
    where: Segment[],
    read: () => OrchReference[],
  ): OrchReference[] | undefined => {
    try {
      return read();
    } catch (error) {
      report(where, 'template', errorMessage(error));
      return undefined;
    }
  };

  const checkStep = (
    step: OrchProjectStep,
    path: Segment[],
    visible: Set<string>,
  ) => {
    const runbook = options.runbooks?.[step.runbook];
    if (options.runbooks && !runbook) {
      report(
        [...path, 'runbook'],
        'unknown-runbook',
        `no runbook named "${step.runbook}"`,
      );
    }
    walkStrings(step.inputs, [...path, 'inputs'], (value, where) => {
      const references = referencesIn(where, () => templateReferences(value));
      if (!references) {
        return;
      }
      checkReferences(references, where, visible, true);
      if (runbook) {
        checkSecretFlow(
          value,
          where,
          references,
          secrets,
          runbook.inputs,
          report,
        );
      }
    });
    if (step.when !== undefined) {
      const where = [...path, 'when'];
      const references = referencesIn(where, () =>
        expressionReferences(parseCondition(step.when!)),
      );
      if (references) {
        checkReferences(references, where, visible, false);
      }
    }
    const others: Array<[string | undefined, Segment[]]> = [
      [step.environment, [...path, 'environment']],
      ...(step.connections ?? []).map((c, i): [string, Segment[]] => [
        c,
        [...path, 'connections', i],
      ]),
    ];
    for (const [value, where] of others) {
      if (value !== undefined) {
        const references = referencesIn(where, () => templateReferences(value));
        if (references) {
          checkReferences(references, where, visible, false);
        }
      }
    }
  };

  spec.steps.forEach((step, i) => {
    checkStep(step, ['spec', 'steps', i], new Set(mainIds.slice(0, i)));
  });
  spec.rollback.forEach((step, i) => {
    const visible = new Set([
      ...mainIds,
      ...spec.rollback.slice(0, i).map(s => s.id),
    ]);
    checkStep(step, ['spec', 'rollback', i], visible);
  });
  for (const [key, value] of Object.entries(spec.outputs)) {
    const where = ['spec', 'outputs', key];
    const references = referencesIn(where, () => templateReferences(value));
    if (references) {
      checkReferences(references, where, new Set(mainIds), false);
    }
  }
}

/**
 * With the runbook's schema at hand: a secret project input may only be
 * passed as the whole value (`${{ inputs.token }}`) of a top-level runbook
 * input marked secret, where the worker encrypts and redacts it.
 */
function checkSecretFlow(
  value: string,
  where: Segment[],
  references: OrchReference[],
  secrets: Set<string>,
  runbookInputs: Record<string, unknown>,
  report: Report,
): void {
  const secretRead = references.find(
    r => r.kind === 'input' && secrets.has(r.name),
  );
  if (!secretRead) {
    return;
  }
  const field = where.length === 5 ? where[4] : undefined;
  const properties = isObject(runbookInputs.properties)
    ? runbookInputs.properties
    : {};
  const target = typeof field === 'string' ? properties[field] : undefined;
  const whole = /^\$\{\{\s*inputs\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/.test(value);
  if (!whole || !isObject(target) || target[SECRET_KEYWORD] !== true) {
    report(
      where,
      'secret-flow',
      `"${secretRead.path.join(
        '.',
      )}" is a secret input: pass it whole into a runbook input marked ${SECRET_KEYWORD}`,
    );
  }
}

function walkStrings(
  value: unknown,
  path: Segment[],
  visit: (value: string, path: Segment[]) => void,
): void {
  if (typeof value === 'string') {
    visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, [...path, i], visit));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      walkStrings(item, [...path, key], visit);
    }
  }
}

/**
 * `oneOf`/`anyOf` failures repeat the branch errors; keep the errors that say
 * something precise when there are any at the same place.
 */
function pruneErrors(errors: ErrorObject[]): ErrorObject[] {
  const combinators = new Set(['oneOf', 'anyOf', 'if']);
  const precise = errors.filter(e => !combinators.has(e.keyword));
  const result = [...precise];
  for (const error of errors) {
    if (
      combinators.has(error.keyword) &&
      !precise.some(e => e.instancePath === error.instancePath)
    ) {
      result.push(error);
    }
  }
  const unique = new Map<string, ErrorObject>();
  for (const error of result) {
    unique.set(
      `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`,
      error,
    );
  }
  return [...unique.values()];
}

function describeSchemaError(error: ErrorObject): {
  path: Segment[];
  message: string;
} {
  const path: Segment[] = error.instancePath
    .split('/')
    .slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(s => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
  let message = error.message ?? error.keyword;
  switch (error.keyword) {
    case 'required':
      path.push(String(error.params.missingProperty));
      message = 'is required';
      break;
    case 'additionalProperties':
      path.push(String(error.params.additionalProperty));
      message = 'is not an allowed property';
      break;
    case 'enum':
      message += `: ${(error.params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(error.params.allowedValue)}`;
      break;
    case 'oneOf':
      if (path.length >= 3 && path[1] === 'dependencies') {
        message = 'must name exactly one of project or runbook';
      }
      break;
    case 'propertyNames':
      message = `has an invalid property name "${error.params.propertyName}"`;
      break;
    default:
      break;
  }
  return { path, message };
}

function keyOffset(
  doc: ReturnType<typeof parseDocument>,
  path: Segment[],
): number | undefined {
  if (path.length === 0) {
    return undefined;
  }
  const parent =
    path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) {
    // A sequence item: the node itself is the place.
    return undefined;
  }
  const last = String(path[path.length - 1]);
  for (const item of parent.items) {
    const key = item.key;
    if (
      isNode(key) &&
      key.range &&
      String((key as { value?: unknown }).value) === last
    ) {
      return key.range[0];
    }
  }
  return undefined;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
