/* eslint-disable no-console */
import {
  ORCH_ROLES,
  isOrchRole,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import {
  DatabaseAuditLog,
  DatabaseUserStore,
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  type OrchUser,
} from '@internal/backstage-plugin-orch-node';
import type { Knex } from 'knex';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createOrchContext } from './context';

/*
 * `yarn orch users ...`: user administration without the UI, for the first
 * admin and for when nobody can sign in. Every change writes an audit entry
 * as `cli:<os user>`; a password is never printed except the generated one,
 * once, and never goes to the audit log.
 */

export const USERS_USAGE = `  users create --email <email> [--name <name>] [--role <role>]... [--password-stdin]
                 create a user; without --password-stdin a password is
                 generated, printed once, and must be changed at first sign-in
  users disable <email>      refuse the user's sign-ins
  users enable <email>       allow them again
  users reset-password <email> [--password-stdin]
                 set a new password (generated unless read from stdin) and
                 end the user's sessions
  users roles <email> [--set <r,r> | --add <role> | --remove <role>]
                 show or change the user's roles (${ORCH_ROLES.join(', ')})
  users list                 every user with status and roles`;

const OPTIONS = {
  config: { type: 'string', multiple: true },
  email: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  set: { type: 'string' },
  add: { type: 'string', multiple: true },
  remove: { type: 'string', multiple: true },
} as const;

type Values = {
  email?: string;
  name?: string;
  role?: string[];
  'password-stdin'?: boolean;
  set?: string;
  add?: string[];
  remove?: string[];
};

/** Which options (besides --config) and how many positionals each takes. */
const COMMANDS: Record<
  string,
  { options: (keyof Values)[]; positionals: number }
> = {
  create: {
    options: ['email', 'name', 'role', 'password-stdin'],
    positionals: 0,
  },
  disable: { options: [], positionals: 1 },
  enable: { options: [], positionals: 1 },
  'reset-password': { options: ['password-stdin'], positionals: 1 },
  roles: { options: ['set', 'add', 'remove'], positionals: 1 },
  list: { options: [], positionals: 0 },
};

/** A refusal to report as `users <command>: <message>`, exit code 1. */
class CommandError extends Error {}

// What the store throws for a refused change (@backstage/errors names).
const REFUSALS = ['InputError', 'ConflictError', 'NotFoundError'];

function isRefusal(e: unknown): e is Error {
  return (
    e instanceof CommandError ||
    (e instanceof Error && REFUSALS.includes(e.name))
  );
}

type Users = {
  knex: Knex;
  store: DatabaseUserStore;
  audit(entry: {
    action: string;
    outcome: 'success' | 'failure';
    user?: OrchUser;
    metadata: Record<string, unknown>;
  }): Promise<void>;
};

function usageError(message: string): number {
  console.error(
    `users: ${message}\n\nusage: yarn orch <command>\n${USERS_USAGE}`,
  );
  return 2;
}

/** `a,b` and repeated flags alike; every name must be a role. */
function parseRoles(values: string[]): OrchRole[] {
  const names = values
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
  const unknown = names.filter(n => !isOrchRole(n));
  if (unknown.length) {
    throw new CommandError(
      `unknown role(s) ${unknown.join(', ')}; expected ${ORCH_ROLES.join(
        ', ',
      )}`,
    );
  }
  return [...new Set(names)] as OrchRole[];
}

function rolesText(roles: OrchRole[]): string {
  return roles.length ? roles.join(', ') : '(none)';
}

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    console.error('Reading the password from standard input (end with Ctrl-D)');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.from(chunk));
  }
  // One trailing newline belongs to `echo`, not to the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * The password to set: from stdin (checked against the policy, the refusal
 * naming the problems, never the password) or generated.
 */
async function choosePassword(
  fromStdin: boolean,
  email: string,
): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) {
    return { password: generatePassword(), generated: true };
  }
  const password = await readPasswordFromStdin();
  const problems = checkPasswordPolicy(password, { email });
  if (problems.length) {
    throw new CommandError(`password refused: ${problems.join('; ')}`);
  }
  return { password, generated: false };
}

async function findUser(users: Users, email: string): Promise<OrchUser> {
  const found = await users.store.getByEmail(email);
  if (!found) {
    throw new CommandError(`no user with the email ${email}`);
  }
  const { passwordHash: _hash, ...user } = found;
  return user;
}

/** Deletes the user's sign-in sessions, if the sessions table exists yet. */
async function revokeSessions(knex: Knex, userId: string): Promise<number> {
  if (!(await knex.schema.hasTable('auth_sessions'))) {
    return 0;
  }
  return knex.transaction(async tx => {
    const sessions = tx('auth_sessions').where('user_id', userId).select('id');
    // The tokens go with their sessions by foreign key; deleted explicitly
    // too, so that revocation does not depend on SQLite enforcing keys.
    if (await tx.schema.hasTable('refresh_tokens')) {
      await tx('refresh_tokens').whereIn('session_id', sessions).del();
    }
    const deleted: number = await tx('auth_sessions')
      .where('user_id', userId)
      .del();
    return deleted;
  });
}

async function createUser(users: Users, values: Values): Promise<void> {
  const email = values.email!.trim();
  const roles = parseRoles(values.role ?? []);
  const { password, generated } = await choosePassword(
    Boolean(values['password-stdin']),
    email,
  );
  const metadata = { email: email.toLowerCase(), roles, generated };
  const user = await users.store.create({
    email,
    displayName: values.name,
    passwordHash: await hashPassword(password),
    roles,
    mustChangePassword: generated,
  });
  await users.audit({
    action: 'user.create',
    outcome: 'success',
    user,
    metadata: {
      ...metadata,
      entityRef: user.entityRef,
      mustChangePassword: user.mustChangePassword,
    },
  });
  console.log(
    `Created ${user.email} (${user.entityRef}), roles: ${rolesText(
      user.roles,
    )}.`,
  );
  if (generated) {
    console.log(
      `Temporary password, shown only this once; it must be changed at first sign-in:\n  ${password}`,
    );
  }
}

/**
 * Refuses a change that would leave no active administrator, as the API
 * does: nobody could then manage users from the portal.
 */
async function keepAnAdmin(
  users: Users,
  user: OrchUser,
  after: { status: OrchUser['status']; roles: OrchRole[] },
): Promise<void> {
  const isAdmin = (u: { status: string; roles: OrchRole[] }) =>
    u.status === 'active' && u.roles.includes('admin');
  if (!isAdmin(user) || isAdmin(after)) return;
  let cursor: string | undefined;
  do {
    const page = await users.store.list({ status: 'active', cursor });
    if (page.items.some(u => u.id !== user.id && isAdmin(u))) return;
    cursor = page.nextCursor;
  } while (cursor);
  throw new CommandError(
    `${user.email} is the last active administrator; make another one first`,
  );
}

async function setStatus(
  users: Users,
  email: string,
  status: 'active' | 'disabled',
): Promise<void> {
  const user = await findUser(users, email);
  await keepAnAdmin(users, user, { status, roles: user.roles });
  const updated = await users.store.update(user.id, { status });
  // A disabled user's refresh tokens are refused anyway; ending the
  // sessions makes that hold without relying on it.
  const sessionsRevoked =
    status === 'disabled' ? await revokeSessions(users.knex, user.id) : 0;
  await users.audit({
    action: status === 'active' ? 'user.enable' : 'user.disable',
    outcome: 'success',
    user: updated,
    metadata: {
      email: updated.email,
      previousStatus: user.status,
      ...(status === 'disabled' ? { sessionsRevoked } : {}),
    },
  });
  console.log(
    status === 'active'
      ? `Enabled ${updated.email} (${updated.entityRef}).`
      : `Disabled ${updated.email} (${updated.entityRef}); ended ${sessionsRevoked} session(s).`,
  );
}

async function resetPassword(
  users: Users,
  email: string,
  values: Values,
): Promise<void> {
  const { password, generated } = await choosePassword(
    Boolean(values['password-stdin']),
    email,
  );
  const user = await findUser(users, email);
  const updated = await users.store.update(user.id, {
    passwordHash: await hashPassword(password),
    mustChangePassword: generated,
  });
  const sessionsRevoked = await revokeSessions(users.knex, user.id);
  await users.audit({
    action: 'user.password.reset',
    outcome: 'success',
    user: updated,
    metadata: {
      email: updated.email,
      generated,
      mustChangePassword: updated.mustChangePassword,
      sessionsRevoked,
    },
  });
  console.log(
    `Reset the password of ${updated.email}; ended ${sessionsRevoked} session(s).`,
  );
  if (generated) {
    console.log(
      `Temporary password, shown only this once; it must be changed at first sign-in:\n  ${password}`,
    );
  }
}

async function changeRoles(
  users: Users,
  email: string,
  values: Values,
): Promise<void> {
  const modes = [values.set, values.add, values.remove].filter(
    v => v !== undefined,
  );
  if (modes.length > 1) {
    throw new CommandError('use one of --set, --add or --remove');
  }
  const user = await findUser(users, email);
  if (modes.length === 0) {
    console.log(`${user.email}: ${rolesText(user.roles)}`);
    return;
  }
  let next: OrchRole[];
  if (values.set !== undefined) {
    next = parseRoles([values.set]);
  } else if (values.add !== undefined) {
    next = [...user.roles, ...parseRoles(values.add)];
  } else {
    const removed = new Set(parseRoles(values.remove ?? []));
    next = user.roles.filter(r => !removed.has(r));
  }
  await keepAnAdmin(users, user, { status: user.status, roles: next });
  const updated = await users.store.update(user.id, { roles: next });
  await users.audit({
    action: 'user.roles.update',
    outcome: 'success',
    user: updated,
    metadata: {
      email: updated.email,
      before: user.roles,
      after: updated.roles,
    },
  });
  console.log(
    `${updated.email}: ${rolesText(updated.roles)} (was ${rolesText(
      user.roles,
    )})`,
  );
}

async function listUsers(users: Users): Promise<void> {
  const all: OrchUser[] = [];
  let cursor: string | undefined;
  do {
    const page = await users.store.list({ cursor, limit: 500 });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  if (all.length === 0) {
    console.log('No users.');
    return;
  }
  const rows = [
    ['EMAIL', 'NAME', 'ENTITY REF', 'STATUS', 'ROLES', 'MUST CHANGE PASSWORD'],
    ...all.map(u => [
      u.email,
      u.displayName,
      u.entityRef,
      u.status,
      u.roles.join(',') || '-',
      u.mustChangePassword ? 'yes' : 'no',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  }
}

const ACTIONS: Record<string, string> = {
  create: 'user.create',
  disable: 'user.disable',
  enable: 'user.enable',
  'reset-password': 'user.password.reset',
  roles: 'user.roles.update',
};

/**
 * Runs `yarn orch users <command> ...` (`args` without the leading `users`)
 * and returns the exit code: 0 done, 1 refused or failed, 2 usage.
 */
export async function usersCommand(args: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError((e as Error).message);
  }
  const [command, ...operands] = positionals;
  const spec = command === undefined ? undefined : COMMANDS[command];
  if (!spec) {
    return usageError(
      command ? `unknown command "${command}"` : 'which command?',
    );
  }
  const given = (Object.keys(values) as (keyof Values | 'config')[]).filter(
    k => k !== 'config',
  );
  const extra = given.filter(k => !spec.options.includes(k as keyof Values));
  if (extra.length) {
    return usageError(
      `${command} takes no ${extra.map(k => `--${k}`).join(', ')}`,
    );
  }
  if (operands.length !== spec.positionals) {
    return usageError(
      spec.positionals
        ? `${command} takes one email address`
        : `${command} takes no arguments (${operands.join(' ')})`,
    );
  }
  if (command === 'create' && !values.email?.trim()) {
    return usageError('create needs --email');
  }
  const email = operands[0];

  const context = await createOrchContext('orch-cli');
  const actor = `cli:${userInfo().username}`;
  const auditLog = await DatabaseAuditLog.fromKnex(context.knex);
  const users: Users = {
    knex: context.knex,
    store: await DatabaseUserStore.fromKnex(context.knex),
    async audit(entry) {
      await auditLog.append({
        actor,
        action: entry.action,
        outcome: entry.outcome,
        targetType: 'user',
        targetId: entry.user?.id,
        metadata: entry.metadata,
      });
    },
  };
  try {
    switch (command) {
      case 'create':
        await createUser(users, values);
        break;
      case 'disable':
        await setStatus(users, email, 'disabled');
        break;
      case 'enable':
        await setStatus(users, email, 'active');
        break;
      case 'reset-password':
        await resetPassword(users, email, values);
        break;
      case 'roles':
        await changeRoles(users, email, values);
        break;
      default:
        await listUsers(users);
    }
    return 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // A refused or failed change is audited too; reads (list, roles without
    // a change) write nothing.
    const reading =
      command === 'list' ||
      (command === 'roles' &&
        values.set === undefined &&
        values.add === undefined &&
        values.remove === undefined);
    if (!reading) {
      const target = (email ?? values.email)?.trim().toLowerCase();
      await users
        .audit({
          action: ACTIONS[command],
          outcome: 'failure',
          metadata: { ...(target ? { email: target } : {}), error: message },
        })
        .catch(auditError =>
          console.error(`users ${command}: audit failed: ${auditError}`),
        );
    }
    if (isRefusal(e)) {
      console.error(`users ${command}: ${message}`);
      return 1;
    }
    throw e;
  } finally {
    await context.close();
  }
}
