import { logsReadPermission } from '@internal/backstage-plugin-portainer-common';
import type { Router } from 'express';
import type { PortainerServices } from '../router';
import { dockerSince } from '@internal/backstage-plugin-portainer-node';
import type { Guards } from './guards';
import { QueryReader } from './params';

const HEARTBEAT_MS = 15_000;

/** Container logs: a snapshot as JSON, or followed as server-sent events. */
export function logRoutes(
  router: Router,
  { logs, config }: PortainerServices,
  { authorize }: Guards,
) {
  router.get('/v1/containers/:id/logs', async (req, res) => {
    await authorize(req, logsReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    const id = q.container(req.params.id);
    const request = {
      tail: q.int('tail', config.logs.maxTail),
      since: q.since(),
      timestamps: q.bool('timestamps'),
    };
    q.done();
    res.json(await logs.snapshot(endpointId, id, request));
  });

  // Each line is one `message` event with the line's Docker timestamp as
  // its id: a client that reconnects with Last-Event-ID resumes right after
  // the last line it saw. `end` comes when the container's output ends.
  router.get('/v1/containers/:id/logs/stream', async (req, res) => {
    await authorize(req, logsReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    const id = q.container(req.params.id);
    const tail = q.int('tail', config.logs.maxTail);
    let since = q.since();
    const timestamps = q.bool('timestamps') ?? false;
    q.done();
    const lastEventId = req.get('Last-Event-ID');
    const resumeAt = lastEventId ? dockerSince(lastEventId, 1) : undefined;
    if (resumeAt) since = resumeAt;

    const controller = new AbortController();
    res.on('close', () => controller.abort());
    // Errors up to here (404, 502, 503) answer as JSON.
    const followed = await logs.follow(
      endpointId,
      id,
      { tail: resumeAt ? undefined : tail, since },
      controller.signal,
    );

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const write = (chunk: string) =>
      new Promise<void>(resolve => {
        if (controller.signal.aborted || res.write(chunk)) resolve();
        else res.once('drain', resolve);
      });
    const heartbeat = setInterval(() => {
      if (!controller.signal.aborted) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    try {
      await write('retry: 2000\n\n');
      for await (const batch of followed.batches) {
        let chunk = '';
        for (const line of batch) {
          const data = timestamps
            ? line
            : { stream: line.stream, line: line.line };
          chunk += `${line.ts ? `id: ${line.ts}\n` : ''}data: ${JSON.stringify(
            data,
          )}\n\n`;
        }
        await write(chunk);
      }
      await write(
        `event: end\ndata: ${JSON.stringify({
          containerId: followed.containerId,
          reason: 'output ended',
        })}\n\n`,
      );
    } catch (e) {
      if (!controller.signal.aborted) {
        await write(
          `event: error\ndata: ${JSON.stringify({
            message: (e as Error).message,
          })}\n\n`,
        );
      }
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
}
