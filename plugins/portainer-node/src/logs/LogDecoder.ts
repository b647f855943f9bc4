import type { LogLine } from '@internal/backstage-plugin-portainer-common';
import { StringDecoder } from 'string_decoder';

type StreamName = LogLine['stream'];

// Docker's timestamp prefix (RFC 3339, nanoseconds): `2026-11-26T01:16:01.827346466Z `.
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

const HEADER_SIZE = 8;

/**
 * Turns the bytes of Docker's `/containers/{id}/logs` into lines, chunk by
 * chunk, for snapshots and followed streams alike.
 *
 * Without a TTY the output is multiplexed: frames of an 8-byte header
 * (stream byte 1 stdout or 2 stderr, three zero bytes, payload size as
 * uint32 big-endian) and the payload. A chunk may end anywhere in a frame
 * and a line may span frames, so each stream keeps its partial line and its
 * own UTF-8 decoder. With a TTY the output is one raw stream: stdout.
 * @public
 */
export class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<StreamName, string> = {
    stdout: '',
    stderr: '',
  };
  private readonly decoders: Record<StreamName, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  constructor(
    private readonly options: {
      tty: boolean;
      /** Whether lines start with Docker's timestamp, to be split off into `ts`. */
      timestamps: boolean;
      /** Longer lines are cut and end with `…`. */
      maxLineLength?: number;
    },
  ) {}

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): LogLine[] {
    const out: LogLine[] = [];
    if (this.options.tty) {
      this.text('stdout', chunk, out);
      return out;
    }
    let buffer = this.pending.length
      ? Buffer.concat([this.pending, chunk])
      : chunk;
    while (buffer.length >= HEADER_SIZE) {
      const size = buffer.readUInt32BE(4);
      if (buffer.length < HEADER_SIZE + size) break;
      // Stream 0 (stdin) never carries output; anything but 2 is stdout.
      const stream: StreamName = buffer[0] === 2 ? 'stderr' : 'stdout';
      this.text(stream, buffer.subarray(HEADER_SIZE, HEADER_SIZE + size), out);
      buffer = buffer.subarray(HEADER_SIZE + size);
    }
    this.pending = Buffer.from(buffer);
    return out;
  }

  /** Ends the input: the partial lines left, if any. */
  end(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = '';
      if (rest) out.push(this.line(stream, rest));
    }
    this.pending = Buffer.alloc(0);
    return out;
  }

  private text(stream: StreamName, bytes: Buffer, out: LogLine[]) {
    const text = this.partial[stream] + this.decoders[stream].write(bytes);
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const part of parts) out.push(this.line(stream, part));
    const max = this.options.maxLineLength ?? 16384;
    // A line without its end yet, far too long: emit it cut rather than
    // holding it without bound.
    if (this.partial[stream].length > max * 4) {
      out.push(this.line(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
  }

  private line(stream: StreamName, raw: string): LogLine {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let ts: string | undefined;
    if (this.options.timestamps) {
      const m = TIMESTAMP.exec(text);
      if (m) {
        ts = m[1];
        text = text.slice(m[0].length);
      }
    }
    const max = this.options.maxLineLength ?? 16384;
    if (text.length > max) text = `${text.slice(0, max)}…`;
    return ts === undefined
      ? { stream, line: text }
      : { ts, stream, line: text };
  }
}

/**
 * Docker's `since` (`seconds.nanoseconds`) for an RFC 3339 time such as a
 * log line's `ts`, plus `plusNanos` (1 to resume strictly after a line).
 * Undefined when `value` is not such a time.
 * @public
 */
export function dockerSince(value: string, plusNanos = 0): string | undefined {
  const m =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
      value,
    );
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  let seconds = BigInt(Math.floor(ms / 1000));
  let nanos = BigInt((m[2] ?? '').padEnd(9, '0')) + BigInt(plusNanos);
  seconds += nanos / 1_000_000_000n;
  nanos %= 1_000_000_000n;
  return `${seconds}.${nanos.toString().padStart(9, '0')}`;
}

/**
 * Decodes a whole `/containers/{id}/logs` answer (a snapshot) into lines.
 * @public
 */
export function parseDockerLogs(
  bytes: Buffer,
  options: { tty: boolean; timestamps: boolean; maxLineLength?: number },
): LogLine[] {
  const decoder = new LogDecoder(options);
  return [...decoder.push(bytes), ...decoder.end()];
}
