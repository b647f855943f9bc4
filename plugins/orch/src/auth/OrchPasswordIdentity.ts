import type {
  BackstageUserIdentity,
  DiscoveryApi,
  IdentityApi,
  ProfileInfo,
} from '@backstage/frontend-plugin-api';
import { OrchAuthClient, OrchAuthError } from './OrchAuthClient';
import {
  clearStoredSession,
  readStoredSession,
  writeStoredSession,
  type StoredSession,
} from './storedSession';
import type { OrchSessionUser, OrchTokenResponse } from './types';

/** Share of the access token's lifetime after which it is refreshed. */
const REFRESH_AT = 0.8;
/** A token this close to expiry is refreshed before use: it could expire in transit. */
const EXPIRY_MARGIN_MS = 10_000;
/** Floor of the refresh timer, so a token with no usable lifetime cannot spin. */
const MIN_REFRESH_DELAY_MS = 5_000;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const LOCK_NAME = 'orch.session.refresh';
const CHANNEL_NAME = 'orch.session';

/**
 * Tabs of one session tell each other about rotations and sign-outs: a
 * refresh token is single-use, and presenting a spent one ends the session
 * for every tab.
 */
type ChannelMessage =
  | { type: 'rotated'; previousRefreshToken: string; session: StoredSession }
  | { type: 'ended'; refreshToken: string };

/** @public */
export type OrchPasswordIdentityOptions = {
  discoveryApi: Pick<DiscoveryApi, 'getBaseUrl'>;
  /**
   * Called when the session ends on its own rather than through `signOut`:
   * the server refused a refresh (expired, revoked, user disabled) or
   * another tab signed out. The app typically reloads to its sign-in page.
   */
  onSessionEnded?: () => void;
};

function decodeJwtPayload(token: string): Record<string, unknown> {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = part.padEnd(
      part.length + ((4 - (part.length % 4)) % 4),
      '=',
    );
    const bytes = Uint8Array.from(atob(padded), c => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return typeof payload === 'object' && payload !== null ? payload : {};
  } catch {
    return {};
  }
}

function toStoredSession(
  response: OrchTokenResponse,
  receivedAtMs = Date.now(),
): StoredSession {
  // The lifetime is measured on the server's clock (the token's `iat` to
  // `expiresAt`) and laid on this browser's: a browser clock that is off by
  // minutes would otherwise refresh after the token has expired.
  const { iat } = decodeJwtPayload(response.accessToken);
  const issuedAtMs = typeof iat === 'number' ? iat * 1000 : receivedAtMs;
  const lifetimeMs = Date.parse(response.expiresAt) - issuedAtMs;
  return {
    ...response,
    accessIssuedAtMs: receivedAtMs,
    accessExpiresAtMs:
      receivedAtMs +
      (Number.isFinite(lifetimeMs) ? Math.max(0, lifetimeMs) : 0),
  };
}

function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  // Tabs of a remembered session share one refresh token through
  // localStorage; the lock lets one of them rotate it at a time.
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? locks.request(LOCK_NAME, fn) : fn();
}

function isUnauthorized(error: unknown) {
  return error instanceof OrchAuthError && error.reason === 'unauthorized';
}

/**
 * Backstage's IdentityApi over Orch's password sign-in: it holds the access
 * token, refreshes it at 80 % of its lifetime (and when asked for an expired
 * one), rotates the single-use refresh token it keeps in Web Storage, and
 * signs out when the server refuses a refresh.
 *
 * @public
 */
export class OrchPasswordIdentity implements IdentityApi {
  /** Signs in with a password. Throws an {@link OrchAuthError}. */
  static async signIn(
    options: OrchPasswordIdentityOptions & {
      email: string;
      password: string;
      remember: boolean;
    },
  ): Promise<OrchPasswordIdentity> {
    const client = new OrchAuthClient(options);
    const response = await client.login({
      email: options.email,
      password: options.password,
      remember: options.remember,
    });
    return new OrchPasswordIdentity(options, client, toStoredSession(response));
  }

  /** Whether this browser holds a session that {@link OrchPasswordIdentity.resume} can try. */
  static hasStoredSession(): boolean {
    return readStoredSession() !== undefined;
  }

  /**
   * Resumes the stored session through a refresh. Resolves to undefined when
   * there is none or the server no longer honours it; throws an
   * {@link OrchAuthError} when the server cannot be reached (the stored
   * session is kept for the next attempt).
   */
  static async resume(
    options: OrchPasswordIdentityOptions,
  ): Promise<OrchPasswordIdentity | undefined> {
    const client = new OrchAuthClient(options);
    return withRefreshLock(async () => {
      const stored = readStoredSession();
      if (!stored) {
        return undefined;
      }
      if (Date.parse(stored.refreshExpiresAt) <= Date.now()) {
        clearStoredSession(stored.refreshToken);
        return undefined;
      }
      let response: OrchTokenResponse;
      try {
        response = await client.refresh(stored.refreshToken);
      } catch (error) {
        if (isUnauthorized(error)) {
          clearStoredSession(stored.refreshToken);
          return undefined;
        }
        throw error;
      }
      const identity = new OrchPasswordIdentity(
        options,
        client,
        toStoredSession(response),
      );
      identity.announce({
        type: 'rotated',
        previousRefreshToken: stored.refreshToken,
        session: identity.session,
      });
      return identity;
    });
  }

  private session: StoredSession;
  private ended = false;
  private timer?: ReturnType<typeof setTimeout>;
  private inFlight?: Promise<void>;
  private readonly channel?: BroadcastChannel;

  private constructor(
    private readonly options: OrchPasswordIdentityOptions,
    private readonly client: OrchAuthClient,
    session: StoredSession,
  ) {
    this.session = session;
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(CHANNEL_NAME);
      this.channel.onmessage = event => this.onMessage(event.data);
    }
    this.accept(session);
  }

  /** The signed-in user, from the last sign-in or refresh answer. */
  get user(): OrchSessionUser {
    return this.session.user;
  }

  /** True until the user has replaced an administrator-set password. */
  get passwordChangeRequired(): boolean {
    return this.session.passwordChangeRequired;
  }

  async getProfileInfo(): Promise<ProfileInfo> {
    return {
      email: this.session.user.email,
      displayName: this.session.user.displayName,
    };
  }

  async getBackstageIdentity(): Promise<BackstageUserIdentity> {
    const { sub, ent } = decodeJwtPayload(this.session.accessToken);
    const userEntityRef =
      typeof sub === 'string' ? sub : this.session.user.entityRef;
    const ownershipEntityRefs = Array.isArray(ent)
      ? ent.filter((ref): ref is string => typeof ref === 'string')
      : [userEntityRef];
    return { type: 'user', userEntityRef, ownershipEntityRefs };
  }

  async getCredentials(): Promise<{ token?: string }> {
    if (
      !this.ended &&
      Date.now() >= this.session.accessExpiresAtMs - EXPIRY_MARGIN_MS
    ) {
      try {
        await this.refresh();
      } catch (error) {
        if (!this.ended) {
          throw error;
        }
      }
    }
    // After the session has ended there is no identity to prove.
    return this.ended ? {} : { token: this.session.accessToken };
  }

  /** Ends the session on the server (best effort) and in this browser. */
  async signOut(): Promise<void> {
    if (this.ended) {
      return;
    }
    // Let a running rotation finish so that the token revoked is the live one.
    await this.inFlight?.catch(() => undefined);
    if (this.ended) {
      return;
    }
    const { refreshToken } = this.session;
    try {
      await this.client.logout(refreshToken);
    } catch {
      // Unreachable server: the local session still ends; the refresh token
      // lapses on the server at its expiry.
    }
    this.end({ notify: false, announce: true });
  }

  /**
   * Trades the refresh token for new tokens now. On a 401 the session ends
   * (and `onSessionEnded` is called) before the error is thrown.
   */
  refresh(): Promise<void> {
    if (this.ended) {
      return Promise.reject(
        new OrchAuthError('unauthorized', 'The session has ended'),
      );
    }
    if (!this.inFlight) {
      this.inFlight = withRefreshLock(() => this.rotate()).finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  /**
   * Replaces the password (`POST /v1/auth/password`). The server keeps this
   * session and ends the user's others. Throws an {@link OrchAuthError}
   * whose `fields` name refused inputs.
   */
  async changePassword(
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const { token } = await this.getCredentials();
    if (!token) {
      throw new OrchAuthError('unauthorized', 'The session has ended');
    }
    await this.client.changePassword(token, {
      currentPassword,
      newPassword,
      refreshToken: this.session.refreshToken,
    });
    this.accept({ ...this.session, passwordChangeRequired: false });
  }

  /** Stops the refresh timer and cross-tab listening; the session stays stored. */
  dispose() {
    clearTimeout(this.timer);
    this.channel?.close();
  }

  private async rotate(): Promise<void> {
    if (this.ended) {
      throw new OrchAuthError('unauthorized', 'The session has ended');
    }
    const stored = readStoredSession();
    if (
      stored &&
      stored.user.id === this.session.user.id &&
      stored.refreshToken !== this.session.refreshToken
    ) {
      // Another tab rotated while this one waited for the lock: our refresh
      // token is spent, and presenting it would end the session everywhere.
      this.accept(stored);
      if (stored.accessExpiresAtMs - EXPIRY_MARGIN_MS > Date.now()) {
        return;
      }
    }
    const previousRefreshToken = this.session.refreshToken;
    let response: OrchTokenResponse;
    try {
      response = await this.client.refresh(previousRefreshToken);
    } catch (error) {
      if (isUnauthorized(error)) {
        this.end({ notify: true, announce: true });
      }
      throw error;
    }
    if (this.ended) {
      return;
    }
    const session = toStoredSession(response);
    this.accept(session);
    this.announce({ type: 'rotated', previousRefreshToken, session });
  }

  private accept(session: StoredSession) {
    this.session = session;
    writeStoredSession(session);
    clearTimeout(this.timer);
    const refreshAt =
      session.accessIssuedAtMs +
      REFRESH_AT * (session.accessExpiresAtMs - session.accessIssuedAtMs);
    const delay = Math.min(
      MAX_TIMER_MS,
      Math.max(MIN_REFRESH_DELAY_MS, refreshAt - Date.now()),
    );
    this.timer = setTimeout(() => {
      // A failure here is retried by getCredentials once the token expires;
      // a 401 has already ended the session.
      this.refresh().catch(() => undefined);
    }, delay);
  }

  private end(options: { notify: boolean; announce: boolean }) {
    if (this.ended) {
      return;
    }
    this.ended = true;
    clearTimeout(this.timer);
    clearStoredSession(this.session.refreshToken);
    if (options.announce) {
      this.announce({
        type: 'ended',
        refreshToken: this.session.refreshToken,
      });
    }
    this.channel?.close();
    if (options.notify) {
      this.options.onSessionEnded?.();
    }
  }

  private announce(message: ChannelMessage) {
    this.channel?.postMessage(message);
  }

  private onMessage(message: ChannelMessage) {
    if (this.ended) {
      return;
    }
    if (
      message.type === 'rotated' &&
      message.previousRefreshToken === this.session.refreshToken
    ) {
      this.accept(message.session);
    } else if (
      message.type === 'ended' &&
      message.refreshToken === this.session.refreshToken
    ) {
      this.end({ notify: true, announce: false });
    }
  }
}
