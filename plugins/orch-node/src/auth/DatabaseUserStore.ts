import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ORCH_ROLES,
  isOrchRole,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { assertLimit, decodeCursorParts, toIso } from '../database/mappers';

/**
 * Whether a user may sign in.
 * @public
 */
export type UserStatus = 'active' | 'disabled';

/**
 * A user of Orch's password sign-in, without the password hash.
 * @public
 */
export interface OrchUser {
  id: string;
  /** Trimmed and lowercased. */
  email: string;
  displayName: string;
  /** The Backstage identity, `user:default/<name>`; fixed at creation. */
  entityRef: string;
  status: UserStatus;
  /** Roles held directly, in the order of `ORCH_ROLES`. */
  roles: OrchRole[];
  /** Set by an admin reset: the user must choose a new password first. */
  mustChangePassword: boolean;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** ISO-8601 UTC. */
  updatedAt: string;
  /** ISO-8601 UTC; absent until the password is first changed. */
  passwordChangedAt?: string;
}

/**
 * What {@link DatabaseUserStore.create} takes.
 * @public
 */
export type CreateOrchUserInput = {
  email: string;
  /** Defaults to the local part of the email. */
  displayName?: string;
  /** From `hashPassword`; never a password. */
  passwordHash: string;
  roles: OrchRole[];
  /** Defaults to false. */
  mustChangePassword?: boolean;
};

/**
 * The fields {@link DatabaseUserStore.update} may change; `roles` replaces
 * the whole set.
 * @public
 */
export type OrchUserPatch = {
  displayName?: string;
  status?: UserStatus;
  roles?: OrchRole[];
  /** From `hashPassword`; also sets `passwordChangedAt`. */
  passwordHash?: string;
  mustChangePassword?: boolean;
};

/**
 * Filter and page of {@link DatabaseUserStore.list}: `cursor` is the
 * `nextCursor` of the previous page.
 * @public
 */
export type ListOrchUsersOptions = {
  status?: UserStatus;
  /** Defaults to 100. */
  limit?: number;
  cursor?: string;
};

/**
 * One page of users, ordered by email.
 * @public
 */
export type OrchUserPage = { items: OrchUser[]; nextCursor?: string };

type Timestamp = Date | number | string;

type UserRow = {
  id: string;
  email: string;
  display_name: string;
  entity_ref: string;
  password_hash: string;
  status: UserStatus;
  must_change_password: boolean | number;
  created_at: Timestamp;
  updated_at: Timestamp;
  password_changed_at: Timestamp | null;
};

const USERS = 'users';
const USER_ROLES = 'user_roles';
const STATUSES: UserStatus[] = ['active', 'disabled'];
const DEFAULT_LIMIT = 100;
const ENTITY_NAMESPACE = 'user:default/';
// Backstage entity names are at most 63 characters; keep room for `-NNNN`.
const ENTITY_NAME_BASE_MAX = 56;
// Concurrent creates may pick the same entity ref; the unique index refuses
// all but one, and the others try again with the next free suffix.
const CREATE_ATTEMPTS = 10;

/** Emails are compared and stored trimmed and lowercased. */
function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function assertEmail(email: string): void {
  const at = email.indexOf('@');
  if (at < 1 || at !== email.lastIndexOf('@') || at === email.length - 1) {
    throw new InputError(`Invalid email address "${email}"`);
  }
  if (email.length > 320 || /\s/.test(email)) {
    throw new InputError(`Invalid email address "${email}"`);
  }
}

function assertRoles(roles: unknown[]): asserts roles is OrchRole[] {
  const unknown = roles.filter(r => !isOrchRole(r));
  if (unknown.length) {
    throw new InputError(
      `Unknown role(s) ${unknown.join(', ')}; expected ${ORCH_ROLES.join(
        ', ',
      )}`,
    );
  }
}

function assertStatus(status: string): void {
  if (!STATUSES.includes(status as UserStatus)) {
    throw new InputError(
      `Invalid status "${status}"; expected ${STATUSES.join(' or ')}`,
    );
  }
}

/** Unique, in `ORCH_ROLES` order. */
function sortRoles(roles: Iterable<string>): OrchRole[] {
  const held = new Set(roles);
  return ORCH_ROLES.filter(r => held.has(r));
}

/**
 * The entity name for an email: its local part lowercased, every character
 * outside `[a-z0-9._-]` replaced by `-`. Leading and trailing separators are
 * dropped and the length capped so the result is a valid Backstage entity
 * name.
 */
function entityNameOf(email: string): string {
  const name = email
    .split('@')[0]
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, ENTITY_NAME_BASE_MAX)
    .replace(/^[._-]+|[._-]+$/g, '');
  return name || 'user';
}

function toBool(value: boolean | number | string): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

function rowToUser(row: UserRow, roles: string[]): OrchUser {
  const user: OrchUser = {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    entityRef: row.entity_ref,
    status: row.status,
    roles: sortRoles(roles),
    mustChangePassword: toBool(row.must_change_password),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
  if (row.password_changed_at !== null) {
    user.passwordChangedAt = toIso(row.password_changed_at);
  }
  return user;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // Postgres unique_violation
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

// The cursor is base64url of JSON `[email]`: emails are unique, so the last
// one of a page says exactly where the next page starts.
function encodeCursor(user: OrchUser): string {
  return Buffer.from(JSON.stringify([user.email])).toString('base64url');
}

function decodeCursor(cursor: string): string {
  return decodeCursorParts(cursor, 1)[0];
}

/**
 * Orch's users and their roles (tables `users`, `roles`, `user_roles`) on
 * Postgres or SQLite. It runs no migrations: the tables come with the
 * package's migrations, which `DatabaseJobStore.create` /
 * `DatabaseJobStore.fromKnex` run. Build the job store first.
 *
 * It stores password hashes only; hashing and the password policy are in
 * `passwords.ts`.
 * @public
 */
export class DatabaseUserStore {
  private constructor(private readonly db: Knex) {}

  /** A store on a knex client whose migrations `DatabaseJobStore` has run. */
  static async fromKnex(knex: Knex): Promise<DatabaseUserStore> {
    return new DatabaseUserStore(knex);
  }

  /** How many users exist, whatever their status. */
  async count(): Promise<number> {
    const [row] = await this.db(USERS).count({ count: '*' });
    return Number(row.count);
  }

  /**
   * Creates a user with the given roles. Derives the entity ref from the
   * email's local part, with `-2`, `-3`, ... when it is taken. Throws
   * `ConflictError` when the email (case-insensitively) is taken and
   * `InputError` for an invalid email or an unknown role.
   */
  async create(input: CreateOrchUserInput): Promise<OrchUser> {
    const email = normalizeEmail(input.email);
    assertEmail(email);
    assertRoles(input.roles);
    const roles = sortRoles(input.roles);
    const displayName =
      input.displayName?.trim() || input.email.trim().split('@')[0];
    const id = randomUUID();
    const now = new Date();

    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction(async tx => {
          await tx<UserRow>(USERS).insert({
            id,
            email,
            display_name: displayName,
            entity_ref: await this.freeEntityRef(tx, entityNameOf(email)),
            password_hash: input.passwordHash,
            status: 'active',
            must_change_password: input.mustChangePassword ?? false,
            created_at: now,
            updated_at: now,
            password_changed_at: null,
          });
          if (roles.length) {
            await tx(USER_ROLES).insert(
              roles.map(role => ({ user_id: id, role })),
            );
          }
        });
        break;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (await this.db(USERS).where('email', email).first('id')) {
          throw new ConflictError(
            `A user with the email ${email} already exists`,
          );
        }
        if (attempt >= CREATE_ATTEMPTS) throw error;
      }
    }
    return (await this.get(id))!;
  }

  /** One user by id, or undefined. */
  async get(id: string): Promise<OrchUser | undefined> {
    const row = await this.db<UserRow>(USERS).where('id', id).first();
    return row ? this.withRoles(row) : undefined;
  }

  /**
   * One user by email, case-insensitively, with the password hash for
   * sign-in; or undefined.
   */
  async getByEmail(
    email: string,
  ): Promise<(OrchUser & { passwordHash: string }) | undefined> {
    const row = await this.db<UserRow>(USERS)
      .where('email', normalizeEmail(email))
      .first();
    if (!row) return undefined;
    return { ...(await this.withRoles(row)), passwordHash: row.password_hash };
  }

  /** One user by entity ref (case-insensitively), or undefined. */
  async getByEntityRef(ref: string): Promise<OrchUser | undefined> {
    const row = await this.db<UserRow>(USERS)
      .where('entity_ref', ref.trim().toLowerCase())
      .first();
    return row ? this.withRoles(row) : undefined;
  }

  /**
   * Users ordered by email, one page at a time (keyset: users added while
   * paging never shift later pages).
   */
  async list(opts: ListOrchUsersOptions = {}): Promise<OrchUserPage> {
    const limit = opts.limit ?? DEFAULT_LIMIT;
    assertLimit(limit);
    const query = this.db<UserRow>(USERS).select('*');
    if (opts.status !== undefined) {
      assertStatus(opts.status);
      query.where('status', opts.status);
    }
    if (opts.cursor !== undefined) {
      query.where('email', '>', decodeCursor(opts.cursor));
    }
    const rows: UserRow[] = await query.orderBy('email').limit(limit + 1);
    const page = rows.slice(0, limit);
    const roles = await this.rolesOf(page.map(r => r.id));
    const items = page.map(row => rowToUser(row, roles.get(row.id) ?? []));
    return rows.length > limit
      ? { items, nextCursor: encodeCursor(items[items.length - 1]) }
      : { items };
  }

  /**
   * Changes the given fields and `updatedAt`; `roles` replaces the set held.
   * Throws `NotFoundError` for an unknown id and `InputError` for an unknown
   * role or status.
   */
  async update(id: string, patch: OrchUserPatch): Promise<OrchUser> {
    if (patch.roles !== undefined) assertRoles(patch.roles);
    if (patch.status !== undefined) assertStatus(patch.status);
    const now = new Date();
    const changes: Partial<UserRow> = { updated_at: now };
    if (patch.displayName !== undefined) {
      const displayName = patch.displayName.trim();
      if (!displayName) throw new InputError('displayName must not be empty');
      changes.display_name = displayName;
    }
    if (patch.status !== undefined) changes.status = patch.status;
    if (patch.passwordHash !== undefined) {
      changes.password_hash = patch.passwordHash;
      changes.password_changed_at = now;
    }
    if (patch.mustChangePassword !== undefined) {
      changes.must_change_password = patch.mustChangePassword;
    }
    const found = await this.db.transaction(async tx => {
      const count = await tx<UserRow>(USERS).where('id', id).update(changes);
      if (!count) return false;
      if (patch.roles !== undefined) {
        await tx(USER_ROLES).where('user_id', id).del();
        const roles = sortRoles(patch.roles);
        if (roles.length) {
          await tx(USER_ROLES).insert(
            roles.map(role => ({ user_id: id, role })),
          );
        }
      }
      return true;
    });
    if (!found) throw new NotFoundError(`No user with id ${id}`);
    return (await this.get(id))!;
  }

  /** `user:default/<name>`, or with the first free `-2`, `-3`, ... suffix. */
  private async freeEntityRef(tx: Knex, name: string): Promise<string> {
    const base = `${ENTITY_NAMESPACE}${name}`;
    const taken = new Set(
      (
        await tx<UserRow>(USERS)
          .where('entity_ref', base)
          // `_` in a name is a LIKE wildcard: that can only widen the
          // result, and only exact candidates are looked up in it.
          .orWhere('entity_ref', 'like', `${base}-%`)
          .select('entity_ref')
      ).map(r => r.entity_ref),
    );
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  private async withRoles(row: UserRow): Promise<OrchUser> {
    const roles = await this.rolesOf([row.id]);
    return rowToUser(row, roles.get(row.id) ?? []);
  }

  private async rolesOf(userIds: string[]): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    if (userIds.length === 0) return byUser;
    const rows: { user_id: string; role: string }[] = await this.db(USER_ROLES)
      .whereIn('user_id', userIds)
      .select('user_id', 'role');
    for (const row of rows) {
      const roles = byUser.get(row.user_id) ?? [];
      roles.push(row.role);
      byUser.set(row.user_id, roles);
    }
    return byUser;
  }
}
