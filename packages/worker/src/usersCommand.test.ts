import {
  DatabaseUserStore,
  checkPasswordPolicy,
  verifyPassword,
} from '@internal/backstage-plugin-orch-node';
import { spawnSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import knexFactory, { type Knex } from 'knex';
import { tmpdir, userInfo } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '../../..');
const ACTOR = `cli:${userInfo().username}`;

/** The Postgres script/test provides, as for every store test. */
function testPostgresUrl(): string | undefined {
  const url = Object.entries(process.env).find(
    ([name, value]) =>
      /^BACKSTAGE_TEST_DATABASE_POSTGRES\d+_CONNECTION_STRING$/.test(name) &&
      value,
  )?.[1];
  if (
    !url &&
    (process.env.CI === 'true' || process.env.ORCH_REQUIRE_POSTGRES === '1')
  ) {
    throw new Error(
      'No test Postgres: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (script/test does)',
    );
  }
  return url;
}

type Engine = {
  name: string;
  /** `backend.database` for the CLI's config. */
  database(dir: string): object;
  /** A client on the database the CLI used. */
  connect(dir: string): Knex;
  cleanup(): Promise<void>;
};

const sqlite: Engine = {
  name: 'SQLite',
  database: dir => ({
    client: 'better-sqlite3',
    connection: { directory: join(dir, 'db') },
  }),
  connect: dir =>
    knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'db', 'orch.sqlite') },
      useNullAsDefault: true,
    }),
  cleanup: async () => {},
};

function postgres(url: string): Engine {
  // A database of its own (`<prefix>orch`), dropped afterwards.
  const prefix = `orch_cli_${randomBytes(4).toString('hex')}_`;
  return {
    name: 'Postgres',
    database: () => ({ client: 'pg', connection: url, prefix }),
    connect: () => {
      const connection = new URL(url);
      connection.pathname = `/${prefix}orch`;
      return knexFactory({ client: 'pg', connection: connection.toString() });
    },
    async cleanup() {
      const admin = knexFactory({ client: 'pg', connection: url });
      try {
        await admin.raw(`DROP DATABASE IF EXISTS "${prefix}orch" WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

const postgresUrl = testPostgresUrl();
const engines = [sqlite, ...(postgresUrl ? [postgres(postgresUrl)] : [])];

// `yarn orch users ...`, run for real against each database.
describe.each(engines.map(e => [e.name, e] as const))(
  'yarn orch users (%s)',
  (_name, engine) => {
    let dir: string;
    let configFile: string;
    let knex: Knex;
    let store: DatabaseUserStore;
    /** Every password the CLI was given or printed, to look for later. */
    const passwords: string[] = [];

    function orch(args: string[], input?: string) {
      const result = spawnSync(
        process.execPath,
        [join(ROOT, 'script/orch.js'), ...args, '--config', configFile],
        {
          cwd: ROOT,
          encoding: 'utf8',
          input: input ?? '',
          env: { ...process.env, NODE_ENV: 'production' },
        },
      );
      return {
        status: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
      };
    }

    /** The password a command printed (indented, on its own line). */
    function printedPassword(stdout: string): string {
      const match = /must be changed at first sign-in:\n {2}(\S+)\n/.exec(
        stdout,
      );
      expect(match).not.toBeNull();
      passwords.push(match![1]);
      return match![1];
    }

    async function auditRows(action: string) {
      return knex('audit_log').where({ action }).orderBy('id');
    }

    /**
     * Adds a sign-in session for each user id. The sessions table comes with
     * the sign-in migration, and the CLI ends sessions only where it exists:
     * answers whether it does.
     */
    async function addSessions(...userIds: string[]): Promise<boolean> {
      if (!(await knex.schema.hasTable('auth_sessions'))) return false;
      const now = new Date();
      await knex('auth_sessions').insert(
        userIds.map(userId => ({
          id: randomUUID(),
          user_id: userId,
          remember: false,
          client: 'test',
          created_at: now,
          last_used_at: now,
          expires_at: new Date(now.getTime() + 3_600_000),
        })),
      );
      return true;
    }

    /** The user id of every session left, where the table exists. */
    async function sessionOwners(): Promise<string[]> {
      if (!(await knex.schema.hasTable('auth_sessions'))) return [];
      const rows = await knex('auth_sessions').select('user_id');
      return rows.map(r => r.user_id);
    }

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'orch-users-cli-'));
      const keyFile = join(dir, 'master.key');
      writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, {
        mode: 0o600,
      });
      configFile = join(dir, 'config.yaml');
      writeFileSync(
        configFile,
        JSON.stringify({
          backend: {
            baseUrl: 'http://localhost:7007',
            database: engine.database(dir),
          },
          orch: { secrets: { keyFile } },
        }),
      );
      // The CLI creates the database and its schema on first use.
      const first = orch(['users', 'list']);
      if (first.status !== 0 || first.stdout !== 'No users.\n') {
        throw new Error(`users list failed: ${first.stderr}${first.stdout}`);
      }
      knex = engine.connect(dir);
      store = await DatabaseUserStore.fromKnex(knex);
    }, 120_000);

    afterAll(async () => {
      await knex?.destroy();
      await engine.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('creates a user with a generated password to change at first sign-in', async () => {
      const result = orch([
        'users',
        'create',
        '--email',
        ' Ada@Example.com',
        '--role',
        'viewer',
        '--role',
        'admin',
      ]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        'Created ada@example.com (user:default/ada), roles: admin, viewer.',
      );
      const password = printedPassword(result.stdout);
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(checkPasswordPolicy(password)).toEqual([]);

      const user = (await store.getByEmail('ada@example.com'))!;
      expect(user).toMatchObject({
        displayName: 'Ada',
        roles: ['admin', 'viewer'],
        status: 'active',
        mustChangePassword: true,
      });
      expect(user.passwordHash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$/);
      expect(await verifyPassword(password, user.passwordHash)).toBe(true);

      const [audit] = await auditRows('user.create');
      expect(audit).toMatchObject({
        actor: ACTOR,
        outcome: 'success',
        target_type: 'user',
        target_id: user.id,
      });
      expect(JSON.parse(audit.metadata_json)).toEqual({
        email: 'ada@example.com',
        entityRef: 'user:default/ada',
        roles: ['viewer', 'admin'],
        generated: true,
        mustChangePassword: true,
      });
    }, 120_000);

    it('takes a password from stdin under the policy, and refuses duplicates', async () => {
      for (const [weak, problem] of [
        ['short1!\n', 'at least 12 characters'],
        ['1qaz2wsx3edc\n', 'too common'],
        ['Grace@Example.com\n', 'must not be the email address'],
      ]) {
        const refused = orch(
          [
            'users',
            'create',
            '--email',
            'grace@example.com',
            '--password-stdin',
          ],
          weak,
        );
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain('users create: password refused:');
        expect(refused.stderr).toContain(problem);
        expect(refused.stderr).not.toContain(weak.trim());
        expect(refused.stdout).toBe('');
      }
      expect(await store.getByEmail('grace@example.com')).toBeUndefined();

      const chosen = 'a long and unusual passphrase';
      passwords.push(chosen);
      const result = orch(
        [
          'users',
          'create',
          '--email',
          'grace@example.com',
          '--name',
          'Grace H.',
          '--role',
          'operator',
          '--password-stdin',
        ],
        `${chosen}\n`,
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(
        'Created grace@example.com (user:default/grace), roles: operator.\n',
      );
      const user = (await store.getByEmail('grace@example.com'))!;
      expect(user).toMatchObject({
        displayName: 'Grace H.',
        roles: ['operator'],
        mustChangePassword: false,
      });
      // The newline that ended the input is not part of the password.
      expect(await verifyPassword(chosen, user.passwordHash)).toBe(true);

      const duplicate = orch([
        'users',
        'create',
        '--email',
        'GRACE@example.com',
      ]);
      expect(duplicate.status).toBe(1);
      expect(duplicate.stderr).toContain('already exists');
      expect(duplicate.stdout).toBe('');

      const outcomes = (await auditRows('user.create')).map(a => a.outcome);
      // Ada, three refused passwords, Grace, the duplicate.
      expect(outcomes).toEqual([
        'success',
        'failure',
        'failure',
        'failure',
        'success',
        'failure',
      ]);
    }, 120_000);

    it('disables and enables a user', async () => {
      const user = await store.create({
        email: 'dis@example.com',
        passwordHash: '$scrypt$unused',
        roles: ['viewer'],
      });
      const hasSessions = await addSessions(user.id);
      const disabled = orch(['users', 'disable', 'DIS@example.com']);
      expect(disabled).toMatchObject({
        status: 0,
        stderr: '',
        stdout: `Disabled dis@example.com (user:default/dis); ended ${
          hasSessions ? 1 : 0
        } session(s).\n`,
      });
      expect((await store.get(user.id))!.status).toBe('disabled');
      expect(await sessionOwners()).toEqual([]);

      const enabled = orch(['users', 'enable', 'dis@example.com']);
      expect(enabled).toMatchObject({ status: 0, stderr: '' });
      expect((await store.get(user.id))!.status).toBe('active');

      const unknown = orch(['users', 'disable', 'nobody@example.com']);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain(
        'no user with the email nobody@example.com',
      );

      const rows = [
        ...(await auditRows('user.disable')),
        ...(await auditRows('user.enable')),
      ];
      expect(
        rows.map(r => [r.action, r.outcome, r.target_id, r.actor]),
      ).toEqual([
        ['user.disable', 'success', user.id, ACTOR],
        ['user.disable', 'failure', null, ACTOR],
        ['user.enable', 'success', user.id, ACTOR],
      ]);
    }, 120_000);

    it('shows, sets, adds and removes roles', async () => {
      const user = await store.create({
        email: 'roles@example.com',
        passwordHash: '$scrypt$unused',
        roles: ['viewer'],
      });
      const roles = async () => (await store.get(user.id))!.roles;

      expect(
        orch([
          'users',
          'roles',
          'roles@example.com',
          '--set',
          'operator,viewer',
        ]),
      ).toMatchObject({
        status: 0,
        stdout: 'roles@example.com: operator, viewer (was viewer)\n',
      });
      expect(
        orch(['users', 'roles', 'roles@example.com', '--add', 'admin']).status,
      ).toBe(0);
      expect(await roles()).toEqual(['admin', 'operator', 'viewer']);
      expect(
        orch([
          'users',
          'roles',
          'roles@example.com',
          '--remove',
          'viewer',
          '--remove',
          'operator',
        ]).status,
      ).toBe(0);
      expect(await roles()).toEqual(['admin']);

      const unknown = orch([
        'users',
        'roles',
        'roles@example.com',
        '--set',
        'admin,root',
      ]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('unknown role(s) root');
      const both = orch([
        'users',
        'roles',
        'roles@example.com',
        '--set',
        'viewer',
        '--add',
        'admin',
      ]);
      expect(both.status).toBe(1);
      expect(await roles()).toEqual(['admin']);

      // Showing the roles changes and audits nothing.
      const before = (await auditRows('user.roles.update')).length;
      expect(orch(['users', 'roles', 'roles@example.com'])).toMatchObject({
        status: 0,
        stdout: 'roles@example.com: admin\n',
      });
      const rows = await auditRows('user.roles.update');
      expect(rows).toHaveLength(before);
      expect(rows.map(r => r.outcome)).toEqual([
        'success',
        'success',
        'success',
        'failure',
        'failure',
      ]);
      expect(JSON.parse(rows[2].metadata_json)).toEqual({
        email: 'roles@example.com',
        before: ['admin', 'operator', 'viewer'],
        after: ['admin'],
      });
    }, 120_000);

    it('resets a password and ends the user’s sessions', async () => {
      const user = await store.create({
        email: 'reset@example.com',
        passwordHash: '$scrypt$old',
        roles: ['operator'],
      });
      const other = await store.create({
        email: 'other@example.com',
        passwordHash: '$scrypt$old',
        roles: [],
      });
      const hasSessions = await addSessions(user.id, user.id, other.id);

      const result = orch(['users', 'reset-password', 'reset@example.com']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const sessionsRevoked = hasSessions ? 2 : 0;
      expect(result.stdout).toContain(
        `Reset the password of reset@example.com; ended ${sessionsRevoked} session(s).`,
      );
      const password = printedPassword(result.stdout);
      const reset = (await store.getByEmail('reset@example.com'))!;
      expect(await verifyPassword(password, reset.passwordHash)).toBe(true);
      expect(reset.mustChangePassword).toBe(true);
      expect(reset.passwordChangedAt).toBeDefined();
      expect(await sessionOwners()).toEqual(hasSessions ? [other.id] : []);

      const weak = orch(
        ['users', 'reset-password', 'reset@example.com', '--password-stdin'],
        'qwerty',
      );
      expect(weak.status).toBe(1);
      expect(weak.stderr).toContain('password refused');
      const chosen = 'another unusual passphrase';
      passwords.push(chosen);
      const set = orch(
        ['users', 'reset-password', 'reset@example.com', '--password-stdin'],
        chosen,
      );
      expect(set).toMatchObject({ status: 0, stderr: '' });
      expect(set.stdout).not.toContain(chosen);
      const after = (await store.getByEmail('reset@example.com'))!;
      expect(await verifyPassword(chosen, after.passwordHash)).toBe(true);
      expect(after.mustChangePassword).toBe(false);

      const rows = await auditRows('user.password.reset');
      expect(rows.map(r => [r.outcome, r.target_id])).toEqual([
        ['success', user.id],
        ['failure', null],
        ['success', user.id],
      ]);
      expect(JSON.parse(rows[0].metadata_json)).toEqual({
        email: 'reset@example.com',
        generated: true,
        mustChangePassword: true,
        sessionsRevoked,
      });
    }, 120_000);

    it('lists every user', async () => {
      const result = orch(['users', 'list']);
      expect(result).toMatchObject({ status: 0, stderr: '' });
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines[0].split(/\s{2,}/)).toEqual([
        'EMAIL',
        'NAME',
        'ENTITY REF',
        'STATUS',
        'ROLES',
        'MUST CHANGE PASSWORD',
      ]);
      expect(lines.slice(1).map(l => l.split(/\s{2,}/))).toEqual([
        [
          'ada@example.com',
          'Ada',
          'user:default/ada',
          'active',
          'admin,viewer',
          'yes',
        ],
        [
          'dis@example.com',
          'dis',
          'user:default/dis',
          'active',
          'viewer',
          'no',
        ],
        [
          'grace@example.com',
          'Grace H.',
          'user:default/grace',
          'active',
          'operator',
          'no',
        ],
        [
          'other@example.com',
          'other',
          'user:default/other',
          'active',
          '-',
          'no',
        ],
        [
          'reset@example.com',
          'reset',
          'user:default/reset',
          'active',
          'operator',
          'no',
        ],
        [
          'roles@example.com',
          'roles',
          'user:default/roles',
          'active',
          'admin',
          'no',
        ],
      ]);
    }, 120_000);

    it('keeps an active administrator', async () => {
      // Administrators now: ada and roles.
      const ok = (args: string[]) =>
        expect(orch(args)).toMatchObject({ status: 0, stderr: '' });
      const refused = (args: string[]) => {
        const result = orch(args);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(
          'ada@example.com is the last active administrator',
        );
      };
      ok(['users', 'disable', 'roles@example.com']);
      refused(['users', 'disable', 'ada@example.com']);
      refused(['users', 'roles', 'ada@example.com', '--remove', 'admin']);
      refused(['users', 'roles', 'ada@example.com', '--set', 'viewer']);
      expect((await store.getByEmail('ada@example.com'))!).toMatchObject({
        status: 'active',
        roles: ['admin', 'viewer'],
      });
      // Another active administrator lifts the refusal.
      ok(['users', 'enable', 'roles@example.com']);
      ok(['users', 'roles', 'ada@example.com', '--remove', 'admin']);
      ok(['users', 'roles', 'ada@example.com', '--add', 'admin']);
    }, 120_000);

    it('refuses malformed commands without touching the database', () => {
      for (const args of [
        ['users'],
        ['users', 'frob'],
        ['users', 'create'],
        ['users', 'disable'],
        ['users', 'disable', 'a@x', 'b@x'],
        ['users', 'list', '--set', 'admin'],
        ['users', 'create', '--email', 'x@example.com', '--bogus'],
      ]) {
        const result = orch(args);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(
          /^users: .*\n\nusage: yarn orch <command>\n/,
        );
        expect(result.stdout).toBe('');
      }
    }, 120_000);

    it('never writes a password to the audit log', async () => {
      const rows = await knex('audit_log').select('metadata_json');
      const text = JSON.stringify(rows);
      // Two generated, two chosen.
      expect(passwords).toHaveLength(4);
      for (const password of passwords) {
        expect(text).not.toContain(password);
      }
    });
  },
);
