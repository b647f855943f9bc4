import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How many failures, in which sliding window, before a 429. */
export type ThrottleOptions = {
  /** Failed sign-ins per account (and per known device) within the window. */
  maxFailures: number;
  windowSeconds: number;
  /** How long a device cookie from a successful sign-in stays valid. */
  knownClientDays: number;
  /**
   * Distinct accounts one client address may fail on within the window
   * (password spraying); far above `maxFailures` so that a shared address
   * (a NAT, or a proxy without `trustProxyHops`) is not one person's typos.
   */
  clientMaxAccounts: number;
};

/** A device cookie to hand to the browser after a successful sign-in. */
export type DeviceCookie = { name: string; value: string; maxAgeSeconds: number };

/** Name prefix of the per-account device cookies. */
export const DEVICE_COOKIE_PREFIX = 'orch_device_';

/**
 * Counts failed sign-ins in Redis, in sliding windows (sorted sets of
 * failure times), so every backend replica sees the same counts.
 *
 * - Per account: `maxFailures` failures lock the account for strangers.
 * - Per known device (OWASP "device cookies"): a browser that signed in to
 *   an account carries a signed cookie bound to that account. With it, the
 *   account's and the address's limits do not apply; its own failures count
 *   against the device only, so strangers cannot lock the owner out.
 * - Per client address: counts the distinct accounts failed on, up to
 *   `clientMaxAccounts`, to stop spraying without one person's typos
 *   locking out everyone behind the same address.
 *
 * The limits are temporary by design: the oldest failure leaving the window
 * lifts them, and nothing is ever locked for good.
 */
export class LoginThrottle {
  private key?: Promise<Buffer>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: ThrottleOptions,
  ) {}

  /**
   * Seconds until the next attempt may be made, or 0 when it may now.
   * `devices`: the device cookie values the request presented.
   */
  async retryAfter(
    email: string,
    client: string,
    devices: string[] = [],
    now = Date.now(),
  ): Promise<number> {
    const device = await this.deviceOf(email, devices, now);
    if (device) {
      return this.waitFor(this.deviceKey(device), this.options.maxFailures, now);
    }
    return Math.max(
      await this.waitFor(this.accountKey(email), this.options.maxFailures, now),
      await this.waitFor(this.clientKey(client), this.options.clientMaxAccounts, now),
    );
  }

  async recordFailure(
    email: string,
    client: string,
    devices: string[] = [],
    now = Date.now(),
  ): Promise<void> {
    const windowMs = this.options.windowSeconds * 1000;
    const device = await this.deviceOf(email, devices, now);
    const multi = this.redis.multi();
    const add = (key: string, member: string) =>
      multi
        .zadd(key, now, member)
        .zremrangebyscore(key, '-inf', now - windowMs)
        .pexpire(key, windowMs);
    const member = `${now}:${randomBytes(4).toString('hex')}`;
    if (device) {
      add(this.deviceKey(device), member);
    } else {
      add(this.accountKey(email), member);
      // One member per account: the score is its latest failure.
      add(this.clientKey(client), digest(email));
    }
    await multi.exec();
  }

  /**
   * A success clears the device's failures and returns a fresh device
   * cookie for the account. The address's count is kept: a sprayer who owns
   * one account must not reset it by signing in to it.
   */
  async recordSuccess(
    email: string,
    devices: string[] = [],
    now = Date.now(),
  ): Promise<DeviceCookie> {
    const device = await this.deviceOf(email, devices, now);
    if (device) {
      await this.redis.del(this.deviceKey(device));
    }
    const maxAgeSeconds = Math.round(this.options.knownClientDays * 86400);
    const expires = Math.floor(now / 1000) + maxAgeSeconds;
    const payload = `v1.${digest(email)}.${randomBytes(16).toString('base64url')}.${expires}`;
    const mac = await this.sign(payload);
    return {
      name: deviceCookieName(email),
      value: `${payload}.${mac}`,
      maxAgeSeconds,
    };
  }

  /** The nonce of the first valid device cookie for `email`, if any. */
  private async deviceOf(
    email: string,
    devices: string[],
    now: number,
  ): Promise<string | undefined> {
    for (const cookie of devices.slice(0, 20)) {
      const parts = cookie.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1' || parts[1] !== digest(email)) {
        continue;
      }
      const expires = Number(parts[3]);
      if (!Number.isFinite(expires) || expires * 1000 <= now) {
        continue;
      }
      const expected = Buffer.from(await this.sign(parts.slice(0, 4).join('.')));
      const given = Buffer.from(parts[4]);
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        return parts[2];
      }
    }
    return undefined;
  }

  private async sign(payload: string): Promise<string> {
    return createHmac('sha256', await this.signingKey())
      .update(payload)
      .digest('base64url');
  }

  /**
   * A random key kept in Redis under the prefix: every replica shares it
   * with no new secret to deploy, and the master key is never used for a
   * second purpose. Losing Redis only forgets the devices (their owners
   * fall back to the per-account limit until they sign in again), as it
   * forgets the failure counts.
   */
  private signingKey(): Promise<Buffer> {
    if (!this.key) {
      const key = `${this.prefix}:auth:device-key`;
      this.key = (async () => {
        await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
        const stored = await this.redis.get(key);
        if (!stored) {
          throw new Error('device cookie key missing from Redis');
        }
        return Buffer.from(stored, 'hex');
      })();
      this.key.catch(() => {
        this.key = undefined;
      });
    }
    return this.key;
  }

  private async waitFor(key: string, max: number, now: number): Promise<number> {
    const windowMs = this.options.windowSeconds * 1000;
    const since = now - windowMs;
    const recent = await this.redis.zrangebyscore(key, `(${since}`, '+inf', 'WITHSCORES');
    const count = recent.length / 2;
    if (count < max) {
      return 0;
    }
    // The limit lifts when enough failures have left the window.
    const scores = recent.filter((_, i) => i % 2 === 1).map(Number);
    const liftsAt = scores[count - max] + windowMs;
    return Math.max(1, Math.ceil((liftsAt - now) / 1000));
  }

  private accountKey(email: string) {
    return `${this.prefix}:auth:fail:account:${digest(email)}`;
  }

  private clientKey(client: string) {
    return `${this.prefix}:auth:fail:client-accounts:${digest(client)}`;
  }

  private deviceKey(nonce: string) {
    return `${this.prefix}:auth:fail:device:${digest(nonce)}`;
  }
}

/** One cookie per account, so one browser can be known to several. */
export function deviceCookieName(email: string): string {
  return `${DEVICE_COOKIE_PREFIX}${digest(email).slice(0, 16)}`;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
