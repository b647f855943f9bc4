import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How many failures, in which sliding window, before a 429. */
export type ThrottleOptions = {
  maxFailures: number;
  windowSeconds: number;
  /** How long a client that signed in to an account stays "known" to it. */
  knownClientDays: number;
};

/**
 * Counts failed sign-ins in Redis, per account and per client, in a sliding
 * window (sorted sets of failure times), so every backend replica sees the
 * same counts.
 *
 * The limit is temporary by design: the oldest failure leaving the window
 * lifts it, and nothing is ever locked for good. So that a stranger failing
 * on purpose cannot lock an account's owner out, the per-account limit does
 * not apply to a client that has signed in to that account before; the
 * per-client limit always applies.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: ThrottleOptions,
  ) {}

  /** Seconds until the next attempt may be made, or 0 when it may now. */
  async retryAfter(email: string, client: string, now = Date.now()): Promise<number> {
    const account = this.accountKey(email);
    const known = await this.redis.sismember(this.knownKey(email), client);
    const keys = known ? [this.clientKey(client)] : [this.clientKey(client), account];
    let wait = 0;
    for (const key of keys) {
      wait = Math.max(wait, await this.waitFor(key, now));
    }
    return wait;
  }

  async recordFailure(email: string, client: string, now = Date.now()): Promise<void> {
    const windowMs = this.options.windowSeconds * 1000;
    const member = `${now}:${randomBytes(4).toString('hex')}`;
    const multi = this.redis.multi();
    for (const key of [this.accountKey(email), this.clientKey(client)]) {
      multi
        .zadd(key, now, member)
        .zremrangebyscore(key, '-inf', now - windowMs)
        .pexpire(key, windowMs);
    }
    await multi.exec();
  }

  /** A success clears the client's failures and remembers the client. */
  async recordSuccess(email: string, client: string): Promise<void> {
    const known = this.knownKey(email);
    await this.redis
      .multi()
      .del(this.clientKey(client))
      .sadd(known, client)
      .expire(known, this.options.knownClientDays * 86400)
      .exec();
  }

  private async waitFor(key: string, now: number): Promise<number> {
    const windowMs = this.options.windowSeconds * 1000;
    const since = now - windowMs;
    const recent = await this.redis.zrangebyscore(key, `(${since}`, '+inf', 'WITHSCORES');
    const count = recent.length / 2;
    if (count < this.options.maxFailures) {
      return 0;
    }
    // The limit lifts when enough failures have left the window.
    const scores = recent.filter((_, i) => i % 2 === 1).map(Number);
    const liftsAt = scores[count - this.options.maxFailures] + windowMs;
    return Math.max(1, Math.ceil((liftsAt - now) / 1000));
  }

  private accountKey(email: string) {
    return `${this.prefix}:auth:fail:account:${digest(email)}`;
  }

  private clientKey(client: string) {
    return `${this.prefix}:auth:fail:client:${digest(client)}`;
  }

  private knownKey(email: string) {
    return `${this.prefix}:auth:known:${digest(email)}`;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
