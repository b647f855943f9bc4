import { Redis } from 'ioredis';
import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import { testRedis } from '../testUtils';
import { JobEventStream } from './JobEventStream';

const event = (seq: number): JobEvent => ({
  jobId: 'j1',
  seq,
  ts: new Date(0).toISOString(),
  level: 'info',
  type: 'runner_on_ok',
  stdout: `line ${seq}`,
});

describe('JobEventStream', () => {
  let env: Awaited<ReturnType<typeof testRedis>>;
  let redis: Redis;
  let reader: Redis;

  beforeAll(async () => {
    env = await testRedis();
    redis = new Redis(env.url);
    reader = new Redis(env.url);
  });
  afterAll(async () => {
    redis.disconnect();
    reader.disconnect();
    await env.close();
  });

  it('follows from a position: nothing before it, everything after it, in order, through the end', async () => {
    const stream = new JobEventStream({ redis, prefix: env.prefix, ttlAfterEndSeconds: 30 });
    await stream.publishEvents('j1', [event(1), event(2)]);
    const from = await stream.position('j1');
    await stream.publishEvents('j1', [event(3)]);
    await stream.publish('j1', { kind: 'status', status: 'SUCCESS' });
    await stream.publish('j1', { kind: 'end', status: 'SUCCESS' });

    const controller = new AbortController();
    const seen: string[] = [];
    for await (const item of stream.follow('j1', from, {
      reader,
      signal: controller.signal,
      blockMs: 100,
    })) {
      if ('idle' in item) continue;
      const m = item.message;
      seen.push(m.kind === 'events' ? m.events.map(e => e.seq).join(',') : m.kind);
      if (m.kind === 'end') controller.abort();
    }
    expect(seen).toEqual(['3', 'status', 'end']);
    expect(await redis.ttl(stream.key('j1'))).toBeGreaterThan(0);
  });

  it('says 0-0 for a stream that does not exist', async () => {
    const stream = new JobEventStream({ redis, prefix: env.prefix });
    expect(await stream.position('nope')).toBe('0-0');
  });
});
