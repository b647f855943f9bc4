import { ResponseError } from '@backstage/errors';
import {
  permissionNamesFor,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import type { OrchApi, OrchMe } from '../api/OrchClient';

/** A signed-in user with the permissions their roles grant. */
export function meWith(
  roles: OrchRole[],
  overrides: Partial<OrchMe> = {},
): OrchMe {
  return {
    id: 'u-1',
    email: 'ada@orch.test',
    displayName: 'Ada Lovelace',
    entityRef: 'user:default/ada',
    ownershipEntityRefs: ['user:default/ada'],
    status: 'active',
    roles,
    permissions: permissionNamesFor(roles),
    passwordChangeRequired: false,
    ...overrides,
  };
}

type Handler = (body: unknown) => unknown | Promise<unknown>;

/** A ResponseError as `OrchClient.request` throws it. */
export async function apiError(
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: status === 400 ? 'InputError' : 'Error', message },
        request: { method: 'GET', url: '/api/orch' },
        response: { statusCode: status },
        ...extra,
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ) as any,
  );
}

/**
 * An OrchApi whose `request` answers from `routes`, keyed `METHOD /path`
 * (the path without its query string; the full path is in `calls`).
 */
export function mockOrchApi(options: {
  me?: OrchMe;
  routes?: Record<string, Handler>;
}) {
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const api: OrchApi = {
    getHealth: async () => ({
      status: 'ok',
      checks: {
        database: { status: 'ok', latencyMs: 1 },
        redis: { status: 'ok', latencyMs: 1 },
        worker: { status: 'ok', latencyMs: 1 },
      },
    }),
    getMe: async () => options.me ?? meWith(['admin']),
    request: (async (method: string, path: string, body?: unknown) => {
      calls.push({ method, path, body });
      const key = `${method} ${path.split('?')[0]}`;
      const handler = options.routes?.[key];
      if (!handler) {
        throw await apiError(404, `no mock for ${key}`);
      }
      return handler(body);
    }) as OrchApi['request'],
    url: async (path: string) => `http://orch.test/api/orch${path}`,
  };
  return { api, calls };
}
