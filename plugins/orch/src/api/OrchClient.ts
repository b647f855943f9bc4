import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { HealthReport } from '@internal/backstage-plugin-orch-common';

/** @public */
export interface OrchApi {
  /** The health report; resolves for 200 and 503 alike, since both carry it. */
  getHealth(): Promise<HealthReport>;
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
}
