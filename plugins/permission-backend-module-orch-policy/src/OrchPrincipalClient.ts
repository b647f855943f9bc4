import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  type OrchRole,
  isOrchRole,
} from '@internal/backstage-plugin-orch-common';

/**
 * What the orch plugin says about a user: whether they may act at all, and
 * their roles (stored ones and those granted through their groups).
 * @public
 */
export interface OrchPrincipal {
  active: boolean;
  roles: OrchRole[];
}

/** @public */
export interface OrchPrincipalClientOptions {
  auth: AuthService;
  discovery: DiscoveryService;
  /** How long an answer is reused; 0 asks on every call. */
  cacheSeconds: number;
  /**
   * The clock, in milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
  /**
   * How long one look-up may take before it counts as failed.
   * @defaultValue 5000
   */
  timeoutMs?: number;
}

interface CacheEntry {
  principal: Promise<OrchPrincipal>;
  /** Infinity while the look-up is under way. */
  expiresAt: number;
}

// Past this many entries, expired ones are dropped on the next look-up.
const SWEEP_THRESHOLD = 1000;

/**
 * Looks users up in the orch plugin (`POST /v1/auth/principal`) and keeps
 * each answer for a few seconds, so that a burst of permission checks costs
 * one request while a disabled user still loses access within seconds.
 * Concurrent look-ups of one user share a request; failures are not kept.
 * @public
 */
export class OrchPrincipalClient {
  readonly #auth: AuthService;
  readonly #discovery: DiscoveryService;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(options: OrchPrincipalClientOptions) {
    this.#auth = options.auth;
    this.#discovery = options.discovery;
    this.#ttlMs = Math.max(0, options.cacheSeconds) * 1000;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * The user's status and roles. `ownershipEntityRefs` is called only when
   * the orch plugin has to be asked. Rejects when it cannot be asked or
   * answers something else than a principal.
   */
  async getPrincipal(
    userEntityRef: string,
    ownershipEntityRefs: () => Promise<string[]>,
  ): Promise<OrchPrincipal> {
    const now = this.#now();
    const cached = this.#cache.get(userEntityRef);
    if (cached && cached.expiresAt > now) {
      return cached.principal;
    }
    if (this.#cache.size >= SWEEP_THRESHOLD) {
      this.#sweep(now);
    }

    const entry: CacheEntry = {
      principal: this.#fetch(userEntityRef, ownershipEntityRefs),
      expiresAt: Infinity,
    };
    this.#cache.set(userEntityRef, entry);
    try {
      const principal = await entry.principal;
      entry.expiresAt = this.#now() + this.#ttlMs;
      return principal;
    } catch (error) {
      if (this.#cache.get(userEntityRef) === entry) {
        this.#cache.delete(userEntityRef);
      }
      throw error;
    }
  }

  async #fetch(
    userEntityRef: string,
    ownershipEntityRefs: () => Promise<string[]>,
  ): Promise<OrchPrincipal> {
    const [baseUrl, { token }, refs] = await Promise.all([
      this.#discovery.getBaseUrl('orch'),
      this.#auth.getPluginRequestToken({
        onBehalfOf: await this.#auth.getOwnServiceCredentials(),
        targetPluginId: 'orch',
      }),
      ownershipEntityRefs(),
    ]);
    const response = await fetch(`${baseUrl}/v1/auth/principal`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ userEntityRef, ownershipEntityRefs: refs }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok) {
      throw new Error(
        `POST ${baseUrl}/v1/auth/principal answered ${response.status} ${response.statusText}`,
      );
    }
    return parsePrincipal(await response.json());
  }

  #sweep(now: number) {
    for (const [key, entry] of this.#cache) {
      if (entry.expiresAt <= now) {
        this.#cache.delete(key);
      }
    }
  }
}

function parsePrincipal(body: unknown): OrchPrincipal {
  const { active, roles } = (body ?? {}) as Record<string, unknown>;
  if (typeof active !== 'boolean' || !Array.isArray(roles)) {
    throw new Error(
      'The orch plugin answered /v1/auth/principal without a boolean "active" and a "roles" array',
    );
  }
  // A role this policy does not know grants nothing.
  return { active, roles: roles.filter(isOrchRole) };
}
