import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { createHash, randomBytes } from 'node:crypto';
import {
  ORCH_AUTH_PROVIDER_ID,
  ORCH_TICKET_HEADER,
} from '@internal/backstage-plugin-orch-common';
import type { Redis } from 'ioredis';

const TICKET_TTL_SECONDS = 30;

/** A Backstage user token and when it expires. */
export type IssuedToken = { token: string; expiresAt: Date };

/**
 * Turns a verified Orch user into a normal Backstage user token.
 *
 * Only the auth backend signs Backstage tokens. After Orch has checked a
 * password (or spent a refresh token) it writes a single-use ticket to Redis
 * and calls its own auth provider module (`/api/auth/orch/refresh`) with it;
 * the module redeems the ticket here (service-to-service, `auth` plugin
 * only) and resolves the user to a token. A ticket lives 30 s, is stored
 * only hashed, and is deleted by the first redemption.
 */
export class BackstageTokens {
  constructor(
    private readonly deps: {
      redis: Redis;
      prefix: string;
      discovery: DiscoveryService;
      fetch?: typeof fetch;
    },
  ) {}

  async issue(userId: string): Promise<IssuedToken> {
    const ticket = randomBytes(32).toString('base64url');
    await this.deps.redis.set(this.key(ticket), userId, 'EX', TICKET_TTL_SECONDS);
    const base = await this.deps.discovery.getBaseUrl('auth');
    const started = Date.now();
    const response = await (this.deps.fetch ?? fetch)(
      `${base}/${ORCH_AUTH_PROVIDER_ID}/refresh`,
      { method: 'POST', headers: { [ORCH_TICKET_HEADER]: ticket } },
    );
    if (!response.ok) {
      // Never echo the ticket; the auth backend's error names the cause.
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as {
      backstageIdentity: { token: string; expiresInSeconds?: number };
    };
    const seconds = body.backstageIdentity.expiresInSeconds ?? 3600;
    return {
      token: body.backstageIdentity.token,
      expiresAt: new Date(started + seconds * 1000),
    };
  }

  /** The user id a ticket was issued for, once; undefined afterwards. */
  async redeem(ticket: string): Promise<string | undefined> {
    const userId = await this.deps.redis.getdel(this.key(ticket));
    return userId ?? undefined;
  }

  private key(ticket: string) {
    const digest = createHash('sha256').update(ticket).digest('hex');
    return `${this.deps.prefix}:auth:ticket:${digest}`;
  }
}
