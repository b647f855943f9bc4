import type { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, NotFoundError } from '@backstage/errors';
import type { OrchTokenResponse } from '@internal/backstage-plugin-orch-common';
import {
  checkPasswordPolicy,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
  type DatabaseSessionStore,
  type DatabaseUserStore,
  type OrchUser,
} from '@internal/backstage-plugin-orch-node';
import type { AuditService } from '../AuditService';
import { InputValidationError, TooManyRequestsError, type FieldError } from '../errors';
import type { BackstageTokens } from './BackstageTokens';
import type { DeviceCookie, LoginThrottle } from './LoginThrottle';

/** The one answer to every failed sign-in: no hint of which part was wrong. */
export const INVALID_CREDENTIALS = 'Invalid email or password';

const INVALID_REFRESH = 'Refresh token is invalid or expired';

/** What sign-in and refresh answer. */
export type TokenResponse = OrchTokenResponse;

/**
 * Where a request came from: the throttle's client key and the audit's,
 * and the device cookies it presented (see LoginThrottle).
 */
export type ClientInfo = { ip: string; description: string; devices?: string[] };

/** A successful sign-in: the answer, and the device cookie to set. */
export type LoginResult = { tokens: TokenResponse; device: DeviceCookie };

export type AuthServiceOptions = {
  users: DatabaseUserStore;
  sessions: DatabaseSessionStore;
  tokens: BackstageTokens;
  throttle: LoginThrottle;
  audit: AuditService;
  logger: LoggerService;
  /** Session length without "remember me", ms. */
  sessionTtlMs: number;
  /** Session length with "remember me", ms. */
  rememberTtlMs: number;
};

/** Normalises an email for lookup: trimmed, lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLocaleLowerCase('en-US');
}

function publicUser(user: OrchUser): TokenResponse['user'] {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    entityRef: user.entityRef,
    roles: user.roles,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(
  body: Record<string, unknown>,
  field: string,
  max: number,
  fields: FieldError[],
): string {
  const v = body[field];
  if (typeof v !== 'string' || v.length === 0) {
    fields.push({ field, message: 'is required' });
    return '';
  }
  if (v.length > max) {
    fields.push({ field, message: `must be at most ${max} characters` });
  }
  return v;
}

/**
 * Password sign-in: checks credentials under a throttle, opens sessions
 * with single-use refresh tokens, and hands out Backstage user tokens.
 * Passwords and tokens never reach a log line or the audit log.
 */
export class AuthService {
  constructor(private readonly o: AuthServiceOptions) {}

  async login(body: unknown, client: ClientInfo): Promise<LoginResult> {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const rawEmail = requireString(b, 'email', 320, fields);
    const password = requireString(b, 'password', 1024, fields);
    if (b.remember !== undefined && typeof b.remember !== 'boolean') {
      fields.push({ field: 'remember', message: 'must be a boolean' });
    }
    if (fields.length) {
      throw new InputValidationError('Invalid sign-in request', fields);
    }
    const email = normalizeEmail(rawEmail);
    const remember = b.remember === true;
    const attempt = {
      actor: `email:${email.slice(0, 200)}`,
      action: 'auth.login',
      client: client.description,
    };

    const retryAfter = await this.o.throttle.retryAfter(email, client.ip, client.devices);
    if (retryAfter > 0) {
      await this.o.audit.record({
        ...attempt,
        outcome: 'denied',
        metadata: { reason: 'rate-limited', retryAfterSeconds: retryAfter },
      });
      throw new TooManyRequestsError(
        `Too many failed sign-in attempts; try again in ${retryAfter} s`,
        retryAfter,
      );
    }

    // Unknown email, wrong password and disabled account cost the same
    // (one scrypt verify each) and answer the same.
    const user = await this.o.users.getByEmail(email);
    const matches = user
      ? await verifyPassword(password, user.passwordHash)
      : await verifyAgainstDummy(password);
    if (!user || !matches || user.status !== 'active') {
      await this.o.throttle.recordFailure(email, client.ip, client.devices);
      await this.o.audit.record({
        ...attempt,
        outcome: 'failure',
        target: user ? { type: 'user', id: user.id } : undefined,
        metadata: { reason: 'invalid-credentials' },
      });
      throw new AuthenticationError(INVALID_CREDENTIALS);
    }

    const now = new Date();
    const ttl = remember ? this.o.rememberTtlMs : this.o.sessionTtlMs;
    const { session, refreshToken } = await this.o.sessions.create({
      userId: user.id,
      remember,
      client: client.description,
      expiresAt: new Date(now.getTime() + ttl),
      now,
    });
    const access = await this.o.tokens.issue(user.id);
    const device = await this.o.throttle.recordSuccess(email, client.devices);
    await this.o.audit.record({
      actor: user.entityRef,
      action: 'auth.login',
      client: client.description,
      outcome: 'success',
      target: { type: 'user', id: user.id },
      metadata: { sessionId: session.id, remember },
    });
    return {
      tokens: {
        accessToken: access.token,
        refreshToken,
        expiresAt: access.expiresAt.toISOString(),
        refreshExpiresAt: session.expiresAt,
        remember,
        passwordChangeRequired: user.mustChangePassword,
        user: publicUser(user),
      },
      device,
    };
  }

  async refresh(body: unknown, client: ClientInfo): Promise<TokenResponse> {
    const token = this.refreshTokenOf(body);
    const rotated = await this.o.sessions.rotate(token);
    if (rotated.outcome === 'reused') {
      const user = await this.o.users.get(rotated.session.userId);
      this.o.logger.warn(
        `refresh token presented twice: session ${rotated.session.id} revoked`,
      );
      await this.o.audit.record({
        actor: user?.entityRef ?? `user-id:${rotated.session.userId}`,
        action: 'auth.refresh',
        client: client.description,
        outcome: 'denied',
        target: { type: 'user', id: rotated.session.userId },
        metadata: { reason: 'refresh-token-reuse', sessionId: rotated.session.id },
      });
      throw new AuthenticationError(INVALID_REFRESH);
    }
    if (rotated.outcome === 'invalid') {
      throw new AuthenticationError(INVALID_REFRESH);
    }
    const { session, refreshToken } = rotated;
    const user = await this.o.users.get(session.userId);
    if (!user || user.status !== 'active') {
      await this.o.sessions.revokeByToken(refreshToken, 'user-disabled');
      throw new AuthenticationError(INVALID_REFRESH);
    }
    const access = await this.o.tokens.issue(user.id);
    return {
      accessToken: access.token,
      refreshToken,
      expiresAt: access.expiresAt.toISOString(),
      refreshExpiresAt: session.expiresAt,
      remember: session.remember,
      passwordChangeRequired: user.mustChangePassword,
      user: publicUser(user),
    };
  }

  /** Ends the session of a refresh token. Unknown tokens end nothing. */
  async logout(body: unknown, client: ClientInfo): Promise<void> {
    const token = this.refreshTokenOf(body);
    const session = await this.o.sessions.revokeByToken(token, 'logout');
    if (session) {
      const user = await this.o.users.get(session.userId);
      await this.o.audit.record({
        actor: user?.entityRef ?? `user-id:${session.userId}`,
        action: 'auth.logout',
        client: client.description,
        outcome: 'success',
        target: { type: 'user', id: session.userId },
        metadata: { sessionId: session.id },
      });
    }
  }

  /**
   * Replaces the signed-in user's password. The current password is checked
   * under the same throttle as sign-in. Every other session of the user
   * ends; the one of `refreshToken`, when given, stays.
   */
  async changePassword(
    userEntityRef: string,
    body: unknown,
    client: ClientInfo,
  ): Promise<void> {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const current = requireString(b, 'currentPassword', 1024, fields);
    const next = requireString(b, 'newPassword', 1024, fields);
    if (b.refreshToken !== undefined && typeof b.refreshToken !== 'string') {
      fields.push({ field: 'refreshToken', message: 'must be a string' });
    }
    if (fields.length) {
      throw new InputValidationError('Invalid password change', fields);
    }
    const found = await this.o.users.getByEntityRef(userEntityRef);
    const user = found && (await this.o.users.getByEmail(found.email));
    if (!user || user.status !== 'active') {
      throw new NotFoundError('No password sign-in for this user');
    }
    const action = {
      actor: user.entityRef,
      action: 'user.password.change',
      client: client.description,
      target: { type: 'user', id: user.id },
    };
    const retryAfter = await this.o.throttle.retryAfter(
      user.email,
      client.ip,
      client.devices,
    );
    if (retryAfter > 0) {
      throw new TooManyRequestsError(
        `Too many failed attempts; try again in ${retryAfter} s`,
        retryAfter,
      );
    }
    if (!(await verifyPassword(current, user.passwordHash))) {
      await this.o.throttle.recordFailure(user.email, client.ip, client.devices);
      await this.o.audit.record({
        ...action,
        outcome: 'failure',
        metadata: { reason: 'wrong-current-password' },
      });
      throw new InputValidationError('Invalid password change', [
        { field: 'currentPassword', message: 'is not your current password' },
      ]);
    }
    const problems = checkPasswordPolicy(next, { email: user.email });
    if (next === current) {
      problems.push('must differ from the current password');
    }
    if (problems.length) {
      throw new InputValidationError(
        'Invalid password change',
        problems.map(message => ({ field: 'newPassword', message })),
      );
    }
    await this.o.users.update(user.id, {
      passwordHash: await hashPassword(next),
      mustChangePassword: false,
    });
    const kept =
      typeof b.refreshToken === 'string'
        ? await this.o.sessions.find(b.refreshToken)
        : undefined;
    const keep = kept?.userId === user.id ? kept.id : undefined;
    const ended = await this.o.sessions.revokeOthers(user.id, keep, 'password-changed');
    await this.o.audit.record({
      ...action,
      outcome: 'success',
      metadata: { sessionsEnded: ended },
    });
  }

  private refreshTokenOf(body: unknown): string {
    const b = isObject(body) ? body : {};
    const fields: FieldError[] = [];
    const token = requireString(b, 'refreshToken', 200, fields);
    if (fields.length) {
      throw new InputValidationError('Invalid request', fields);
    }
    return token;
  }
}
