import type { LogLine } from '@internal/backstage-plugin-portainer-common';
import { PortainerClient } from './PortainerClient';

const encoder = new TextEncoder();

/** A response whose body arrives in the given chunks. */
function sse(chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream' },
  });
}

function client(answer: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const api = new PortainerClient({
    discoveryApi: {
      getBaseUrl: async id => `http://orch.test/api/${id}`,
    },
    fetchApi: {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ url: String(input), init });
        return answer(String(input), init);
      },
    },
  });
  return { api, calls };
}

describe('PortainerClient.followLogs', () => {
  it('decodes the stream line by line, stdout and stderr apart, across chunk boundaries', async () => {
    const ts1 = '2026-11-26T04:00:00.000000001Z';
    const ts2 = '2026-11-26T04:00:00.000000002Z';
    const ts3 = '2026-11-26T04:00:01.5Z';
    const stream = [
      'retry: 2000\n\n',
      `id: ${ts1}\ndata: {"stream":"stdout","line":"listening on :80`,
      `80"}\n\nid: ${ts2}\ndata: {"stream":"stderr","line":"warn: \\u001b[33mslow\\u001b[0m"}\n`,
      `\n: ping\n\nid: ${ts3}\r\ndata: {"stream":"stdout","line":"GET / 200"}\r\n\r\n`,
      'event: end\ndata: {"containerId":"c1","reason":"output ended"}\n\n',
    ];
    const { api, calls } = client(() => sse(stream));
    const batches: LogLine[][] = [];
    const onEnd = jest.fn();
    await api.followLogs(
      'local',
      'c1',
      { tail: 100 },
      { onLines: lines => batches.push(lines), onEnd },
      new AbortController().signal,
    );
    expect(batches.flat()).toEqual([
      { ts: ts1, stream: 'stdout', line: 'listening on :8080' },
      { ts: ts2, stream: 'stderr', line: 'warn: \u001b[33mslow\u001b[0m' },
      { ts: ts3, stream: 'stdout', line: 'GET / 200' },
    ]);
    expect(onEnd).toHaveBeenCalledWith('output ended');
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(
      'http://orch.test/api/portainer/v1/containers/c1/logs/stream?endpointId=local&tail=100',
    );
  });

  it('resumes after the last line seen when the connection drops', async () => {
    const ts = '2026-11-26T04:00:00.000000001Z';
    let n = 0;
    const { api, calls } = client(() => {
      n++;
      if (n === 1) {
        // Dropped after one line, without `end`.
        return sse([
          'retry: 1\n\n',
          `id: ${ts}\ndata: {"stream":"stdout","line":"one"}\n\n`,
        ]);
      }
      return sse([
        'data: {"stream":"stdout","line":"two","ts":"2026-11-26T04:00:02Z"}\n\n',
        'event: end\ndata: {"reason":"output ended"}\n\n',
      ]);
    });
    const lines: string[] = [];
    const states: string[] = [];
    await api.followLogs(
      'local',
      'c1',
      {},
      {
        onLines: batch => lines.push(...batch.map(l => l.line)),
        onConnection: state => states.push(state),
      },
      new AbortController().signal,
    );
    expect(lines).toEqual(['one', 'two']);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    const headers = calls[1].init?.headers as Record<string, string>;
    expect(headers['Last-Event-ID']).toBe(ts);
    expect(
      (calls[0].init?.headers as Record<string, string>)['Last-Event-ID'],
    ).toBeUndefined();
  });

  it('rejects a refusal (403) instead of retrying', async () => {
    const { api, calls } = client(
      () =>
        new Response(
          JSON.stringify({
            error: { name: 'NotAllowedError', message: 'Forbidden' },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    await expect(
      api.followLogs(
        'local',
        'c1',
        {},
        { onLines: () => {} },
        new AbortController().signal,
      ),
    ).rejects.toThrow(/403/);
    expect(calls).toHaveLength(1);
  });
});

describe('PortainerClient incidents', () => {
  it('asks for several statuses at once and walks pages by cursor', async () => {
    const { api, calls } = client(
      () =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    await api.listIncidents({
      status: ['open', 'acknowledged'],
      stack: 'shop',
      cursor: 'abc',
      limit: 25,
    });
    const url = new URL(calls[0].url);
    expect(url.pathname).toBe('/api/portainer/v1/incidents');
    expect(url.searchParams.get('status')).toBe('open,acknowledged');
    expect(url.searchParams.get('stack')).toBe('shop');
    expect(url.searchParams.get('cursor')).toBe('abc');
    expect(url.searchParams.get('limit')).toBe('25');
  });

  it('posts ack and resolve', async () => {
    const { api, calls } = client(
      () =>
        new Response(JSON.stringify({ id: 'i/1' }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    await api.acknowledgeIncident('i/1');
    await api.resolveIncident('i/1');
    expect(calls.map(c => [c.init?.method, c.url])).toEqual([
      ['POST', 'http://orch.test/api/portainer/v1/incidents/i%2F1/ack'],
      ['POST', 'http://orch.test/api/portainer/v1/incidents/i%2F1/resolve'],
    ]);
  });
});
