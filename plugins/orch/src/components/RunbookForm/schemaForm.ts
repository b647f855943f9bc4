import { SECRET_KEYWORD } from '@internal/backstage-plugin-orch-common';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import type { ApiFieldError } from '../../api/runbooksApi';

type Schema = Record<string, unknown>;

/** Strings at least this long get a multi-line box. */
const TEXTAREA_MIN_LENGTH = 1000;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The rjsf uiSchema of a runbook's inputs schema: secret fields
 * (`x-orch-secret: true`) as password fields the browser does not fill in,
 * long strings as text areas; nested objects and arrays alike.
 * @public
 */
export function uiSchemaFor(schema: Schema): UiSchema {
  const ui: UiSchema = {};
  if (schema[SECRET_KEYWORD] === true && schema.type === 'string') {
    ui['ui:widget'] = 'password';
    ui['ui:autocomplete'] = 'new-password';
  } else if (
    schema.type === 'string' &&
    !schema.enum &&
    !schema.format &&
    typeof schema.maxLength === 'number' &&
    schema.maxLength > TEXTAREA_MIN_LENGTH
  ) {
    ui['ui:widget'] = 'textarea';
    ui['ui:options'] = { rows: 8 };
  }
  if (isObject(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      if (isObject(child)) {
        const childUi = uiSchemaFor(child);
        if (Object.keys(childUi).length) ui[key] = childUi;
      }
    }
  }
  if (isObject(schema.items)) {
    const itemsUi = uiSchemaFor(schema.items);
    if (Object.keys(itemsUi).length) ui.items = itemsUi;
  }
  return ui;
}

/**
 * The schema as the form renders it. `$schema` is dropped (the validator is
 * the 2020-12 one already), and so is the root `title`: the page's heading
 * names the runbook.
 * @public
 */
export function formSchemaFor(inputs: Schema): RJSFSchema {
  const { $schema: _schema, title: _title, ...rest } = inputs;
  return { type: 'object', ...rest } as RJSFSchema;
}

/** Where a server 400's failing fields belong on the execute page. @public */
export type ExecuteFieldErrors = {
  /** On the inputs form, for rjsf's `extraErrors`. */
  inputs?: ErrorSchema;
  environment?: string;
  connections?: string;
  /** Errors about the request as a whole. */
  general: string[];
};

/**
 * Sorts the server's failing fields: `environment` and `connections` onto
 * their pickers; `count`, `inputs.count`, `servers.0.host` onto the inputs
 * form; the rest (`inputs`, ``) into a general message.
 * @public
 */
export function executeFieldErrors(
  fields: ApiFieldError[],
): ExecuteFieldErrors {
  const result: ExecuteFieldErrors = { general: [] };
  const add = (current: string | undefined, message: string) =>
    current ? `${current}; ${message}` : message;
  for (const { field, message } of fields) {
    if (field === 'environment') {
      result.environment = add(result.environment, message);
      continue;
    }
    if (field === 'connections' || field.startsWith('connections.')) {
      result.connections = add(result.connections, message);
      continue;
    }
    const path = field.replace(/^inputs(\.|$)/, '');
    if (!path) {
      result.general.push(field ? `${field} ${message}` : message);
      continue;
    }
    let node = (result.inputs ??= {}) as Record<string, any>;
    for (const segment of path.split('.')) {
      node = node[segment] ??= {};
    }
    node.__errors = [...(node.__errors ?? []), message];
  }
  return result;
}
