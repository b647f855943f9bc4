import http, { type IncomingMessage } from 'http';
import https from 'https';
import { abortError, DockerApiError } from './DockerApi';

export type HttpRequestOptions = {
  headers?: Record<string, string>;
  /** Bounds the call: until the whole body for buffered calls, until the headers for streams. */
  signal: AbortSignal;
  agent?: http.Agent;
  /** Read at most this many bytes of the body; the rest is dropped. */
  maxBytes?: number;
};

export type BufferedResponse = {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
};

/**
 * Opens a GET and resolves with the response once its headers arrive. Fails
 * with a {@link DockerApiError} when the server cannot be reached or the
 * signal aborts first. `what` names the call in errors.
 */
export function openRequest(
  url: URL,
  options: HttpRequestOptions,
  what: string,
): Promise<IncomingMessage> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.get(url, {
      headers: options.headers,
      agent: options.agent,
      signal,
    });
    req.once('response', resolve);
    req.once('error', (e: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(abortError(signal, what));
      else
        reject(
          new DockerApiError(
            `${what} failed: ${e.code ?? e.message}`,
            'unreachable',
          ),
        );
    });
  });
}

/** A GET whose body is read whole (up to `maxBytes`) within the signal's deadline. */
export async function requestBuffer(
  url: URL,
  options: HttpRequestOptions,
  what: string,
): Promise<BufferedResponse> {
  const res = await openRequest(url, options, what);
  const { signal } = options;
  const max = options.maxBytes ?? Infinity;
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch (e) {
    if (signal.aborted) throw abortError(signal, what);
    throw new DockerApiError(
      `${what} failed while reading: ${(e as Error).message}`,
      'unreachable',
    );
  } finally {
    if (truncated) res.destroy();
  }
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: Buffer.concat(chunks, size),
    truncated,
  };
}
