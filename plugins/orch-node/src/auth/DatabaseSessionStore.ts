import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toIso } from '../database/mappers';

/**
 * One password sign-in: the chain of refresh tokens it hands out.
 * @public
 */
export type AuthSession = {
  id: string;
  userId: string;
  remember: boolean;
  client: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  revokedAt?: string;
  revokedReason?: string;
};

/**
 * What `DatabaseSessionStore.rotate` found:
 * - `rotated`: the token was live and is now spent; `refreshToken` replaces it.
 * - `reused`: the token had been spent before; its session is now revoked.
 * - `invalid`: unknown token, or a revoked or expired session.
 * @public
 */
export type RotateOutcome =
  | { outcome: 'rotated'; session: AuthSession; refreshToken: string }
  | { outcome: 'reused'; session: AuthSession }
  | { outcome: 'invalid'; session?: AuthSession };

type Timestamp = Date | number | string;

type SessionRow = {
  id: string;
  user_id: string;
  remember: boolean | number;
  client: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
};

const TOKEN_PREFIX = 'orch_rt_';

/** The stored form of a refresh token: its SHA-256, hex. @public */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function newRefreshToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function toSession(row: SessionRow): AuthSession {
  return {
    id: row.id,
    userId: row.user_id,
    remember: Boolean(row.remember),
    client: row.client,
    createdAt: toIso(row.created_at),
    lastUsedAt: toIso(row.last_used_at),
    expiresAt: toIso(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : toIso(row.revoked_at),
    revokedReason: row.revoked_reason ?? undefined,
  };
}

/**
 * Sessions and their single-use refresh tokens (tables `auth_sessions` and
 * `refresh_tokens`, migrated with the job store's migrations). Tokens are
 * 256 random bits; only their SHA-256 is stored.
 * @public
 */
export class DatabaseSessionStore {
  private constructor(private readonly db: Knex) {}

  /** A store on a knex client whose migrations `DatabaseJobStore` has run. */
  static async fromKnex(knex: Knex): Promise<DatabaseSessionStore> {
    return new DatabaseSessionStore(knex);
  }

  /** Opens a session and returns it with its first refresh token. */
  async create(input: {
    userId: string;
    remember: boolean;
    client: string;
    expiresAt: Date;
    now?: Date;
  }): Promise<{ session: AuthSession; refreshToken: string }> {
    const now = input.now ?? new Date();
    const id = randomUUID();
    const refreshToken = newRefreshToken();
    await this.db.transaction(async tx => {
      await tx('auth_sessions').insert({
        id,
        user_id: input.userId,
        remember: input.remember,
        client: input.client.slice(0, 300),
        created_at: now,
        last_used_at: now,
        expires_at: input.expiresAt,
        revoked_at: null,
        revoked_reason: null,
      });
      await tx('refresh_tokens').insert({
        token_hash: hashRefreshToken(refreshToken),
        session_id: id,
        created_at: now,
        used_at: null,
      });
    });
    return { session: (await this.get(id))!, refreshToken };
  }

  async get(id: string): Promise<AuthSession | undefined> {
    const row = await this.db<SessionRow>('auth_sessions')
      .where({ id })
      .first();
    return row ? toSession(row) : undefined;
  }

  /**
   * Spends a refresh token and hands out its successor, in one transaction.
   * A token spent before (or spent concurrently by another request) revokes
   * its session: whoever holds the chain now, the thief or the owner, must
   * sign in again.
   */
  async rotate(token: string, now: Date = new Date()): Promise<RotateOutcome> {
    const tokenHash = hashRefreshToken(token);
    return this.db.transaction(async tx => {
      const found = await tx('refresh_tokens')
        .where({ token_hash: tokenHash })
        .first();
      if (!found) {
        return { outcome: 'invalid' as const };
      }
      const row = await tx<SessionRow>('auth_sessions')
        .where({ id: found.session_id })
        .first();
      if (!row) {
        return { outcome: 'invalid' as const };
      }
      const session = toSession(row);
      if (session.revokedAt || Date.parse(session.expiresAt) <= now.getTime()) {
        return { outcome: 'invalid' as const, session };
      }
      const spent =
        found.used_at === null
          ? await tx('refresh_tokens')
              .where({ token_hash: tokenHash })
              .whereNull('used_at')
              .update({ used_at: now })
          : 0;
      if (spent !== 1) {
        await tx('auth_sessions')
          .where({ id: session.id })
          .update({ revoked_at: now, revoked_reason: 'refresh-token-reuse' });
        return {
          outcome: 'reused' as const,
          session: {
            ...session,
            revokedAt: now.toISOString(),
            revokedReason: 'refresh-token-reuse',
          },
        };
      }
      const refreshToken = newRefreshToken();
      await tx('refresh_tokens').insert({
        token_hash: hashRefreshToken(refreshToken),
        session_id: session.id,
        created_at: now,
        used_at: null,
      });
      await tx('auth_sessions')
        .where({ id: session.id })
        .update({ last_used_at: now });
      return {
        outcome: 'rotated' as const,
        session: { ...session, lastUsedAt: now.toISOString() },
        refreshToken,
      };
    });
  }

  /** The session a refresh token (spent or not) belongs to. */
  async find(token: string): Promise<AuthSession | undefined> {
    const found = await this.db('refresh_tokens')
      .where({ token_hash: hashRefreshToken(token) })
      .first();
    return found ? this.get(found.session_id) : undefined;
  }

  /** Revokes the session a refresh token belongs to (spent or not). */
  async revokeByToken(
    token: string,
    reason: string,
    now: Date = new Date(),
  ): Promise<AuthSession | undefined> {
    const found = await this.db('refresh_tokens')
      .where({ token_hash: hashRefreshToken(token) })
      .first();
    if (!found) {
      return undefined;
    }
    await this.db('auth_sessions')
      .where({ id: found.session_id })
      .whereNull('revoked_at')
      .update({ revoked_at: now, revoked_reason: reason });
    return this.get(found.session_id);
  }

  /** Revokes every live session of a user; returns how many. */
  async revokeAllForUser(
    userId: string,
    reason: string,
    now: Date = new Date(),
  ): Promise<number> {
    return this.db('auth_sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .update({ revoked_at: now, revoked_reason: reason });
  }

  /** Revokes a user's live sessions except one (after a password change). */
  async revokeOthers(
    userId: string,
    keepSessionId: string | undefined,
    reason: string,
    now: Date = new Date(),
  ): Promise<number> {
    const query = this.db('auth_sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at');
    if (keepSessionId) {
      query.whereNot({ id: keepSessionId });
    }
    return query.update({ revoked_at: now, revoked_reason: reason });
  }

  /** Live sessions of a user, newest first. */
  async listForUser(
    userId: string,
    now: Date = new Date(),
  ): Promise<AuthSession[]> {
    const rows = await this.db<SessionRow>('auth_sessions')
      .where({ user_id: userId })
      .whereNull('revoked_at')
      .orderBy('created_at', 'desc');
    return rows
      .map(toSession)
      .filter(s => Date.parse(s.expiresAt) > now.getTime());
  }

  /**
   * Deletes sessions that ended (expired or revoked) before `before`, and
   * their tokens. Reuse detection needs a revoked session's tokens only
   * while they could still be presented, i.e. until the session's expiry.
   */
  async prune(before: Date): Promise<number> {
    // Timestamps are bound as Dates on both databases (epoch ms on SQLite,
    // timestamptz on Postgres), so the comparison happens in SQL.
    const ids = (
      await this.db('auth_sessions')
        .where('expires_at', '<', before)
        .select('id')
    ).map((r: { id: string }) => r.id);
    let deleted = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await this.db('refresh_tokens').whereIn('session_id', chunk).delete();
      deleted += await this.db('auth_sessions').whereIn('id', chunk).delete();
    }
    return deleted;
  }
}
