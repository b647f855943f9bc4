import type { Redis } from 'ioredis';

/**
 * What a worker says about itself in each heartbeat.
 * @public
 */
export type WorkerInfo = {
  id: string;
  hostname: string;
  pid: number;
  concurrency: number;
  startedAt: string;
  /** Epoch milliseconds of the last heartbeat. */
  lastSeen: number;
};

/**
 * Worker presence in Redis: each worker writes a heartbeat into one hash;
 * readers count the workers whose heartbeat is recent. Kept in Redis, not in
 * a process's memory, so any backend replica sees every worker.
 * @public
 */
export class WorkerRegistry {
  private readonly key: string;

  constructor(private readonly redis: Redis, prefix: string) {
    this.key = `${prefix}:workers`;
  }

  /** Records a heartbeat for this worker. */
  async beat(info: Omit<WorkerInfo, 'lastSeen'>, now = Date.now()) {
    await this.redis.hset(
      this.key,
      info.id,
      JSON.stringify({ ...info, lastSeen: now }),
    );
  }

  /** Removes a worker that is shutting down cleanly. */
  async remove(id: string) {
    await this.redis.hdel(this.key, id);
  }

  /**
   * Workers whose last heartbeat is younger than `ttlMs`. Entries of workers
   * long gone are pruned on the way.
   */
  async live(ttlMs: number, now = Date.now()): Promise<WorkerInfo[]> {
    const all = await this.redis.hgetall(this.key);
    const live: WorkerInfo[] = [];
    const dead: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      let info: WorkerInfo | undefined;
      try {
        info = JSON.parse(raw);
      } catch {
        info = undefined;
      }
      if (info && now - info.lastSeen < ttlMs) {
        live.push(info);
      } else if (!info || now - info.lastSeen > ttlMs * 10) {
        dead.push(id);
      }
    }
    if (dead.length) {
      await this.redis.hdel(this.key, ...dead);
    }
    return live;
  }
}
