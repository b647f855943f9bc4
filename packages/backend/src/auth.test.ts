import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthHarness } from './__testUtils__/authHarness';
import { engines } from './__testUtils__/orchHarness';

jest.setTimeout(180_000);

describe.each(engines())('password sign-in on %s', engine => {
  const h = new AuthHarness(engine);
  let admin: { accessToken: string; refreshToken: string };

  beforeAll(async () => {
    await h.start();
    admin = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => h.stop());

  it('signs the first admin in with a Backstage token every plugin accepts', async () => {
    const r = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({
      remember: false,
      passwordChangeRequired: false,
      user: { email: ADMIN_EMAIL, roles: ['admin'], entityRef: 'user:default/admin' },
    });
    expect(r.body.refreshToken).toMatch(/^orch_rt_/);
    const claims = JSON.parse(
      Buffer.from(r.body.accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(claims.sub).toBe('user:default/admin');
    expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now());

    const me = await h.api('GET', '/v1/me', { token: r.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: ADMIN_EMAIL,
      entityRef: 'user:default/admin',
      roles: ['admin'],
      passwordChangeRequired: false,
    });
    expect(me.body.permissions).toEqual(
      expect.arrayContaining(['orch.runbook.execute', 'orch.user.manage', 'orch.audit.read']),
    );
    // Another plugin (the catalog) accepts the same token.
    const catalog = await h.raw('GET', '/api/catalog/entities?limit=1', {
      token: r.body.accessToken,
    });
    expect(catalog.status).toBe(200);
    // No token: 401.
    expect((await h.api('GET', '/v1/me')).status).toBe(401);
  });

  it('remember decides how long the session lives', async () => {
    const short = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.0.0.1', false);
    const long = await h.login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.0.0.1', true);
    const hours = (r: any) => (Date.parse(r.body.refreshExpiresAt) - Date.now()) / 3_600_000;
    expect(hours(short)).toBeGreaterThan(11);
    expect(hours(short)).toBeLessThanOrEqual(12);
    expect(long.body.remember).toBe(true);
    expect(hours(long)).toBeGreaterThan(29 * 24);
  });

  it('rotates refresh tokens and revokes the session when a spent one comes back', async () => {
    const s = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
    const first = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: s.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(s.refreshToken);
    expect((await h.api('GET', '/v1/me', { token: first.body.accessToken })).status).toBe(200);

    const second = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);

    // The spent first token comes back (a thief, or a replay): refused, and
    // the whole session ends, so the live successor is refused too.
    const replay = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: s.refreshToken },
    });
    expect(replay.status).toBe(401);
    const successor = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    expect(successor.status).toBe(401);

    const audit = await h.api('GET', '/v1/audit?action=auth.refresh', { token: admin.accessToken });
    expect(audit.body.items[0]).toMatchObject({
      action: 'auth.refresh',
      outcome: 'denied',
      metadata: { reason: 'refresh-token-reuse' },
    });
    // Other sessions of the same user are untouched.
    expect((await h.api('GET', '/v1/me', { token: admin.accessToken })).status).toBe(200);
  });

  it('logout ends the session', async () => {
    const s = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
    const out = await h.api('POST', '/v1/auth/logout', { body: { refreshToken: s.refreshToken } });
    expect(out.status).toBe(204);
    const r = await h.api('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe('Refresh token is invalid or expired');
  });

  it('answers an unknown email, a wrong password and a disabled account alike', async () => {
    const disabled = await h.createUser(admin.accessToken, 'gone@orch.test', ['viewer']);
    const off = await h.api('PATCH', `/v1/users/${disabled.id}`, {
      token: admin.accessToken,
      body: { status: 'disabled' },
    });
    expect(off.status).toBe(200);

    const answers = [
      await h.login('nobody@orch.test', 'some password 123', '10.1.0.1'),
      await h.login(ADMIN_EMAIL, 'some password 123', '10.1.0.2'),
      await h.login('gone@orch.test', disabled.password, '10.1.0.3'),
    ];
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.headers.get('retry-after')).toBeNull();
    }
    const bodies = answers.map(a => JSON.stringify({ ...a.body, request: undefined }));
    expect(new Set(bodies).size).toBe(1);
    expect(answers[0].body.error).toEqual({
      name: 'AuthenticationError',
      message: 'Invalid email or password',
    });

    // A disabled user cannot refresh either, and their live token no
    // longer passes the policy.
    const refresh = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: disabled.refreshToken },
    });
    expect(refresh.status).toBe(401);
    const runbooks = await h.api('GET', '/v1/runbooks', { token: disabled.accessToken });
    expect(runbooks.status).toBe(403);
  });

  it('throttles 5 failures in 15 minutes per account with 429 and Retry-After', async () => {
    const victim = await h.createUser(admin.accessToken, 'victim@orch.test', ['viewer']);
    for (let i = 0; i < 5; i++) {
      const r = await h.login('victim@orch.test', `wrong password ${i}!`, `10.2.0.${i}`);
      expect(r.status).toBe(401);
    }
    // A sixth client: the account limit applies, even with the right password.
    const limited = await h.login('victim@orch.test', victim.password, '10.2.0.9');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(limited.body.error.name).toBe('TooManyRequestsError');

    // A known device is exempt and the per-address limit counts distinct
    // accounts: auth.throttle.test.ts.

    // An unknown email is throttled the same way: no enumeration by 429.
    for (let i = 0; i < 5; i++) {
      expect((await h.login('ghost@orch.test', `wrong password ${i}!`, `10.3.0.${i}`)).status).toBe(401);
    }
    expect((await h.login('ghost@orch.test', 'wrong password x!', '10.3.0.9')).status).toBe(429);

    const audit = await h.api('GET', '/v1/audit?action=auth.login&actor=email:victim@orch.test', {
      token: admin.accessToken,
    });
    expect(audit.body.items.map((e: any) => e.outcome)).toEqual(
      expect.arrayContaining(['denied', 'failure']),
    );
    expect(JSON.stringify(audit.body)).not.toContain(victim.password);
  });

  it('refuses short and common passwords with the failing field', async () => {
    for (const password of ['short', 'password1234', '123456789012']) {
      const r = await h.api('POST', '/v1/users', {
        token: admin.accessToken,
        body: { email: `weak-${password.length}-${Math.random()}@orch.test`, roles: [], password },
      });
      expect(r.status).toBe(400);
      expect(r.body.fields.map((f: any) => f.field)).toEqual(
        expect.arrayContaining(['password']),
      );
    }
  });

  it('a one-time password must be replaced before any permission applies', async () => {
    const created = await h.api('POST', '/v1/users', {
      token: admin.accessToken,
      body: { email: 'newbie@orch.test', roles: ['operator'], password: 'one time pass 4242' },
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('one time pass 4242');
    const s = await h.login('newbie@orch.test', 'one time pass 4242');
    expect(s.body.passwordChangeRequired).toBe(true);
    expect((await h.api('GET', '/v1/runbooks', { token: s.body.accessToken })).status).toBe(403);

    const weak = await h.api('POST', '/v1/auth/password', {
      token: s.body.accessToken,
      body: { currentPassword: 'one time pass 4242', newPassword: 'qwertyuiop12' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.fields[0].field).toBe('newPassword');
    const ok = await h.api('POST', '/v1/auth/password', {
      token: s.body.accessToken,
      body: {
        currentPassword: 'one time pass 4242',
        newPassword: 'my own long passphrase',
        refreshToken: s.body.refreshToken,
      },
    });
    expect(ok.status).toBe(204);
    expect((await h.api('GET', '/v1/runbooks', { token: s.body.accessToken })).status).toBe(200);
    // The session that changed the password lives on.
    const refreshed = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: s.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.passwordChangeRequired).toBe(false);
  });

  it('keeps at least one active administrator', async () => {
    const me = await h.api('GET', '/v1/me', { token: admin.accessToken });
    const r = await h.api('PATCH', `/v1/users/${me.body.id}`, {
      token: admin.accessToken,
      body: { roles: ['viewer'] },
    });
    expect(r.status).toBe(409);
  });

  it('role changes apply to live tokens at once', async () => {
    const u = await h.createUser(admin.accessToken, 'promoted@orch.test', ['viewer']);
    expect((await h.api('GET', '/v1/connections', { token: u.accessToken })).status).toBe(403);
    const patched = await h.api('PATCH', `/v1/users/${u.id}`, {
      token: admin.accessToken,
      body: { roles: ['operator'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.roles).toEqual(['operator']);
    expect((await h.api('GET', '/v1/connections', { token: u.accessToken })).status).toBe(200);
    const audit = await h.api('GET', `/v1/audit?action=user.update&target=user:${u.id}`, {
      token: admin.accessToken,
    });
    expect(audit.body.items[0]).toMatchObject({
      actor: 'user:default/admin',
      outcome: 'success',
      metadata: { roles: ['operator'] },
    });
  });

  it("enforces a runbook's own access rules on execute and relaunch", async () => {
    // swarm_remove runs in prod only for members of group:default/platform-team.
    const op = await h.createUser(admin.accessToken, 'narrow-op@orch.test', ['operator']);
    const body = (environment: string) => ({
      environment,
      inputs: { stack_name: 'orch-narrow-test' },
    });
    const prod = await h.api('POST', '/v1/runbooks/swarm_remove/execute', {
      token: op.accessToken,
      body: body('prod'),
    });
    expect(prod.status).toBe(403);
    expect(prod.body.error.message).toMatch(/prod only for members of group:default\/platform-team/);
    const stage = await h.api('POST', '/v1/runbooks/swarm_remove/execute', {
      token: op.accessToken,
      body: body('stage'),
    });
    expect(stage.status).toBe(202);
    const asAdmin = await h.api('POST', '/v1/runbooks/swarm_remove/execute', {
      token: admin.accessToken,
      body: body('prod'),
    });
    expect(asAdmin.status).toBe(202);

    // Relaunching the admin's prod job is execute again: refused for the operator.
    const relaunch = await h.api('POST', `/v1/jobs/${asAdmin.body.jobId}/relaunch`, {
      token: op.accessToken,
      body: {},
    });
    expect(relaunch.status).toBe(403);

    const audit = await h.api('GET', '/v1/audit?actor=user:default/narrow-op', {
      token: admin.accessToken,
    });
    expect(
      audit.body.items.filter((e: any) => e.outcome === 'denied').map((e: any) => e.action).sort(),
    ).toEqual(['job.relaunch', 'runbook.execute']);
  });

  it("checks every step's runbook access on a project install, for the user who installs", async () => {
    // whoami-demo rolls back with swarm_remove: in prod only for the platform team.
    const op = await h.createUser(admin.accessToken, 'install-op@orch.test', ['operator']);
    const viewer = await h.createUser(admin.accessToken, 'install-viewer@orch.test', ['viewer']);
    const body = (environment: string, dryRun?: boolean) => ({
      project: 'whoami-demo',
      inputs: {},
      environment,
      ...(dryRun ? { dryRun } : {}),
    });
    const prod = await h.api('POST', '/v1/projects/install', { token: op.accessToken, body: body('prod') });
    expect(prod.status).toBe(403);
    expect(prod.body.error.message).toMatch(/swarm_remove runs in prod only for members of group:default\/platform-team/);
    const stage = await h.api('POST', '/v1/projects/install', { token: op.accessToken, body: body('stage', true) });
    expect(stage.status).toBe(200);
    expect(stage.body.steps.map((s: any) => s.runbook)).toEqual(['docker_build', 'swarm_deploy', 'http_check']);
    const asAdmin = await h.api('POST', '/v1/projects/install', { token: admin.accessToken, body: body('prod', true) });
    expect(asAdmin.status).toBe(200);
    const asViewer = await h.api('POST', '/v1/projects/install', { token: viewer.accessToken, body: body('stage') });
    expect(asViewer.status).toBe(403);

    const audit = await h.api('GET', '/v1/audit?action=project.install', { token: admin.accessToken });
    expect(audit.body.items.map((e: any) => [e.actor, e.outcome]).sort()).toEqual([
      ['user:default/install-op', 'denied'],
      ['user:default/install-viewer', 'denied'],
    ]);
  });

  it('keeps passwords and refresh tokens out of every table, log line, audit row and answer', async () => {
    const canary = `pw-canary-${Math.random().toString(36).slice(2)}`;
    const seen: string[] = [];
    const record = (r: { text: string }) => seen.push(r.text);
    record(await h.login(ADMIN_EMAIL, `${canary}-wrong`, '10.9.0.1'));
    record(await h.login('nobody@orch.test', `${canary}-unknown`, '10.9.0.2'));
    const created = await h.api('POST', '/v1/users', {
      token: admin.accessToken,
      body: { email: 'canary@orch.test', roles: ['viewer'], password: `${canary}-initial` },
    });
    record(created);
    record(
      await h.api('POST', `/v1/users/${created.body.id}/reset-password`, {
        token: admin.accessToken,
        body: { password: `${canary}-reset` },
      }),
    );
    const s = await h.session('canary@orch.test', `${canary}-reset`);
    record(
      await h.api('POST', '/v1/auth/password', {
        token: s.accessToken,
        body: {
          currentPassword: `${canary}-reset`,
          newPassword: `${canary}-mine`,
          refreshToken: s.refreshToken,
        },
      }),
    );
    const refreshed = await h.api('POST', '/v1/auth/refresh', {
      body: { refreshToken: s.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    record(await h.api('GET', '/v1/users?limit=500', { token: admin.accessToken }));
    record(await h.api('GET', '/v1/audit?limit=500', { token: admin.accessToken }));
    record(await h.api('GET', '/v1/me', { token: s.accessToken }));

    const tables = await h.dumpDatabase();
    for (const text of [...seen, tables, h.logs.join('\n')]) {
      expect(text).not.toContain(canary);
      // Refresh tokens are stored as hashes only.
      expect(text).not.toContain(s.refreshToken);
    }
    expect(tables).not.toContain(refreshed.body.refreshToken);
    expect(tables).toContain('scrypt');
    expect(h.logs.join('\n')).toContain('created the first administrator');
  });
});
