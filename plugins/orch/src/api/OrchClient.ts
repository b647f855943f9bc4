import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  HealthReport,
  OrchRole,
} from '@internal/backstage-plugin-orch-common';

/** Who is signed in, as `GET /v1/me` answers. @public */
export type OrchMe = {
  id?: string;
  email?: string;
  displayName?: string;
  entityRef: string;
  ownershipEntityRefs: string[];
  status?: 'active' | 'disabled';
  roles: OrchRole[];
  /** The `orch.*` permissions the user's roles grant. */
  permissions: string[];
  passwordChangeRequired: boolean;
};

/** @public */
export interface OrchApi {
  /** The health report; resolves for 200 and 503 alike, since both carry it. */
  getHealth(): Promise<HealthReport>;
  /** The signed-in user, their roles and Orch permissions. */
  getMe(): Promise<OrchMe>;
  /**
   * Any call to the orch plugin, `path` below `/api/orch` (e.g.
   * `/v1/jobs?limit=50`). JSON in, JSON out; a non-2xx answer throws a
   * `ResponseError` (its `body.fields` holds a 400's failing fields).
   */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The absolute URL of a path of the orch plugin (downloads, SSE). */
  url(path: string): Promise<string>;
}

/** @public */
export const orchApiRef = createApiRef<OrchApi>({ id: 'plugin.orch.client' });

/** Talks to the `orch` backend plugin. @public */
export class OrchClient implements OrchApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getHealth(): Promise<HealthReport> {
    const base = await this.deps.discoveryApi.getBaseUrl('orch');
    const response = await this.deps.fetchApi.fetch(`${base}/health`);
    if (response.status !== 200 && response.status !== 503) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  getMe(): Promise<OrchMe> {
    return this.request<OrchMe>('GET', '/v1/me');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.deps.fetchApi.fetch(await this.url(path), {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  async url(path: string): Promise<string> {
    return `${await this.deps.discoveryApi.getBaseUrl('orch')}${path}`;
  }
}
