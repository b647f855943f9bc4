import { ConflictError } from '@backstage/errors';
import type { ConnectionType } from '@internal/backstage-plugin-orch-common';
import type { Knex } from 'knex';
import { toIso } from './mappers';

/**
 * A stored connection: its non-secret `config` in clear, its secret fields
 * as one SecretBox ciphertext of their JSON. Never hand this to a client
 * as is; the service masks it.
 * @public
 */
export type ConnectionRecord = {
  id: string;
  type: ConnectionType;
  name: string;
  environment: string;
  description?: string;
  config: Record<string, unknown>;
  /** `SecretBox.seal` of the secret fields. */
  encryptedPayload: string;
  /** Id of the key `encryptedPayload` was sealed with. */
  keyId: string;
  createdBy: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** ISO-8601 UTC. */
  updatedAt: string;
};

/**
 * What `DatabaseConnectionStore.create` writes.
 * @public
 */
export type NewConnectionRecord = Omit<
  ConnectionRecord,
  'createdAt' | 'updatedAt'
> & { now?: Date };

/**
 * The fields `DatabaseConnectionStore.update` may change; `description: null`
 * clears the description.
 * @public
 */
export type ConnectionRecordPatch = {
  name?: string;
  environment?: string;
  description?: string | null;
  config?: Record<string, unknown>;
  encryptedPayload?: string;
  keyId?: string;
  now?: Date;
};

/**
 * Filter of `DatabaseConnectionStore.list`.
 * @public
 */
export type ListConnectionsFilter = {
  type?: string;
  environment?: string;
};

type Timestamp = Date | number | string;

type ConnectionRow = {
  id: string;
  type: ConnectionType;
  name: string;
  environment: string;
  description: string | null;
  config_json: string;
  encrypted_payload: string;
  key_id: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
};

const TABLE = 'connections';

/**
 * The `connections` table on Postgres or SQLite. It does not run
 * migrations: the table comes with the package's migrations, which
 * `DatabaseJobStore.create` / `DatabaseJobStore.fromKnex` run (all of them,
 * from one folder and one bookkeeping table). Build the job store first.
 * @public
 */
export class DatabaseConnectionStore {
  private constructor(private readonly db: Knex) {}

  /**
   * A store on a knex client whose migrations `DatabaseJobStore` has run.
   */
  static async fromKnex(knex: Knex): Promise<DatabaseConnectionStore> {
    return new DatabaseConnectionStore(knex);
  }

  /**
   * Inserts a connection. Throws `ConflictError` when (name, environment)
   * is taken.
   */
  async create(record: NewConnectionRecord): Promise<ConnectionRecord> {
    const now = record.now ?? new Date();
    try {
      await this.db<ConnectionRow>(TABLE).insert({
        id: record.id,
        type: record.type,
        name: record.name,
        environment: record.environment,
        description: record.description ?? null,
        config_json: JSON.stringify(record.config),
        encrypted_payload: record.encryptedPayload,
        key_id: record.keyId,
        created_by: record.createdBy,
        created_at: now,
        updated_at: now,
      });
    } catch (error) {
      throw conflictOr(error, record.name, record.environment);
    }
    return (await this.get(record.id))!;
  }

  /** One connection, or undefined. */
  async get(id: string): Promise<ConnectionRecord | undefined> {
    const row = await this.db<ConnectionRow>(TABLE).where('id', id).first();
    return row ? rowToRecord(row) : undefined;
  }

  /** Connections matching the filter, sorted by environment then name. */
  async list(filter: ListConnectionsFilter = {}): Promise<ConnectionRecord[]> {
    const query = this.db<ConnectionRow>(TABLE);
    if (filter.type !== undefined) query.where('type', filter.type);
    if (filter.environment !== undefined) {
      query.where('environment', filter.environment);
    }
    const rows = await query.orderBy([
      { column: 'environment' },
      { column: 'name' },
      { column: 'id' },
    ]);
    return rows.map(rowToRecord);
  }

  /** Every connection, for key rotation. */
  async listAll(): Promise<ConnectionRecord[]> {
    return this.list();
  }

  /**
   * Changes the given fields and `updated_at`. Returns the updated record,
   * or undefined for an unknown id. Throws `ConflictError` when the new
   * (name, environment) is taken.
   */
  async update(
    id: string,
    patch: ConnectionRecordPatch,
  ): Promise<ConnectionRecord | undefined> {
    const changes: Partial<ConnectionRow> = {
      updated_at: patch.now ?? new Date(),
    };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.environment !== undefined) {
      changes.environment = patch.environment;
    }
    if (patch.description !== undefined) {
      changes.description = patch.description;
    }
    if (patch.config !== undefined) {
      changes.config_json = JSON.stringify(patch.config);
    }
    if (patch.encryptedPayload !== undefined) {
      changes.encrypted_payload = patch.encryptedPayload;
    }
    if (patch.keyId !== undefined) changes.key_id = patch.keyId;
    let count: number;
    try {
      count = await this.db<ConnectionRow>(TABLE)
        .where('id', id)
        .update(changes);
    } catch (error) {
      throw conflictOr(error, patch.name, patch.environment);
    }
    return count ? this.get(id) : undefined;
  }

  /** Re-encrypted secrets after key rotation. Returns false for an unknown id. */
  async replacePayload(
    id: string,
    encryptedPayload: string,
    keyId: string,
  ): Promise<boolean> {
    const count = await this.db<ConnectionRow>(TABLE).where('id', id).update({
      encrypted_payload: encryptedPayload,
      key_id: keyId,
      updated_at: new Date(),
    });
    return count > 0;
  }

  /** Deletes a connection. Returns false for an unknown id. */
  async delete(id: string): Promise<boolean> {
    const count = await this.db<ConnectionRow>(TABLE).where('id', id).del();
    return count > 0;
  }
}

function rowToRecord(row: ConnectionRow): ConnectionRecord {
  const record: ConnectionRecord = {
    id: row.id,
    type: row.type,
    name: row.name,
    environment: row.environment,
    config: JSON.parse(row.config_json),
    encryptedPayload: row.encrypted_payload,
    keyId: row.key_id,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
  if (row.description !== null) record.description = row.description;
  return record;
}

function conflictOr(
  error: unknown,
  name: string | undefined,
  environment: string | undefined,
): unknown {
  const e = error as { code?: string; message?: string };
  const unique =
    e?.code === '23505' || // Postgres unique_violation
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e?.message ?? '');
  if (!unique) return error;
  const what =
    name !== undefined || environment !== undefined
      ? `A connection named "${name ?? '?'}" already exists in environment "${
          environment ?? '?'
        }"`
      : 'A connection with these values already exists';
  return new ConflictError(what);
}
