import type { DiscoveryApi } from '@backstage/frontend-plugin-api';
import type { OrchFieldError, OrchTokenResponse } from './types';

/** Why a sign-in call failed, as the sign-in page tells it apart. @public */
export type OrchAuthErrorReason =
  /** 401: wrong credentials, or a refresh token the server no longer honours. */
  | 'unauthorized'
  /** 429: too many attempts; `retryAfterSeconds` says for how long. */
  | 'rate-limited'
  /** 400: `fields` names what the server refused. */
  | 'invalid-input'
  /** No answer (network error) or a 5xx. */
  | 'unreachable'
  | 'unexpected';

/** A failed call to the sign-in API; `message` is fit for the user. @public */
export class OrchAuthError extends Error {
  readonly name = 'OrchAuthError';

  constructor(
    readonly reason: OrchAuthErrorReason,
    message: string,
    readonly details: {
      status?: number;
      retryAfterSeconds?: number;
      fields?: OrchFieldError[];
    } = {},
  ) {
    super(message);
  }

  get fields(): OrchFieldError[] {
    return this.details.fields ?? [];
  }
}

const UNREACHABLE = 'Cannot reach the Orch server. Try again in a moment.';

/** Seconds from a `Retry-After` header: delay-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null,
  now = Date.now(),
): number | undefined {
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const date = Date.parse(value);
  return Number.isNaN(date)
    ? undefined
    : Math.max(0, Math.ceil((date - now) / 1000));
}

/** "Too many attempts. Try again in N minutes" (at least one minute). */
export function rateLimitMessage(retryAfterSeconds?: number): string {
  if (retryAfterSeconds === undefined) {
    return 'Too many attempts. Try again later.';
  }
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts. Try again in ${minutes} ${
    minutes === 1 ? 'minute' : 'minutes'
  }.`;
}

async function errorBody(
  response: Response,
): Promise<{ message?: string; fields?: OrchFieldError[] }> {
  try {
    const body = await response.json();
    return {
      message:
        typeof body?.error?.message === 'string'
          ? body.error.message
          : undefined,
      fields: Array.isArray(body?.fields) ? body.fields : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * The browser side of Orch's sign-in API (`/api/orch/v1/auth/*`).
 *
 * It calls the global `fetch`, not the app's FetchApi: that one asks the
 * identity for a token, and there is no identity before sign-in.
 */
export class OrchAuthClient {
  constructor(
    private readonly deps: { discoveryApi: Pick<DiscoveryApi, 'getBaseUrl'> },
  ) {}

  login(request: {
    email: string;
    password: string;
    remember: boolean;
  }): Promise<OrchTokenResponse> {
    return this.call('/v1/auth/login', request).then(r => r.json());
  }

  refresh(refreshToken: string): Promise<OrchTokenResponse> {
    return this.call('/v1/auth/refresh', { refreshToken }).then(r => r.json());
  }

  async logout(refreshToken: string): Promise<void> {
    await this.call('/v1/auth/logout', { refreshToken });
  }

  /**
   * Replaces the user's password. With `refreshToken` the server keeps that
   * session and ends the user's others.
   */
  async changePassword(
    accessToken: string,
    request: {
      currentPassword: string;
      newPassword: string;
      refreshToken?: string;
    },
  ): Promise<void> {
    await this.call('/v1/auth/password', request, accessToken);
  }

  private async call(
    path: string,
    body: unknown,
    accessToken?: string,
  ): Promise<Response> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('orch');
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
    };
    if (accessToken) {
      headers.Authorization = `Bearer ${accessToken}`;
    }
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new OrchAuthError('unreachable', UNREACHABLE);
    }
    if (response.ok) {
      return response;
    }

    const status = response.status;
    const { message, fields } = await errorBody(response);
    if (status === 401) {
      throw new OrchAuthError(
        'unauthorized',
        message ?? 'Invalid email or password',
        { status },
      );
    }
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(
        response.headers.get('Retry-After'),
      );
      throw new OrchAuthError(
        'rate-limited',
        rateLimitMessage(retryAfterSeconds),
        { status, retryAfterSeconds },
      );
    }
    if (status === 400) {
      throw new OrchAuthError('invalid-input', message ?? 'Invalid request', {
        status,
        fields,
      });
    }
    if (status >= 500) {
      throw new OrchAuthError('unreachable', UNREACHABLE, { status });
    }
    throw new OrchAuthError(
      'unexpected',
      message ?? `Sign-in failed (HTTP ${status})`,
      { status },
    );
  }
}
