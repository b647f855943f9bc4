import {
  connectionSchemas,
  SECRET_KEYWORD,
  type Connection,
  type ConnectionType,
} from '@internal/backstage-plugin-orch-common';
import type { RJSFSchema, UiSchema } from '@rjsf/utils';

type Property = Record<string, unknown>;

/** Secrets pasted as several lines (PEM keys and certificates). */
const MULTILINE_SECRET = /(^private_key|_cert|^client_key)$/;

/** The names of a connection type's secret fields. */
export function secretFields(type: ConnectionType): string[] {
  const properties = connectionSchemas[type].properties as Record<
    string,
    Property
  >;
  return Object.keys(properties).filter(key => properties[key][SECRET_KEYWORD]);
}

/**
 * The form of a connection type's values, generated from its JSON Schema in
 * orch-common (the schema the server validates with). Secret fields are
 * password inputs (text areas for PEM material) that start empty: a stored
 * secret is never sent back, so it cannot be prefilled. When editing, a
 * secret that is already set is no longer required; left empty, it keeps
 * its stored value.
 */
export function connectionFormSchema(
  type: ConnectionType,
  editing?: Connection,
  text: {
    keep: string;
    fresh: string;
    setLast4: (last4: string) => string;
    set: string;
  } = {
    keep: 'Leave empty to keep the stored value.',
    fresh: 'Stored encrypted; never shown again.',
    setLast4: last4 => `Set, ends in ${last4}`,
    set: 'Set',
  },
): { schema: RJSFSchema; uiSchema: UiSchema } {
  const { $schema: _draft, ...source } = connectionSchemas[type] as Property;
  const properties = { ...(source.properties as Record<string, Property>) };
  let required = [...((source.required as string[]) ?? [])];
  const uiSchema: UiSchema = { 'ui:order': Object.keys(properties) };

  for (const [key, property] of Object.entries(properties)) {
    const { [SECRET_KEYWORD]: secret, default: fallback, ...rest } = property;
    // Defaults fill new connections only: when editing, the stored config
    // (not the schema's default) is what the form shows.
    properties[key] = editing
      ? rest
      : { ...rest, ...(fallback !== undefined ? { default: fallback } : {}) };
    if (!secret) {
      continue;
    }
    const stored = editing?.secrets[key];
    if (stored) {
      required = required.filter(name => name !== key);
    }
    uiSchema[key] = {
      'ui:widget': MULTILINE_SECRET.test(key) ? 'textarea' : 'password',
      'ui:autocomplete': 'new-password',
      'ui:help': stored
        ? `${stored.last4 ? text.setLast4(stored.last4) : text.set}. ${
            text.keep
          }`
        : text.fresh,
      ...(MULTILINE_SECRET.test(key)
        ? {
            'ui:options': { rows: 4 },
            'ui:placeholder': stored ? '••••••••' : undefined,
          }
        : {}),
    };
  }
  return {
    schema: { ...source, properties, required } as RJSFSchema,
    uiSchema,
  };
}

/** What the form starts with: the stored non-secret fields, no secret. */
export function initialValues(
  connection?: Connection,
): Record<string, unknown> {
  return connection ? { ...connection.config } : {};
}

/**
 * The `values` to send. Empty secrets are left out: on create they were
 * optional, on edit they keep what is stored. A non-secret field that was
 * set and is now cleared is sent as `null`, which removes it.
 */
export function valuesToSend(
  type: ConnectionType,
  formData: Record<string, unknown>,
  editing?: Connection,
): Record<string, unknown> {
  const secrets = new Set(secretFields(type));
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formData)) {
    if (value === undefined || value === '') {
      if (editing && !secrets.has(key) && editing.config[key] !== undefined) {
        values[key] = null;
      }
      continue;
    }
    values[key] = value;
  }
  if (editing) {
    for (const key of Object.keys(editing.config)) {
      if (!(key in formData)) {
        values[key] = null;
      }
    }
  }
  return values;
}

/** `KEY=value` lines (the `generic` type) to an object; blank lines ignored. */
export function parseKeyValues(text: string): {
  values: Record<string, string>;
  invalid: string[];
} {
  const values: Record<string, string> = {};
  const invalid: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      invalid.push(line.trim());
      continue;
    }
    values[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return { values, invalid };
}
