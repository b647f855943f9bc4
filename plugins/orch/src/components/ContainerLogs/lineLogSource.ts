import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import type { LogLine } from '@internal/backstage-plugin-portainer-common';
import type { JobEventsPage, JobEventsQuery } from '../../api/jobsApi';
import type { ContainerLogHandlers } from '../../api/PortainerClient';
import type { LogSource } from '../LogViewer';

/** Where a followed container log comes from (PortainerApi.followLogs, bound). */
export type LineFollower = (
  handlers: ContainerLogHandlers,
  signal: AbortSignal,
) => Promise<void>;

/** A source that can also tell how the stream is doing. */
export type LineLogSource = LogSource & {
  /** Lines held so far. */
  readonly size: number;
};

const DIM = '\u001b[2m';
const UNDIM = '\u001b[22m';

/** `2026-11-26T04:20:01.123456789Z` → `04:20:01.123`, dimmed. */
function timePrefix(ts?: string): string {
  const m = ts ? /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(ts) : null;
  return m ? `${DIM}${m[1]}${UNDIM} ` : '';
}

/** A container's line as the log viewer's event: stderr shows as an error. */
export function lineToEvent(line: LogLine, seq: number): JobEvent {
  return {
    jobId: '',
    seq,
    ts: line.ts ?? '',
    level: line.stream === 'stderr' ? 'error' : 'info',
    type: line.stream,
    stdout: `${timePrefix(line.ts)}${line.line}`,
  };
}

/**
 * Container output for the job log viewer: lines numbered from 1 in the
 * order they came, held in memory (the viewer pages through them as it
 * would through a job's events), searched here (case-insensitive), and,
 * when `follow` is given, appended live as the stream delivers them.
 */
export function createLineLogSource(options: {
  lines?: LogLine[];
  follow?: LineFollower;
  onEnd?: (reason: string) => void;
  onConnection?: (state: 'open' | 'reconnecting') => void;
}): LineLogSource {
  const events: JobEvent[] = (options.lines ?? []).map((line, i) =>
    lineToEvent(line, i + 1),
  );
  const follower = options.follow;
  const source: LineLogSource = {
    get size() {
      return events.length;
    },
    async fetchEvents(query: JobEventsQuery): Promise<JobEventsPage> {
      const { after = 0, before = Infinity, limit = 500, q } = query;
      const needle = q?.toLowerCase();
      const items: JobEvent[] = [];
      const end = Math.min(events.length, before - 1);
      for (let seq = after + 1; seq <= end; seq++) {
        const event = events[seq - 1];
        if (needle && !event.stdout.toLowerCase().includes(needle)) continue;
        items.push(event);
        if (items.length === limit) {
          return seq < end ? { items, nextAfter: seq } : { items };
        }
      }
      return { items };
    },
    follow: follower
      ? async (_after, handlers, signal) => {
          await follower(
            {
              onLines: lines => {
                const first = events.length + 1;
                const batch = lines.map((line, i) =>
                  lineToEvent(line, first + i),
                );
                events.push(...batch);
                handlers.onEvents(batch);
              },
              onEnd: reason => {
                options.onEnd?.(reason);
                handlers.onEnd?.('SUCCESS');
              },
              onConnection: state => options.onConnection?.(state),
            },
            signal,
          );
        }
      : undefined,
  };
  return source;
}
