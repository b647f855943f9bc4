import { waitFor } from '@testing-library/react';
import {
  discoveryApi,
  errorResponse,
  fetchCalls,
  jsonResponse,
  mockFetch,
  tokenResponse,
} from '../__testUtils__/authServer';
import { OrchPasswordIdentity } from './OrchPasswordIdentity';
import { SESSION_STORAGE_KEY } from './storedSession';

const MINUTE = 60_000;

function stored(storage: Storage) {
  const raw = storage.getItem(SESSION_STORAGE_KEY);
  return raw ? JSON.parse(raw) : undefined;
}

const identities: OrchPasswordIdentity[] = [];
async function signIn(
  remember: boolean,
  onSessionEnded: () => void = jest.fn(),
) {
  const identity = await OrchPasswordIdentity.signIn({
    discoveryApi,
    onSessionEnded,
    email: 'alice@orch.test',
    password: 'correct horse battery',
    remember,
  });
  identities.push(identity);
  return identity;
}

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
});

afterEach(() => {
  identities.splice(0).forEach(identity => identity.dispose());
  jest.useRealTimers();
  jest.restoreAllMocks();
  localStorage.clear();
  sessionStorage.clear();
});

describe('OrchPasswordIdentity', () => {
  it('signs in and exposes the identity of the access token', async () => {
    const login = tokenResponse();
    const fetchMock = mockFetch(() => jsonResponse(200, login));

    const identity = await signIn(false);

    expect(fetchCalls(fetchMock)).toEqual([
      {
        path: '/v1/auth/login',
        body: {
          email: 'alice@orch.test',
          password: 'correct horse battery',
          remember: false,
        },
        headers: { 'Content-Type': 'application/json' },
      },
    ]);
    await expect(identity.getBackstageIdentity()).resolves.toEqual({
      type: 'user',
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/ops'],
    });
    await expect(identity.getProfileInfo()).resolves.toEqual({
      email: 'alice@orch.test',
      displayName: 'Alice',
    });
    await expect(identity.getCredentials()).resolves.toEqual({
      token: login.accessToken,
    });
  });

  it('keeps a session that is not remembered in sessionStorage only', async () => {
    const login = tokenResponse({ remember: false });
    mockFetch(() => jsonResponse(200, login));

    await signIn(false);

    expect(stored(sessionStorage)).toMatchObject({
      refreshToken: login.refreshToken,
    });
    expect(stored(localStorage)).toBeUndefined();
  });

  it('keeps a remembered session in localStorage only', async () => {
    sessionStorage.setItem(SESSION_STORAGE_KEY, '{"stale":true}');
    const login = tokenResponse({ remember: true });
    mockFetch(() => jsonResponse(200, login));

    await signIn(true);

    expect(stored(localStorage)).toMatchObject({
      refreshToken: login.refreshToken,
    });
    expect(stored(sessionStorage)).toBeUndefined();
  });

  it('refreshes at 80% of the token lifetime and stores the rotated refresh token', async () => {
    const login = tokenResponse({ remember: true });
    let next = login;
    const fetchMock = mockFetch(path => {
      if (path === '/v1/auth/login') {
        return jsonResponse(200, login);
      }
      next = tokenResponse({ remember: true });
      return jsonResponse(200, next);
    });
    const identity = await signIn(true);

    await jest.advanceTimersByTimeAsync(11.9 * MINUTE);
    expect(fetchCalls(fetchMock).map(c => c.path)).toEqual(['/v1/auth/login']);

    await jest.advanceTimersByTimeAsync(0.2 * MINUTE);
    expect(fetchCalls(fetchMock)[1]).toMatchObject({
      path: '/v1/auth/refresh',
      body: { refreshToken: login.refreshToken },
    });
    expect(next.refreshToken).not.toBe(login.refreshToken);
    expect(stored(localStorage).refreshToken).toBe(next.refreshToken);
    await expect(identity.getCredentials()).resolves.toEqual({
      token: next.accessToken,
    });

    // The next rotation presents the new refresh token, not the spent one.
    const second = next;
    await jest.advanceTimersByTimeAsync(12 * MINUTE);
    expect(fetchCalls(fetchMock)[2].body).toEqual({
      refreshToken: second.refreshToken,
    });
  });

  it('refreshes an expired access token before handing it out', async () => {
    const login = tokenResponse();
    const refreshed = tokenResponse();
    const fetchMock = mockFetch(path =>
      jsonResponse(200, path === '/v1/auth/login' ? login : refreshed),
    );
    const identity = await signIn(false);

    // The clock moves past expiry without the timer running (a sleeping laptop).
    jest.setSystemTime(Date.now() + 16 * MINUTE);

    await expect(identity.getCredentials()).resolves.toEqual({
      token: refreshed.accessToken,
    });
    expect(fetchCalls(fetchMock).map(c => c.path)).toEqual([
      '/v1/auth/login',
      '/v1/auth/refresh',
    ]);
    expect(stored(sessionStorage).refreshToken).toBe(refreshed.refreshToken);
  });

  it('signs out when the server refuses the refresh', async () => {
    const onSessionEnded = jest.fn();
    const fetchMock = mockFetch(path =>
      path === '/v1/auth/login'
        ? jsonResponse(200, tokenResponse({ remember: true }))
        : errorResponse(
            401,
            'AuthenticationError',
            'Refresh token is invalid or expired',
          ),
    );
    const identity = await signIn(true, onSessionEnded);

    await jest.advanceTimersByTimeAsync(12 * MINUTE);

    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    expect(stored(localStorage)).toBeUndefined();
    await expect(identity.getCredentials()).resolves.toEqual({});
    expect(fetchCalls(fetchMock).map(c => c.path)).toEqual([
      '/v1/auth/login',
      '/v1/auth/refresh',
    ]);
  });

  it('keeps the session when a refresh fails for want of a server', async () => {
    const onSessionEnded = jest.fn();
    const login = tokenResponse();
    mockFetch(path =>
      path === '/v1/auth/login'
        ? jsonResponse(200, login)
        : errorResponse(503, 'ServiceUnavailableError', 'down'),
    );
    const identity = await signIn(false, onSessionEnded);

    await jest.advanceTimersByTimeAsync(12 * MINUTE);

    expect(onSessionEnded).not.toHaveBeenCalled();
    expect(stored(sessionStorage).refreshToken).toBe(login.refreshToken);
    await expect(identity.getCredentials()).resolves.toEqual({
      token: login.accessToken,
    });
  });

  it('takes over a token another tab rotated instead of presenting the spent one', async () => {
    const login = tokenResponse({ remember: true });
    const fetchMock = mockFetch(() => jsonResponse(200, login));
    const identity = await signIn(true);

    // Another tab of the same remembered session refreshed first.
    const rotatedElsewhere = tokenResponse({ remember: true });
    localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        ...rotatedElsewhere,
        accessIssuedAtMs: Date.now(),
        accessExpiresAtMs: Date.now() + 15 * MINUTE,
      }),
    );
    await identity.refresh();

    expect(fetchCalls(fetchMock).map(c => c.path)).toEqual(['/v1/auth/login']);
    await expect(identity.getCredentials()).resolves.toEqual({
      token: rotatedElsewhere.accessToken,
    });
  });

  it('follows the rotations and the sign-out of another tab of its session', async () => {
    // Message delivery between channels runs on the real event loop.
    jest.useRealTimers();
    const login = tokenResponse();
    const refreshed = tokenResponse();
    mockFetch(path => {
      if (path === '/v1/auth/login') {
        return jsonResponse(200, login);
      }
      return path === '/v1/auth/refresh'
        ? jsonResponse(200, refreshed)
        : new Response(null, { status: 204 });
    });
    const onSessionEnded = jest.fn();
    const first = await signIn(false, onSessionEnded);

    // A duplicated tab starts with a copy of sessionStorage and resumes it.
    const second = (await OrchPasswordIdentity.resume({ discoveryApi }))!;
    identities.push(second);

    await waitFor(async () =>
      expect(await first.getCredentials()).toEqual({
        token: refreshed.accessToken,
      }),
    );

    await second.signOut();
    await waitFor(() => expect(onSessionEnded).toHaveBeenCalledTimes(1));
    await expect(first.getCredentials()).resolves.toEqual({});
  });

  it('signs out on the server and forgets the session', async () => {
    const login = tokenResponse({ remember: true });
    const fetchMock = mockFetch(path =>
      path === '/v1/auth/login'
        ? jsonResponse(200, login)
        : new Response(null, { status: 204 }),
    );
    const onSessionEnded = jest.fn();
    const identity = await signIn(true, onSessionEnded);

    await identity.signOut();

    expect(fetchCalls(fetchMock)[1]).toMatchObject({
      path: '/v1/auth/logout',
      body: { refreshToken: login.refreshToken },
    });
    expect(stored(localStorage)).toBeUndefined();
    expect(onSessionEnded).not.toHaveBeenCalled();
    await expect(identity.getCredentials()).resolves.toEqual({});
  });

  describe('resume', () => {
    it('resumes a stored session through a refresh', async () => {
      const login = tokenResponse({ remember: true });
      const refreshed = tokenResponse({ remember: true });
      const fetchMock = mockFetch(path =>
        jsonResponse(200, path === '/v1/auth/login' ? login : refreshed),
      );
      (await signIn(true)).dispose();

      const identity = await OrchPasswordIdentity.resume({ discoveryApi });
      identities.push(identity!);

      expect(fetchCalls(fetchMock)[1]).toMatchObject({
        path: '/v1/auth/refresh',
        body: { refreshToken: login.refreshToken },
      });
      await expect(identity!.getCredentials()).resolves.toEqual({
        token: refreshed.accessToken,
      });
      expect(stored(localStorage).refreshToken).toBe(refreshed.refreshToken);
    });

    it('forgets a stored session the server no longer honours', async () => {
      mockFetch(path =>
        path === '/v1/auth/login'
          ? jsonResponse(200, tokenResponse())
          : errorResponse(401, 'AuthenticationError', 'expired'),
      );
      (await signIn(false)).dispose();

      await expect(
        OrchPasswordIdentity.resume({ discoveryApi }),
      ).resolves.toBeUndefined();
      expect(stored(sessionStorage)).toBeUndefined();
    });

    it('resolves to undefined without a stored session', async () => {
      const fetchMock = mockFetch(() => jsonResponse(200, tokenResponse()));
      await expect(
        OrchPasswordIdentity.resume({ discoveryApi }),
      ).resolves.toBeUndefined();
      expect(fetchMock).not.toHaveBeenCalled();
    });
  });

  it('changes the password, keeping this session', async () => {
    const login = tokenResponse({ passwordChangeRequired: true });
    const fetchMock = mockFetch(path =>
      path === '/v1/auth/login'
        ? jsonResponse(200, login)
        : new Response(null, { status: 204 }),
    );
    const identity = await signIn(false);
    expect(identity.passwordChangeRequired).toBe(true);

    await identity.changePassword('admin-set password', 'a brand new secret');

    expect(fetchCalls(fetchMock)[1]).toEqual({
      path: '/v1/auth/password',
      body: {
        currentPassword: 'admin-set password',
        newPassword: 'a brand new secret',
        refreshToken: login.refreshToken,
      },
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${login.accessToken}`,
      },
    });
    expect(identity.passwordChangeRequired).toBe(false);
    expect(stored(sessionStorage).passwordChangeRequired).toBe(false);
  });
});
