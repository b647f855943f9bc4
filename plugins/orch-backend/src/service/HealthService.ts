import type { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  HealthCheckName,
  HealthCheckResult,
  HealthReport,
} from '@internal/backstage-plugin-orch-common';
import type { WorkerRegistry } from '@internal/backstage-plugin-orch-node';
import type { Redis } from 'ioredis';

/** @public */
export type HealthServiceOptions = {
  database: DatabaseService;
  redis: Redis;
  workers: WorkerRegistry;
  workerTtlMs: number;
  /**
   * A check that takes longer than this fails, so the route answers even when
   * a dependency hangs.
   * @defaultValue 2000
   */
  checkTimeoutMs?: number;
};

class CheckFailed extends Error {}

/**
 * Answers "can Orch do its work right now?": the database answers, Redis
 * answers, and at least one worker has sent a recent heartbeat. Every check
 * runs on each call (no cache), so a dependency that comes back is seen at
 * once, without restarting the backend.
 * @public
 */
export class HealthService {
  private readonly timeoutMs: number;

  constructor(private readonly options: HealthServiceOptions) {
    this.timeoutMs = options.checkTimeoutMs ?? 2000;
  }

  async report(): Promise<HealthReport> {
    const [database, redis, worker] = await Promise.all([
      this.run(() => this.checkDatabase()),
      this.run(() => this.checkRedis()),
      this.run(() => this.checkWorkers()),
    ]);
    const checks: Record<HealthCheckName, HealthCheckResult> = {
      database,
      redis,
      worker,
    };
    const ok = Object.values(checks).every(c => c.status === 'ok');
    return { status: ok ? 'ok' : 'error', checks };
  }

  private async checkDatabase() {
    const db = await this.options.database.getClient();
    await db.raw('select 1');
    return undefined;
  }

  private async checkRedis() {
    const pong = await this.options.redis.ping();
    if (pong !== 'PONG') {
      throw new CheckFailed(`unexpected answer to PING`);
    }
    return undefined;
  }

  private async checkWorkers() {
    const live = await this.options.workers.live(this.options.workerTtlMs);
    if (live.length === 0) {
      throw new CheckFailed(
        `no worker heartbeat in the last ${Math.round(
          this.options.workerTtlMs / 1000,
        )}s`,
      );
    }
    return {
      workers: live.length,
      concurrency: live.reduce((n, w) => n + w.concurrency, 0),
    };
  }

  private async run(
    check: () => Promise<Record<string, unknown> | undefined>,
  ): Promise<HealthCheckResult> {
    const start = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const details = await Promise.race([
        check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new CheckFailed(`timed out after ${this.timeoutMs}ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      return {
        status: 'ok',
        latencyMs: Date.now() - start,
        ...(details ? { details } : {}),
      };
    } catch (e) {
      return {
        status: 'error',
        latencyMs: Date.now() - start,
        error: describeError(e),
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

// Driver errors can embed connection strings (with passwords); keep only the
// first line of the message and strip anything that looks like a URL's
// credentials.
function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message
    .split('\n')[0]
    .replace(/\/\/[^/@\s]+@/g, '//***@')
    .slice(0, 200);
}
