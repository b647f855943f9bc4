import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  isOrchRole,
  ORCH_ROLES,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  type DatabaseSessionStore,
  type DatabaseUserStore,
  type OrchUser,
  type UserStatus,
} from '@internal/backstage-plugin-orch-node';
import { readFileSync } from 'node:fs';
import { InputValidationError, type FieldError } from '../errors';
import { normalizeEmail } from './AuthService';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const STATUSES: UserStatus[] = ['active', 'disabled'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkRoles(value: unknown, fields: FieldError[]): OrchRole[] {
  if (!Array.isArray(value) || !value.every(isOrchRole)) {
    fields.push({
      field: 'roles',
      message: `must be a list of ${ORCH_ROLES.join(', ')}`,
    });
    return [];
  }
  return [...new Set(value)];
}

function checkDisplayName(value: unknown, fields: FieldError[]) {
  if (
    value !== undefined &&
    (typeof value !== 'string' || !value.trim() || value.length > 200)
  ) {
    fields.push({ field: 'displayName', message: 'must be 1 to 200 characters' });
  }
}

function passwordFields(password: unknown, email: string): FieldError[] {
  if (typeof password !== 'string' || !password) {
    return [{ field: 'password', message: 'is required' }];
  }
  return checkPasswordPolicy(password, { email }).map(message => ({
    field: 'password',
    message,
  }));
}

/** Where the first administrator comes from. */
export type FirstAdminSource = {
  email?: string;
  password?: string;
};

/** Reads ORCH_ADMIN_EMAIL and ORCH_ADMIN_PASSWORD (or ORCH_ADMIN_PASSWORD_FILE). */
export function firstAdminFromEnv(env: NodeJS.ProcessEnv = process.env): FirstAdminSource {
  const file = env.ORCH_ADMIN_PASSWORD_FILE;
  const password = file
    ? readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    : env.ORCH_ADMIN_PASSWORD;
  return { email: env.ORCH_ADMIN_EMAIL, password: password || undefined };
}

/**
 * The rules of user administration: valid emails, passwords that pass the
 * policy, known roles, and never an Orch without an active administrator.
 */
export class UserService {
  constructor(
    private readonly deps: {
      users: DatabaseUserStore;
      sessions: DatabaseSessionStore;
      logger: LoggerService;
    },
  ) {}

  async list(filter: { status?: string; limit?: number; cursor?: string }) {
    if (filter.status !== undefined && !STATUSES.includes(filter.status as UserStatus)) {
      throw new InputValidationError('Invalid query', [
        { field: 'status', message: `must be one of ${STATUSES.join(', ')}` },
      ]);
    }
    return this.deps.users.list({
      status: filter.status as UserStatus | undefined,
      limit: filter.limit,
      cursor: filter.cursor,
    });
  }

  async get(id: string): Promise<OrchUser> {
    const user = await this.deps.users.get(id);
    if (!user) {
      throw new NotFoundError(`No user with id ${id}`);
    }
    return user;
  }

  async create(body: unknown): Promise<OrchUser> {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const email =
      typeof b.email === 'string' ? normalizeEmail(b.email) : '';
    if (!EMAIL.test(email) || email.length > 320) {
      fields.push({ field: 'email', message: 'must be an email address' });
    }
    checkDisplayName(b.displayName, fields);
    const roles = checkRoles(b.roles ?? [], fields);
    fields.push(...passwordFields(b.password, email));
    if (fields.length) {
      throw new InputValidationError('Invalid user', fields);
    }
    return this.deps.users.create({
      email,
      displayName: (b.displayName as string | undefined)?.trim(),
      passwordHash: await hashPassword(b.password as string),
      roles,
      // An administrator chose this password: the user replaces it.
      mustChangePassword: true,
    });
  }

  async update(id: string, body: unknown, actorEntityRef: string): Promise<OrchUser> {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const known = ['displayName', 'status', 'roles'];
    for (const key of Object.keys(b)) {
      if (!known.includes(key)) {
        fields.push({ field: key, message: 'cannot be changed here' });
      }
    }
    checkDisplayName(b.displayName, fields);
    if (b.status !== undefined && !STATUSES.includes(b.status as UserStatus)) {
      fields.push({ field: 'status', message: `must be one of ${STATUSES.join(', ')}` });
    }
    const roles = b.roles === undefined ? undefined : checkRoles(b.roles, fields);
    if (fields.length) {
      throw new InputValidationError('Invalid user change', fields);
    }
    const before = await this.get(id);
    const status = b.status as UserStatus | undefined;
    const losesAdmin =
      before.roles.includes('admin') &&
      before.status === 'active' &&
      ((roles && !roles.includes('admin')) || status === 'disabled');
    if (losesAdmin && (await this.activeAdmins()) <= 1) {
      throw new ConflictError(
        before.entityRef === actorEntityRef
          ? 'You are the last active administrator: make another one first'
          : 'This is the last active administrator: make another one first',
      );
    }
    const user = await this.deps.users.update(id, {
      displayName: (b.displayName as string | undefined)?.trim(),
      status,
      roles,
    });
    if (status === 'disabled' && before.status !== 'disabled') {
      await this.deps.sessions.revokeAllForUser(id, 'user-disabled');
    }
    return user;
  }

  /** Sets a password an administrator chose; the user must replace it. */
  async resetPassword(id: string, body: unknown): Promise<OrchUser> {
    const user = await this.get(id);
    const b = isObject(body) ? body : {};
    const fields = passwordFields(b.password, user.email);
    if (fields.length) {
      throw new InputValidationError('Invalid password', fields);
    }
    const updated = await this.deps.users.update(id, {
      passwordHash: await hashPassword(b.password as string),
      mustChangePassword: true,
    });
    await this.deps.sessions.revokeAllForUser(id, 'password-reset');
    return updated;
  }

  /**
   * On a database without users, creates the first administrator: from the
   * given email and password, or with a generated one-time password that
   * is written once to `print` (the console, never the logger) and must be
   * replaced at first sign-in. Returns what it did.
   */
  async bootstrapFirstAdmin(
    source: FirstAdminSource,
    print: (text: string) => void,
  ): Promise<'exists' | 'created' | 'generated'> {
    if ((await this.deps.users.count()) > 0) {
      return 'exists';
    }
    const email = normalizeEmail(source.email ?? 'admin@orch.local');
    if (!EMAIL.test(email)) {
      throw new Error(`ORCH_ADMIN_EMAIL '${email}' is not an email address`);
    }
    if (source.password) {
      const problems = checkPasswordPolicy(source.password, { email });
      if (problems.length) {
        throw new Error(
          `ORCH_ADMIN_PASSWORD is refused: ${problems.join('; ')}`,
        );
      }
      const created = await this.createFirst({
        email,
        displayName: 'Administrator',
        passwordHash: await hashPassword(source.password),
        roles: ['admin'],
        mustChangePassword: false,
      });
      if (!created) return 'exists';
      this.deps.logger.info(`created the first administrator ${email}`);
      return 'created';
    }
    const password = generatePassword();
    const created = await this.createFirst({
      email,
      displayName: 'Administrator',
      passwordHash: await hashPassword(password),
      roles: ['admin'],
      mustChangePassword: true,
    });
    if (!created) return 'exists';
    this.deps.logger.info(
      `created the first administrator ${email} with a one-time password (printed once on the console)`,
    );
    print(
      [
        '',
        '================================================================',
        ' Orch: first administrator',
        `   email:    ${email}`,
        `   password: ${password}`,
        ' This one-time password is shown only now; it must be changed at',
        ' first sign-in. Lost it? yarn orch users reset-password <email>',
        '================================================================',
        '',
      ].join('\n'),
    );
    return 'generated';
  }

  /** Creates the first admin; false when another replica was faster. */
  private async createFirst(
    input: Parameters<DatabaseUserStore['create']>[0],
  ): Promise<boolean> {
    try {
      await this.deps.users.create(input);
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConflictError') return false;
      throw e;
    }
  }

  private async activeAdmins(): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await this.deps.users.list({ status: 'active', limit: 500, cursor });
      count += page.items.filter(u => u.roles.includes('admin')).length;
      cursor = page.nextCursor;
    } while (cursor);
    return count;
  }
}
