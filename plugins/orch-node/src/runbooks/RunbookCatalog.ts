import fs from 'fs/promises';
import path from 'path';
import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  RunbookDescriptor,
  SECRET_KEYWORD,
  runbookDescriptorSchema,
} from '@internal/backstage-plugin-orch-common';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';

/** Descriptors are small; a bigger file is a mistake, not a runbook. */
const MAX_DESCRIPTOR_BYTES = 256 * 1024;
const DESCRIPTOR_SUFFIX = '.runbook.yaml';
/** Inputs become Ansible extra vars: their names must be variable names. */
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Ansible's own variables and the worker's; an input must not override them. */
const RESERVED_INPUT_PREFIXES = ['ansible_', 'orch_'];

/**
 * A descriptor that was skipped, with the reasons.
 * @public
 */
export type RunbookCatalogProblem = {
  /** The descriptor file, relative to the runbooks root (`playbooks/x.runbook.yaml`). */
  file: string;
  /** One line per failing field: `<JSON pointer>: <message>`. */
  errors: string[];
};

/**
 * One reason why inputs were refused.
 * @public
 */
export type RunbookInputError = {
  /** Dotted path of the field (`count`, `servers.0.host`); empty for the inputs as a whole. */
  field: string;
  message: string;
};

/**
 * Result of {@link RunbookCatalog.validateInputs}.
 * @public
 */
export type RunbookInputsValidation =
  | {
      valid: true;
      /** A copy of the inputs with the schema's defaults filled in. */
      value: Record<string, unknown>;
    }
  | { valid: false; errors: RunbookInputError[] };

/**
 * Options of {@link RunbookCatalog.load}.
 * @public
 */
export type RunbookCatalogOptions = {
  /** The runbooks root: the folder holding `playbooks/`, `inventory/`, `roles/`. */
  rootDir: string;
  logger: LoggerService;
};

type Entry = {
  descriptor: RunbookDescriptor;
  file: string;
  validate: ValidateFunction;
};

/**
 * Names of the top-level input properties marked secret
 * (`x-orch-secret: true`) in a runbook's inputs schema.
 * @public
 */
export function secretFields(schema: Record<string, unknown>): string[] {
  const properties = schema?.properties;
  if (!isObject(properties)) {
    return [];
  }
  return Object.entries(properties)
    .filter(
      ([, property]) => isObject(property) && property[SECRET_KEYWORD] === true,
    )
    .map(([name]) => name);
}

/**
 * The runbooks found in `<rootDir>/playbooks/*.runbook.yaml`, validated.
 *
 * Loading never throws: a descriptor that fails its schema, whose inputs are
 * not a valid JSON Schema, whose playbook is missing or lies outside the root,
 * or whose name is taken already, is logged, listed in `problems` and skipped.
 *
 * @public
 */
export class RunbookCatalog {
  /**
   * Reads and validates every descriptor under `<rootDir>/playbooks/`.
   */
  static async load(options: RunbookCatalogOptions): Promise<RunbookCatalog> {
    const { logger } = options;
    const catalog = new RunbookCatalog(path.resolve(options.rootDir));
    const report = (
      file: string,
      name: string | undefined,
      errors: string[],
    ) => {
      catalog.problems.push({ file, errors });
      const which = name ? ` (runbook "${name}")` : '';
      logger.warn(
        `Skipped runbook descriptor ${file}${which}: ${errors.join('; ')}`,
        { file, runbook: name ?? null, errors },
      );
    };

    let realRoot: string;
    let names: string[];
    try {
      realRoot = await fs.realpath(catalog.rootDir);
      const dirents = await fs.readdir(path.join(realRoot, 'playbooks'), {
        withFileTypes: true,
      });
      names = dirents
        .filter(d => d.name.endsWith(DESCRIPTOR_SUFFIX) && !d.isDirectory())
        .map(d => d.name)
        .sort();
    } catch (error) {
      report('playbooks', undefined, [
        `cannot read the runbooks folder: ${errorMessage(error)}`,
      ]);
      return catalog;
    }

    for (const fileName of names) {
      const file = `playbooks/${fileName}`;
      const checked = await catalog.check(realRoot, file);
      if ('errors' in checked) {
        report(file, checked.name, checked.errors);
        continue;
      }
      const { descriptor, validate } = checked;
      const existing = catalog.entries.get(descriptor.name);
      if (existing) {
        report(file, descriptor.name, [
          `/name: "${descriptor.name}" is already defined by ${existing.file}`,
        ]);
        continue;
      }
      catalog.entries.set(descriptor.name, {
        descriptor: deepFreeze(descriptor),
        file,
        validate,
      });
    }
    return catalog;
  }

  /** The runbooks root, absolute. */
  readonly rootDir: string;
  /** Descriptors that were skipped, and why. */
  readonly problems: RunbookCatalogProblem[] = [];

  private readonly entries = new Map<string, Entry>();
  private readonly descriptorAjv: Ajv2020;
  private readonly validateDescriptor: ValidateFunction;
  private readonly inputsAjv: Ajv2020;

  private constructor(rootDir: string) {
    this.rootDir = rootDir;
    // Descriptors: strict, and defaults filled (`connections: []`).
    this.descriptorAjv = new Ajv2020({
      allErrors: true,
      strict: true,
      useDefaults: true,
    });
    this.descriptorAjv.addKeyword({
      keyword: SECRET_KEYWORD,
      schemaType: 'boolean',
    });
    this.validateDescriptor = this.descriptorAjv.compile(
      runbookDescriptorSchema,
    );
    // Inputs: the same rules as the form validator of the frontend (formats
    // included). strictRequired is off because "exactly one of a or b" is
    // written `oneOf: [{required: [a]}, {required: [b]}]`, which it forbids.
    this.inputsAjv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      useDefaults: true,
      coerceTypes: false,
      removeAdditional: false,
    });
    addFormats(this.inputsAjv);
    this.inputsAjv.addKeyword({
      keyword: SECRET_KEYWORD,
      schemaType: 'boolean',
    });
  }

  /** Every runbook, sorted by name. */
  list(): RunbookDescriptor[] {
    return [...this.entries.values()]
      .map(e => e.descriptor)
      .sort((a, b) => compareNames(a.name, b.name));
  }

  /** One runbook, or undefined. */
  get(name: string): RunbookDescriptor | undefined {
    return this.entries.get(name)?.descriptor;
  }

  /**
   * Validates inputs against a runbook's inputs schema. The inputs are not
   * changed: a valid result carries a copy with the schema's defaults filled
   * in. Types are never coerced; unknown properties are refused when the
   * schema says `additionalProperties: false`. Throws `NotFoundError` for an
   * unknown runbook.
   */
  validateInputs(name: string, inputs: unknown): RunbookInputsValidation {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new NotFoundError(`No runbook named "${name}"`);
    }
    let value: unknown;
    try {
      value = structuredClone(inputs ?? {});
    } catch (error) {
      return {
        valid: false,
        errors: [{ field: '', message: errorMessage(error) }],
      };
    }
    if (entry.validate(value)) {
      return { valid: true, value: value as Record<string, unknown> };
    }
    return {
      valid: false,
      errors: (entry.validate.errors ?? []).map(inputError),
    };
  }

  private async check(
    realRoot: string,
    file: string,
  ): Promise<
    | { descriptor: RunbookDescriptor; validate: ValidateFunction }
    | { name?: string; errors: string[] }
  > {
    // The descriptor itself must not be a link to somewhere else.
    let text: string;
    try {
      const real = await fs.realpath(path.join(realRoot, file));
      if (!isInside(realRoot, real)) {
        return { errors: ['/: the file links outside the runbooks root'] };
      }
      const stat = await fs.stat(real);
      if (!stat.isFile()) {
        return { errors: ['/: not a file'] };
      }
      if (stat.size > MAX_DESCRIPTOR_BYTES) {
        return { errors: [`/: larger than ${MAX_DESCRIPTOR_BYTES} bytes`] };
      }
      text = await fs.readFile(real, 'utf8');
    } catch (error) {
      return { errors: [`/: cannot read the file: ${errorMessage(error)}`] };
    }

    let raw: unknown;
    try {
      const doc = parseDocument(text, { prettyErrors: true });
      if (doc.errors.length > 0) {
        return { errors: doc.errors.map(e => `/: invalid YAML: ${e.message}`) };
      }
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      return { errors: [`/: invalid YAML: ${errorMessage(error)}`] };
    }
    const name =
      isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;

    const errors: string[] = [];
    if (!this.validateDescriptor(raw)) {
      errors.push(
        ...(this.validateDescriptor.errors ?? []).map(descriptorError),
      );
    }
    if (!isObject(raw)) {
      return { name, errors };
    }

    // The checks below run even when the schema failed, to report everything at once.
    let validate: ValidateFunction | undefined;
    if (isObject(raw.inputs)) {
      errors.push(...inputsProblems(raw.inputs));
      try {
        validate = this.inputsAjv.compile(raw.inputs);
      } catch (error) {
        errors.push(`/inputs: not a valid JSON Schema: ${errorMessage(error)}`);
      }
    }
    if (typeof raw.playbook === 'string') {
      errors.push(...(await playbookProblems(realRoot, raw.playbook)));
    }

    if (errors.length > 0 || !validate) {
      return { name, errors };
    }
    return { descriptor: raw as RunbookDescriptor, validate };
  }
}

async function playbookProblems(
  realRoot: string,
  playbook: string,
): Promise<string[]> {
  const resolved = path.resolve(realRoot, playbook);
  if (!isInside(realRoot, resolved)) {
    return [`/playbook: ${playbook} resolves outside the runbooks root`];
  }
  let real: string;
  try {
    real = await fs.realpath(resolved);
  } catch {
    return [`/playbook: ${playbook} does not exist`];
  }
  if (!isInside(realRoot, real)) {
    return [`/playbook: ${playbook} links outside the runbooks root`];
  }
  const stat = await fs.stat(real);
  return stat.isFile() ? [] : [`/playbook: ${playbook} is not a file`];
}

/**
 * Rules the JSON Schema of the descriptor cannot express: input names must be
 * usable as Ansible extra vars, and secrets are only understood on top-level
 * string properties (that is where the worker splits and redacts them).
 */
function inputsProblems(inputs: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const properties = isObject(inputs.properties) ? inputs.properties : {};
  for (const [key, property] of Object.entries(properties)) {
    const pointer = `/inputs/properties/${escapePointer(key)}`;
    if (!INPUT_NAME.test(key)) {
      errors.push(
        `${pointer}: must be a valid Ansible variable name (${INPUT_NAME})`,
      );
    } else if (RESERVED_INPUT_PREFIXES.some(p => key.startsWith(p))) {
      errors.push(
        `${pointer}: names starting with ${RESERVED_INPUT_PREFIXES.join(
          ' or ',
        )} are reserved`,
      );
    }
    if (
      isObject(property) &&
      property[SECRET_KEYWORD] === true &&
      property.type !== 'string'
    ) {
      errors.push(`${pointer}: a secret input must have type "string"`);
    }
  }
  const walk = (node: unknown, pointer: string, topLevelProperty: boolean) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`, false));
      return;
    }
    if (!isObject(node)) {
      return;
    }
    if (SECRET_KEYWORD in node && !topLevelProperty) {
      errors.push(
        `${pointer}: ${SECRET_KEYWORD} is only supported on top-level properties`,
      );
    }
    for (const [key, child] of Object.entries(node)) {
      walk(
        child,
        `${pointer}/${escapePointer(key)}`,
        pointer === '/inputs/properties' && node === properties,
      );
    }
  };
  walk(inputs, '/inputs', false);
  return errors;
}

function descriptorError(error: ErrorObject): string {
  const where = error.instancePath || '/';
  let message = error.message ?? error.keyword;
  if (error.keyword === 'enum') {
    message += `: ${(error.params.allowedValues as unknown[]).join(', ')}`;
  } else if (error.keyword === 'additionalProperties') {
    message += `: ${error.params.additionalProperty}`;
  } else if (error.keyword === 'not' && error.instancePath === '/playbook') {
    message = 'must not contain ".."';
  }
  return `${where}: ${message}`;
}

function inputError(error: ErrorObject): RunbookInputError {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let message = error.message ?? error.keyword;
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    segments.push(String(error.params.missingProperty));
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params.additionalProperty));
    message = 'is not an allowed property';
  } else if (error.keyword === 'enum') {
    message += `: ${(error.params.allowedValues as unknown[]).join(', ')}`;
  }
  return { field: segments.join('.'), message };
}

function compareNames(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function isInside(root: string, candidate: string): boolean {
  return candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
