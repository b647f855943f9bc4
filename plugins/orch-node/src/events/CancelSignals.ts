import type { Redis } from 'ioredis';

/**
 * Tells workers at once that a running job was canceled (Redis pub/sub).
 * The database flag `cancel_requested` is the durable record; workers also
 * read it with each heartbeat, so a missed message only delays the cancel.
 * @public
 */
export class CancelSignals {
  constructor(private readonly prefix: string) {}

  get channel(): string {
    return `${this.prefix}:cancel`;
  }

  async publish(redis: Redis, jobId: string): Promise<void> {
    await redis.publish(this.channel, jobId);
  }

  /**
   * Calls `onCancel(jobId)` for each cancel. `subscriber` becomes a
   * subscriber connection: give it a dedicated one.
   */
  async subscribe(subscriber: Redis, onCancel: (jobId: string) => void) {
    subscriber.on('message', (channel: string, jobId: string) => {
      if (channel === this.channel) onCancel(jobId);
    });
    await subscriber.subscribe(this.channel);
  }
}
