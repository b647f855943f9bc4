import { InputError, NotFoundError } from '@backstage/errors';
import type { ConnectionType } from '@internal/backstage-plugin-orch-common';
import type { DatabaseConnectionStore } from '../database/DatabaseConnectionStore';
import type { SecretBox } from './SecretBox';

/**
 * A connection decrypted for one job: in memory only, for the worker.
 * @public
 */
export type ResolvedConnection = {
  id: string;
  type: ConnectionType;
  name: string;
  config: Record<string, unknown>;
  /** Every secret value, flat (`generic` connections: their keys). */
  secrets: Record<string, string>;
};

/**
 * The decrypting side of connections, shared by the backend (validation on
 * execute), the worker (secrets for a run) and the admin CLI (key rotation).
 * The API never uses it to answer: it only ever returns masked values.
 * @public
 */
export class ConnectionVault {
  constructor(
    private readonly deps: {
      store: DatabaseConnectionStore;
      secretBox: SecretBox;
    },
  ) {}

  /**
   * Decrypts the connections a job names, refusing any whose type the
   * runbook does not declare: a runbook only ever sees what it asked for.
   */
  async resolve(ids: string[], types: string[]): Promise<ResolvedConnection[]> {
    const records = await Promise.all(
      ids.map(async id => {
        const record = await this.deps.store.get(id);
        if (!record) throw new NotFoundError(`No connection ${id}`);
        return record;
      }),
    );
    const refused = records.filter(r => !types.includes(r.type));
    if (refused.length) {
      throw new InputError(
        `${refused.map(r => `${r.id} (${r.type})`).join(', ')} not of a type the runbook declares (${
          types.join(', ') || 'none'
        })`,
      );
    }
    return records.map(r => ({
      id: r.id,
      type: r.type as ConnectionType,
      name: r.name,
      config: r.config,
      secrets: flatSecrets(
        r.type as ConnectionType,
        this.deps.secretBox.open<Record<string, unknown>>(r.encryptedPayload),
      ),
    }));
  }

  /**
   * Re-encrypts every connection: opened with this vault's box (which must
   * still hold the old keys), sealed with `newBox`. Rows that cannot be
   * decrypted are skipped while the others are rotated; then an error names
   * them.
   */
  async rotate(newBox: SecretBox): Promise<{ rotated: number }> {
    let rotated = 0;
    const failed: string[] = [];
    for (const record of await this.deps.store.listAll()) {
      let secrets: unknown;
      try {
        secrets = this.deps.secretBox.open(record.encryptedPayload);
      } catch {
        failed.push(record.id);
        continue;
      }
      await this.deps.store.replacePayload(record.id, newBox.seal(secrets), newBox.keyId);
      rotated++;
    }
    if (failed.length) {
      throw new Error(
        `Connection(s) ${failed.join(', ')} cannot be decrypted (tampered or key missing); ${rotated} other(s) rotated to key ${newBox.keyId}`,
      );
    }
    return { rotated };
  }
}

/** Secret values of a connection, flat: `generic` keeps them under `values`. @public */
export function flatSecrets(
  type: ConnectionType,
  secrets: Record<string, unknown>,
): Record<string, string> {
  const source =
    type === 'generic' ? ((secrets.values as Record<string, unknown>) ?? {}) : secrets;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
