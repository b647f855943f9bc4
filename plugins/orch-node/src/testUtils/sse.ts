/**
 * One server-sent event as a client sees it.
 * @public
 */
export type SseMessage = { id?: string; event: string; data: any };

/**
 * A minimal SSE client over fetch, for tests: yields messages as they
 * arrive, and sends `Last-Event-ID` when resuming.
 * @public
 */
export async function* readSse(
  url: string,
  options: { lastEventId?: string; signal?: AbortSignal; headers?: Record<string, string> } = {},
): AsyncGenerator<SseMessage> {
  const response = await fetch(url, {
    headers: {
      Accept: 'text/event-stream',
      ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}),
      ...options.headers,
    },
    signal: options.signal,
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`SSE ${url} answered ${response.status}: ${await response.text()}`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as any as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || !line) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') {
          message.data += (hasData ? '\n' : '') + value;
          hasData = true;
        }
      }
      if (!hasData) continue;
      try {
        message.data = JSON.parse(message.data);
      } catch {
        // plain text data stays a string
      }
      yield message;
    }
  }
}
