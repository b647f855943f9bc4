import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import type { RunnerEvent } from '../runner/executeRunbook';

const ERROR_EVENTS = new Set([
  'runner_on_failed',
  'runner_on_unreachable',
  'runner_item_on_failed',
]);
const WARNING_EVENTS = new Set(['warning', 'deprecated', 'runner_retry']);
const DEBUG_EVENTS = new Set(['verbose', 'debug']);

/** The few event_data fields worth keeping; `res` can be megabytes. */
function pickData(event: RunnerEvent): Record<string, unknown> | undefined {
  const d = event.event_data;
  if (!d) return undefined;
  const data: Record<string, unknown> = {};
  for (const k of ['play', 'task', 'host', 'task_action', 'duration', 'ignore_errors']) {
    if (d[k] !== undefined) data[k] = d[k];
  }
  const res = d.res;
  if (res && typeof res === 'object') {
    if (res.changed !== undefined) data.changed = res.changed;
    if (typeof res.msg === 'string') data.msg = res.msg.slice(0, 4000);
    if (typeof res.rc === 'number') data.rc = res.rc;
  }
  if (event.event === 'playbook_on_stats') {
    for (const k of ['ok', 'failures', 'changed', 'skipped', 'dark', 'rescued', 'ignored']) {
      if (d[k] !== undefined) data[k] = d[k];
    }
  }
  return Object.keys(data).length ? data : undefined;
}

/**
 * Turns an (already redacted) ansible-runner event into an Orch job event.
 * `seqBase` shifts the runner's counter for a retried attempt, so events of
 * two attempts never collide on (job, seq).
 */
export function toJobEvent(
  jobId: string,
  event: RunnerEvent,
  seqBase: number,
): JobEvent {
  const d = event.event_data ?? {};
  let level: JobEvent['level'] = 'info';
  if (ERROR_EVENTS.has(event.event) && !d.ignore_errors) level = 'error';
  else if (WARNING_EVENTS.has(event.event)) level = 'warning';
  else if (DEBUG_EVENTS.has(event.event)) level = 'debug';
  return {
    jobId,
    seq: seqBase + event.counter,
    ts: event.created ? new Date(event.created.endsWith('Z') ? event.created : `${event.created}Z`).toISOString() : new Date().toISOString(),
    level,
    type: event.event,
    host: typeof d.host === 'string' ? d.host : undefined,
    task: typeof d.task === 'string' ? d.task : undefined,
    stdout: event.stdout ?? '',
    data: pickData(event),
  };
}
