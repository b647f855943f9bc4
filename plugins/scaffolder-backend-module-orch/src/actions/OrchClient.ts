import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { Job, JobStatus } from '@internal/backstage-plugin-orch-common';

/** One server-sent event of a job's live log. */
type SseMessage = { id?: string; event: string; data: string };

/**
 * The orch plugin's API as the scaffolder actions use it. Every call
 * carries a plugin request token made on behalf of the template's
 * initiator: Orch decides with that user's permissions and audits under
 * their name.
 * @public
 */
export class OrchClient {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  /** Calls the orch API; throws a `ResponseError` (with Orch's field list in the message) on a non-2xx answer. */
  async request<T = unknown>(
    credentials: BackstageCredentials,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${await this.baseUrl()}${path}`, {
      method,
      headers: {
        ...(await this.headers(credentials)),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      const fields = (error.body as { fields?: Array<{ field: string; message: string }> })
        .fields;
      if (fields?.length) {
        error.message = `${error.message} (${fields
          .map(f => `${f.field}: ${f.message}`)
          .join('; ')})`;
      }
      throw error;
    }
    // JSON.parse of this realm: the scaffolder copies outputs only when
    // they are plain records of its own realm.
    return { status: response.status, body: JSON.parse(await response.text()) as T };
  }

  /**
   * Follows a job's live log to its end, giving each line to `log`, then
   * returns the job as it ended. The stream replays from the start, so no
   * line is missed however late the call comes.
   */
  async follow(
    credentials: BackstageCredentials,
    jobId: string,
    logger: LoggerService,
    signal?: AbortSignal,
  ): Promise<Job> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
    const cursor: { lastId?: string } = {};
    const interrupted = (e: Error) => {
      if (signal?.aborted) throw e;
      logger.warn(`live log of job ${jobId} interrupted: ${e.message}`);
      return undefined;
    };
    // A dropped connection resumes after the last line seen.
    for (let attempt = 0; attempt < 100; attempt++) {
      const ended = await this.readStream(credentials, path, cursor, logger, signal).catch(
        interrupted,
      );
      if (ended) break;
      const { body } = await this.request<{ job: Job }>(credentials, 'GET', path, undefined, signal);
      if (isFinal(body.job.status)) break;
    }
    const { body } = await this.request<{ job: Job }>(credentials, 'GET', path, undefined, signal);
    return body.job;
  }

  private async readStream(
    credentials: BackstageCredentials,
    path: string,
    cursor: { lastId?: string },
    logger: LoggerService,
    signal: AbortSignal | undefined,
  ): Promise<JobStatus | undefined> {
    const response = await fetch(`${await this.baseUrl()}${path}/logs/stream`, {
      headers: {
        ...(await this.headers(credentials)),
        Accept: 'text/event-stream',
        ...(cursor.lastId ? { 'Last-Event-ID': cursor.lastId } : {}),
      },
      signal,
    });
    if (!response.ok || !response.body) {
      throw await ResponseError.fromResponse(response);
    }
    for await (const message of parseSse(response.body as unknown as AsyncIterable<Uint8Array>)) {
      if (message.id) cursor.lastId = message.id;
      const data = JSON.parse(message.data);
      if (message.event === 'message') {
        const line = String(data.stdout ?? '').trimEnd();
        if (!line) continue;
        const text = data.host ? `[${data.host}] ${line}` : line;
        if (data.level === 'error') logger.error(text);
        else if (data.level === 'warning') logger.warn(text);
        else logger.info(text);
      } else if (message.event === 'status') {
        logger.info(`job status: ${data.status}${data.error ? ` (${data.error})` : ''}`);
      } else if (message.event === 'end') {
        return data.status as JobStatus;
      }
    }
    return undefined;
  }

  private async baseUrl() {
    return this.deps.discovery.getBaseUrl('orch');
  }

  private async headers(credentials: BackstageCredentials) {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'orch',
    });
    return { Authorization: `Bearer ${token}` };
  }
}

function isFinal(status: JobStatus) {
  return status === 'SUCCESS' || status === 'ERROR' || status === 'CANCELED';
}

/** Server-sent events from a byte stream (comments and empty events skipped). */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      message.data = data.join('\n');
      yield message;
    }
  }
}
