import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthHarness } from './__testUtils__/authHarness';
import { engines } from './__testUtils__/orchHarness';

jest.setTimeout(180_000);

/** The `name=value` of the device cookie a sign-in answer set. */
function deviceCookie(r: { headers: Headers }): string {
  const set = r.headers.getSetCookie().find(c => c.startsWith('orch_device_'));
  if (!set) throw new Error('no device cookie was set');
  return set.split(';')[0];
}

describe.each(engines())('sign-in throttle on %s', engine => {
  const h = new AuthHarness(engine);
  let admin: { accessToken: string };

  const login = (email: string, password: string, client: string, cookie?: string) =>
    fetch(`${h.baseUrl}/api/orch/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': client,
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify({ email, password }),
    });

  beforeAll(async () => {
    await h.start();
    admin = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD, '10.9.9.9');
  });
  afterAll(() => h.stop());

  it('sets a signed, HttpOnly, SameSite=Strict device cookie on the auth path', async () => {
    const r = await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.9.9.9');
    expect(r.status).toBe(200);
    const set = r.headers.getSetCookie().find(c => c.startsWith('orch_device_'))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\/api\/orch\/v1\/auth(;|$)/);
    expect(set).toMatch(/Max-Age=2592000/);
    // Tokens stay in the body, never in the cookie.
    const body = await r.json();
    expect(set).not.toContain(body.refreshToken);
  });

  it("one person's typo storm does not stop another account from the same address", async () => {
    const a = await h.createUser(admin.accessToken, 'typo-a@orch.test', ['viewer']);
    const b = await h.createUser(admin.accessToken, 'typo-b@orch.test', ['viewer']);
    for (let i = 0; i < 8; i++) {
      const r = await login('typo-a@orch.test', `wrong password ${i}!`, '10.20.0.1');
      expect(r.status).toBe(i < 5 ? 401 : 429);
    }
    // B's owner, with no device cookie, from the same (shared) address.
    expect((await login('typo-b@orch.test', b.password, '10.20.0.1')).status).toBe(200);
    // And the admin too.
    expect((await login(ADMIN_EMAIL, ADMIN_PASSWORD, '10.20.0.1')).status).toBe(200);
    expect(a.password).toBeTruthy();
  });

  it('throttles a spray across 60 accounts from one address before it ends', async () => {
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 60; i++) {
      const r = await login(`spray-${i}@orch.test`, 'Summer2026 sprayed!', '10.30.0.1');
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = Number(r.headers.get('retry-after'));
        break;
      }
    }
    expect(statuses[statuses.length - 1]).toBe(429);
    expect(statuses.length).toBeLessThan(60);
    expect(statuses.slice(0, -1).every(s => s === 401)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Another address is not affected.
    expect((await login('spray-0@orch.test', 'Summer2026 sprayed!', '10.30.0.2')).status).toBe(401);
  });

  it('a known device signs in during an attack on its account; a cookie-less client does not', async () => {
    const v = await h.createUser(admin.accessToken, 'besieged@orch.test', ['viewer']);
    const first = await login('besieged@orch.test', v.password, '10.40.0.1');
    expect(first.status).toBe(200);
    const cookie = deviceCookie(first);

    for (let i = 0; i < 6; i++) {
      await login('besieged@orch.test', `attacker guess ${i}!`, `10.41.0.${i}`);
    }
    // The owner's address is also the attacker's (a shared egress): no matter.
    for (let i = 0; i < 3; i++) {
      await login('besieged@orch.test', `attacker guess x${i}!`, '10.40.0.1');
    }
    const stranger = await login('besieged@orch.test', v.password, '10.42.0.1');
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);
    const sameAddressNoCookie = await login('besieged@orch.test', v.password, '10.40.0.1');
    expect(sameAddressNoCookie.status).toBe(429);

    const owner = await login('besieged@orch.test', v.password, '10.40.0.1', cookie);
    expect(owner.status).toBe(200);
    // From another address too: the device, not the address, is known.
    expect((await login('besieged@orch.test', v.password, '10.43.0.1', cookie)).status).toBe(200);
  });

  it('a tampered, forged or other-account cookie gives no exemption', async () => {
    const v = await h.createUser(admin.accessToken, 'locked@orch.test', ['viewer']);
    const other = await h.createUser(admin.accessToken, 'other@orch.test', ['viewer']);
    const own = deviceCookie(await login('locked@orch.test', v.password, '10.50.0.1'));
    const otherCookie = deviceCookie(await login('other@orch.test', other.password, '10.50.0.2'));
    for (let i = 0; i < 5; i++) {
      await login('locked@orch.test', `attacker guess ${i}!`, `10.51.0.${i}`);
    }
    const [name, value] = own.split('=');
    const parts = value.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const tampered = [
      // Another nonce under the same signature.
      `${name}=${[parts[0], parts[1], flip(parts[2]), parts[3], parts[4]].join('.')}`,
      // A later expiry under the same signature.
      `${name}=${[parts[0], parts[1], parts[2], String(Number(parts[3]) + 1e6), parts[4]].join('.')}`,
      // A forged signature.
      `${name}=${[...parts.slice(0, 4), flip(parts[4])].join('.')}`,
      `${name}=garbage`,
      // A valid cookie of another account, under its name and under this one's.
      otherCookie,
      `${name}=${otherCookie.split('=')[1]}`,
    ];
    for (const cookie of tampered) {
      const r = await login('locked@orch.test', v.password, '10.52.0.1', cookie);
      expect({ cookie, status: r.status }).toEqual({ cookie, status: 429 });
    }
    // The genuine one still works.
    expect((await login('locked@orch.test', v.password, '10.52.0.1', own)).status).toBe(200);
  });
});
