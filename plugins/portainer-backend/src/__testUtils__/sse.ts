import {
  readSse,
  type SseMessage,
} from '@internal/backstage-plugin-orch-node/testUtils';

export { readSse, type SseMessage };

/** Reads messages until `until` holds (inclusive) or the stream ends; then hangs up. */
export async function collectSse(
  url: string,
  until: (m: SseMessage, all: SseMessage[]) => boolean,
  options: { lastEventId?: string; timeoutMs?: number } = {},
): Promise<SseMessage[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(),
    options.timeoutMs ?? 20_000,
  );
  const messages: SseMessage[] = [];
  try {
    for await (const m of readSse(url, {
      lastEventId: options.lastEventId,
      signal: controller.signal,
    })) {
      messages.push(m);
      if (until(m, messages)) break;
    }
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    throw new Error(`SSE ${url} timed out after ${messages.length} messages`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return messages;
}
