import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CONNECTION_TYPES,
  connectionSchemas,
  SECRET_KEYWORD,
  type Connection,
  type ConnectionType,
  type MaskedSecret,
} from '@internal/backstage-plugin-orch-common';
import {
  ConnectionVault,
  flatSecrets,
  type ConnectionRecord,
  type DatabaseConnectionStore,
  type ResolvedConnection,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import Ajv2020, {
  type ErrorObject,
  type ValidateFunction,
} from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { randomUUID } from 'crypto';
import { InputValidationError, type FieldError } from './errors';

/**
 * Body of `POST /v1/connections`. For `generic`, `values` is the flat map of
 * key → secret string, like the fields of the other types; the older nested
 * `{ values: { values: {...} } }` is still accepted (deprecated).
 */
export type CreateConnectionRequest = {
  type: ConnectionType;
  name: string;
  environment: string;
  description?: string;
  values: Record<string, unknown>;
};

/**
 * Body of `PATCH /v1/connections/:id`. In `values`, an absent field keeps
 * its stored value (secrets included) and `null` removes it; for `generic`
 * the same holds per key of `values` (or of the deprecated `values.values`).
 */
export type UpdateConnectionRequest = {
  name?: string;
  environment?: string;
  description?: string | null;
  values?: Record<string, unknown>;
};

/** A connection with its secrets in clear, for the worker only. */
export type { ResolvedConnection };

type Values = Record<string, unknown>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MIN_LENGTH_FOR_LAST4 = 12;

/**
 * Connections: validation against the type's schema, secrets sealed with
 * the SecretBox and only ever returned masked, decryption for the worker,
 * and re-encryption under a new master key.
 */
export class ConnectionService {
  private readonly validators: Record<ConnectionType, ValidateFunction>;

  private readonly vault: ConnectionVault;

  constructor(
    private readonly deps: {
      store: DatabaseConnectionStore;
      secretBox: SecretBox;
    },
  ) {
    this.vault = new ConnectionVault(deps);
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      useDefaults: true,
      coerceTypes: false,
    });
    addFormats(ajv);
    ajv.addKeyword({ keyword: SECRET_KEYWORD, schemaType: 'boolean' });
    this.validators = Object.fromEntries(
      CONNECTION_TYPES.map(t => [t, ajv.compile(connectionSchemas[t])]),
    ) as Record<ConnectionType, ValidateFunction>;
  }

  /** Validates, seals the secrets, stores; returns the masked connection. */
  async create(body: unknown, actor: string): Promise<Connection> {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const type = b.type as ConnectionType;
    if (!CONNECTION_TYPES.includes(type)) {
      fields.push({
        field: 'type',
        message: `must be one of ${CONNECTION_TYPES.join(', ')}`,
      });
    }
    checkName(b.name, fields);
    checkEnvironment(b.environment, fields);
    checkDescription(b.description, fields);
    if (!isObject(b.values)) {
      fields.push({ field: 'values', message: 'must be an object' });
    }
    if (fields.length)
      throw new InputValidationError('Invalid request', fields);

    const values = this.validate(type, nestGeneric(type, b.values as Values));
    const { config, secrets } = split(type, values);
    const record = await this.deps.store.create({
      id: randomUUID(),
      type,
      name: b.name as string,
      environment: b.environment as string,
      description: b.description as string | undefined,
      config,
      encryptedPayload: this.deps.secretBox.seal(secrets),
      keyId: this.deps.secretBox.keyId,
      createdBy: actor,
    });
    return this.mask(record);
  }

  /** One connection, masked. */
  async get(id: string): Promise<Connection> {
    return this.mask(await this.record(id));
  }

  /** Connections, masked, filtered by type and environment. */
  async list(
    filter: { type?: string; environment?: string } = {},
  ): Promise<Connection[]> {
    const records = await this.deps.store.list(filter);
    return records.map(r => this.mask(r));
  }

  /**
   * Merges the patch into the stored connection (see
   * {@link UpdateConnectionRequest}), validates the whole and re-seals the
   * secrets under the current key.
   */
  async update(
    id: string,
    patch: unknown,
    _actor: string,
  ): Promise<Connection> {
    const current = await this.record(id);
    const p = isObject(patch) ? patch : {};
    const fields: FieldError[] = [];
    if (p.name !== undefined) checkName(p.name, fields);
    if (p.environment !== undefined) checkEnvironment(p.environment, fields);
    if (p.description !== null) checkDescription(p.description, fields);
    if (p.values !== undefined && !isObject(p.values)) {
      fields.push({ field: 'values', message: 'must be an object' });
    }
    if (fields.length)
      throw new InputValidationError('Invalid request', fields);

    const stored: Values = {
      ...current.config,
      ...this.deps.secretBox.open<Values>(current.encryptedPayload),
    };
    const merged = mergeValues(
      current.type,
      stored,
      nestGeneric(current.type, (p.values ?? {}) as Values),
    );
    const values = this.validate(current.type, merged);
    const { config, secrets } = split(current.type, values);
    const record = await this.deps.store.update(id, {
      name: (p.name as string | undefined) ?? current.name,
      environment: (p.environment as string | undefined) ?? current.environment,
      description: p.description as string | null | undefined,
      config,
      encryptedPayload: this.deps.secretBox.seal(secrets),
      keyId: this.deps.secretBox.keyId,
    });
    if (!record) throw new NotFoundError(`No connection ${id}`);
    return this.mask(record);
  }

  /** Deletes a connection. */
  async delete(id: string): Promise<void> {
    if (!(await this.deps.store.delete(id))) {
      throw new NotFoundError(`No connection ${id}`);
    }
  }

  /**
   * Decrypts the connections a job names (see `ConnectionVault.resolve`);
   * a type the runbook does not declare is a 400 on `connections`.
   */
  async resolveForJob(
    ids: string[],
    types: string[],
  ): Promise<ResolvedConnection[]> {
    try {
      return await this.vault.resolve(ids, types);
    } catch (e) {
      if ((e as Error).name !== 'InputError') throw e;
      throw new InputValidationError('Invalid connections', [
        { field: 'connections', message: (e as Error).message },
      ]);
    }
  }

  /**
   * One connection with its secrets in clear, for another backend plugin
   * that talks to what it points at (the portainer plugin, the catalog's
   * GitHub ingest). Only the `types` given may be read: any other type is
   * refused (403). `idOrName` is the connection's id or, failing that, a
   * name that exactly one connection of those types carries (names are
   * unique per environment only: an ambiguous name is a 409).
   */
  async readCredentials(
    idOrName: string,
    types: readonly ConnectionType[],
  ): Promise<ResolvedConnection> {
    const record = await this.recordByIdOrName(idOrName, types);
    const id = record.id;
    if (!types.includes(record.type as ConnectionType)) {
      throw new NotAllowedError(
        `Connection ${id} is of type ${record.type}; only ${types.join(
          ', ',
        )} credentials can be read`,
      );
    }
    const [resolved] = await this.vault.resolve([id], [record.type]);
    return resolved;
  }

  /** Re-encrypts every connection under `newBox` (see `ConnectionVault.rotate`). */
  rotateKeys(newBox: SecretBox): Promise<{ rotated: number }> {
    return this.vault.rotate(newBox);
  }

  private async recordByIdOrName(
    idOrName: string,
    types: readonly ConnectionType[],
  ): Promise<ConnectionRecord> {
    const byId = await this.deps.store.get(idOrName);
    if (byId) return byId;
    const named: ConnectionRecord[] = [];
    for (const type of types) {
      named.push(
        ...(await this.deps.store.list({ type })).filter(
          r => r.name === idOrName,
        ),
      );
    }
    if (named.length > 1) {
      throw new ConflictError(
        `${named.length} connections are named "${idOrName}" (one per environment); use the id`,
      );
    }
    if (named.length === 0)
      throw new NotFoundError(`No connection ${idOrName}`);
    return named[0];
  }

  private async record(id: string): Promise<ConnectionRecord> {
    const record = await this.deps.store.get(id);
    if (!record) throw new NotFoundError(`No connection ${id}`);
    return record;
  }

  /** A validated copy with defaults filled in. */
  private validate(type: ConnectionType, values: Values): Values {
    const copy = structuredClone(values);
    const validate = this.validators[type];
    if (!validate(copy)) {
      throw new InputValidationError(
        'Invalid values',
        (validate.errors ?? []).map(fieldError),
      );
    }
    return copy;
  }

  private mask(record: ConnectionRecord): Connection {
    const secrets: Record<string, MaskedSecret> = {};
    const clear = flatSecrets(
      record.type,
      this.deps.secretBox.open<Values>(record.encryptedPayload),
    );
    for (const [key, value] of Object.entries(clear)) {
      secrets[key] =
        value.length >= MIN_LENGTH_FOR_LAST4
          ? { set: true, last4: value.slice(-4) }
          : { set: true };
    }
    const { encryptedPayload: _sealed, ...rest } = record;
    return { ...rest, secrets };
  }
}

function secretKeys(type: ConnectionType): Set<string> {
  const properties = (connectionSchemas[type].properties ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  return new Set(
    Object.keys(properties).filter(k => properties[k][SECRET_KEYWORD] === true),
  );
}

function split(type: ConnectionType, values: Values) {
  const secret = secretKeys(type);
  const config: Values = {};
  const secrets: Values = {};
  for (const [key, value] of Object.entries(values)) {
    (secret.has(key) ? secrets : config)[key] = value;
  }
  return { config, secrets };
}

/**
 * A `generic` connection's values as the API takes them, `{ key: secret }`,
 * in the stored shape `{ values: { key: secret } }`. The deprecated nested
 * shape passes as is: its `values.values` is an object, which no flat value
 * (always a string, or `null` in a patch) can be.
 */
function nestGeneric(type: ConnectionType, values: Values): Values {
  if (type !== 'generic') return values;
  return isObject(values.values) ? values : { values };
}

/** Secret fields as name → string; `generic` gives the keys of `values`. */
function mergeValues(type: ConnectionType, stored: Values, patch: Values) {
  const merged = applyPatch(stored, patch);
  // For generic, `values` is merged key by key like the fields of the others.
  if (type === 'generic' && isObject(patch.values)) {
    merged.values = applyPatch(
      isObject(stored.values) ? stored.values : {},
      patch.values,
    );
  }
  return merged;
}

function applyPatch(stored: Values, patch: Values): Values {
  const merged: Values = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function fieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  const leaf =
    (params.missingProperty as string | undefined) ??
    (params.additionalProperty as string | undefined);
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (leaf) path.push(leaf);
  return {
    field: ['values', ...path].join('.'),
    message: error.message ?? 'is invalid',
  };
}

function checkName(name: unknown, fields: FieldError[]) {
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
    fields.push({ field: 'name', message: 'must be 1 to 100 characters' });
  } else if (!NAME.test(name)) {
    fields.push({
      field: 'name',
      message:
        'must start with a letter or digit and hold only A-Z a-z 0-9 _ . -',
    });
  }
}

function checkEnvironment(environment: unknown, fields: FieldError[]) {
  if (
    typeof environment !== 'string' ||
    environment.length < 1 ||
    environment.length > 50
  ) {
    fields.push({
      field: 'environment',
      message: 'must be 1 to 50 characters',
    });
  }
}

function checkDescription(description: unknown, fields: FieldError[]) {
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > 1000)
  ) {
    fields.push({
      field: 'description',
      message: 'must be a string of at most 1000 characters',
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
