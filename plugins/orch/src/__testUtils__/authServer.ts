import type { OrchTokenResponse } from '../auth/types';

export const ORCH_BASE_URL = 'http://orch.test/api/orch';
export const discoveryApi = { getBaseUrl: async () => ORCH_BASE_URL };

const ACCESS_LIFETIME_S = 15 * 60;

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

let counter = 0;

/**
 * A sign-in answer as the Orch backend gives it: an unsigned JWT with `sub`,
 * `ent` and `iat`, valid 15 minutes from `Date.now()`, and a fresh refresh
 * token each call.
 */
export function tokenResponse(
  overrides: Partial<OrchTokenResponse> = {},
): OrchTokenResponse {
  counter += 1;
  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    sub: 'user:default/alice',
    ent: ['user:default/alice', 'group:default/ops'],
    iat,
    exp: iat + ACCESS_LIFETIME_S,
  };
  return {
    accessToken: `${base64url({ alg: 'ES256' })}.${base64url(
      payload,
    )}.sig${counter}`,
    refreshToken: `refresh-${counter}`,
    expiresAt: new Date((iat + ACCESS_LIFETIME_S) * 1000).toISOString(),
    refreshExpiresAt: new Date(Date.now() + 12 * 3600_000).toISOString(),
    remember: false,
    passwordChangeRequired: false,
    user: {
      id: 'u-1',
      email: 'alice@orch.test',
      displayName: 'Alice',
      entityRef: 'user:default/alice',
      roles: ['operator'],
    },
    ...overrides,
  };
}

export function jsonResponse(
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function errorResponse(
  status: number,
  name: string,
  message: string,
  extra: { headers?: Record<string, string>; fields?: unknown } = {},
): Response {
  return jsonResponse(
    status,
    { error: { name, message }, fields: extra.fields },
    extra.headers,
  );
}

export type Route = (
  path: string,
  body: any,
  init: RequestInit,
) => Response | Promise<Response>;

/**
 * Replaces `window.fetch` (the browser boundary) with `route`, called with
 * the path under the Orch base URL and the parsed JSON body.
 */
export function mockFetch(route: Route) {
  return jest
    .spyOn(window, 'fetch')
    .mockImplementation(async (input, init = {}) => {
      const url = String(input);
      if (!url.startsWith(ORCH_BASE_URL)) {
        throw new TypeError(`unexpected fetch ${url}`);
      }
      const body = init.body ? JSON.parse(String(init.body)) : undefined;
      return route(url.slice(ORCH_BASE_URL.length), body, init);
    });
}

/** The calls made to `fetch`, as path and parsed body. */
export function fetchCalls(fetchMock: jest.SpyInstance) {
  return fetchMock.mock.calls.map(([input, init]) => ({
    path: String(input).slice(ORCH_BASE_URL.length),
    body: init?.body ? JSON.parse(String(init.body)) : undefined,
    headers: (init?.headers ?? {}) as Record<string, string>,
  }));
}
