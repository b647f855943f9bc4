import type { Knex } from 'knex';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { orchTestDatabases } from '../testUtils/databases';
import { DatabaseSessionStore, hashRefreshToken } from './DatabaseSessionStore';
import { DatabaseUserStore } from './DatabaseUserStore';

jest.setTimeout(60_000);

const databases = orchTestDatabases();

describe.each(databases.eachSupportedId())('DatabaseSessionStore (%s)', id => {
  let knex: Knex;
  let sessions: DatabaseSessionStore;
  let userId: string;
  const later = (ms: number) => new Date(Date.now() + ms);

  beforeAll(async () => {
    knex = await databases.init(id);
    await DatabaseJobStore.fromKnex(knex);
    sessions = await DatabaseSessionStore.fromKnex(knex);
    const users = await DatabaseUserStore.fromKnex(knex);
    userId = (
      await users.create({ email: 'sess@orch.test', passwordHash: 'x', roles: ['viewer'] })
    ).id;
  });

  const open = (expiresInMs = 3_600_000) =>
    sessions.create({ userId, remember: false, client: '10.0.0.1 test', expiresAt: later(expiresInMs) });

  it('stores only the hash of a refresh token', async () => {
    const { session, refreshToken } = await open();
    expect(refreshToken).toMatch(/^orch_rt_[A-Za-z0-9_-]{43}$/);
    const rows = await knex('refresh_tokens').where({ session_id: session.id });
    expect(rows.map(r => r.token_hash)).toEqual([hashRefreshToken(refreshToken)]);
    expect(JSON.stringify(rows)).not.toContain(refreshToken);
  });

  it('rotates once per token, and a spent token revokes the whole session', async () => {
    const { session, refreshToken: t1 } = await open();
    const r1 = await sessions.rotate(t1);
    expect(r1.outcome).toBe('rotated');
    const t2 = (r1 as { refreshToken: string }).refreshToken;
    expect(t2).not.toBe(t1);

    const replay = await sessions.rotate(t1);
    expect(replay.outcome).toBe('reused');
    expect((await sessions.get(session.id))!.revokedReason).toBe('refresh-token-reuse');
    // The successor died with the session.
    expect((await sessions.rotate(t2)).outcome).toBe('invalid');
  });

  it('spends a token exactly once under concurrent presentation', async () => {
    const { refreshToken } = await open();
    const outcomes = await Promise.all([
      sessions.rotate(refreshToken),
      sessions.rotate(refreshToken),
      sessions.rotate(refreshToken),
    ]);
    const rotated = outcomes.filter(o => o.outcome === 'rotated');
    expect(rotated.length).toBeLessThanOrEqual(1);
    expect(outcomes.filter(o => o.outcome === 'reused').length).toBeGreaterThanOrEqual(1);
  });

  it('refuses unknown tokens and expired sessions', async () => {
    expect((await sessions.rotate('orch_rt_unknown')).outcome).toBe('invalid');
    const { refreshToken } = await open(-1000);
    expect((await sessions.rotate(refreshToken)).outcome).toBe('invalid');
  });

  it('revokes by token, all of a user, or all but one', async () => {
    const a = await open();
    const b = await open();
    const c = await open();
    expect((await sessions.revokeByToken(a.refreshToken, 'logout'))!.revokedReason).toBe('logout');
    expect((await sessions.rotate(a.refreshToken)).outcome).toBe('invalid');
    expect(await sessions.revokeOthers(userId, b.session.id, 'password-changed')).toBeGreaterThanOrEqual(1);
    expect((await sessions.rotate(c.refreshToken)).outcome).toBe('invalid');
    expect((await sessions.rotate(b.refreshToken)).outcome).toBe('rotated');
    expect((await sessions.find(b.refreshToken))!.id).toBe(b.session.id);
    expect(await sessions.revokeAllForUser(userId, 'user-disabled')).toBeGreaterThanOrEqual(1);
    expect(await sessions.listForUser(userId)).toEqual([]);
  });

  it('prunes sessions that ended, with their tokens', async () => {
    const old = await open(-86_400_000 * 2);
    const live = await open();
    expect(await sessions.prune(new Date(Date.now() - 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await sessions.get(old.session.id)).toBeUndefined();
    expect(await knex('refresh_tokens').where({ session_id: old.session.id })).toEqual([]);
    expect(await sessions.get(live.session.id)).toBeDefined();
  });
});
