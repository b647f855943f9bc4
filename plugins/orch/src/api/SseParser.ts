/** One server-sent event. `event` is `message` when the server named none. */
export type SseMessage = {
  event: string;
  data: string;
  /** The `id:` of this message; undefined when it carried none. */
  id?: string;
};

/**
 * An incremental parser of `text/event-stream` (the WHATWG rules: lines end
 * with CRLF, LF or CR; `data:` lines join with LF; a blank line dispatches;
 * `:` starts a comment). EventSource cannot send an Authorization header, so
 * the job page reads the stream with fetch and parses it here.
 */
export class SseParser {
  /** The last `id:` seen, as EventSource keeps it for reconnection. */
  lastEventId?: string;
  /** The reconnection delay the server asked for with `retry:`, in ms. */
  retry?: number;

  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id?: string;

  /** Feeds decoded text; returns the messages it completed. */
  feed(chunk: string): SseMessage[] {
    const text = this.buffer + chunk;
    // A CR at the very end may be the first half of a CRLF: wait for more.
    let end = text.length;
    if (text.endsWith('\r')) end -= 1;
    const lastBreak = Math.max(
      text.lastIndexOf('\n', end - 1),
      text.lastIndexOf('\r', end - 1),
    );
    if (lastBreak < 0) {
      this.buffer = text;
      return [];
    }
    this.buffer = text.slice(lastBreak + 1);
    // Up to and with the last line break: the split leaves one empty
    // string after it, which is not a line.
    const lines = text.slice(0, lastBreak + 1).split(/\r\n|\r|\n/);
    lines.pop();
    const out: SseMessage[] = [];
    for (const line of lines) {
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseMessage[]) {
    if (line === '') {
      if (this.data.length > 0) {
        out.push({
          event: this.event || 'message',
          data: this.data.join('\n'),
          id: this.id,
        });
      }
      this.data = [];
      this.event = '';
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.id = value;
          this.lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
    }
  }
}
