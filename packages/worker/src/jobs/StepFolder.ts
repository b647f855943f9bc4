import type {
  HostResultStatus,
  JobEvent,
  JobStep,
} from '@internal/backstage-plugin-orch-common';

const HOST_RESULT: Record<string, HostResultStatus | undefined> = {
  runner_on_ok: 'ok',
  runner_on_failed: 'failed',
  runner_on_skipped: 'skipped',
  runner_on_unreachable: 'unreachable',
};

// Worst first: a step is as bad as its worst host.
const SEVERITY: HostResultStatus[] = ['unreachable', 'failed', 'changed', 'ok', 'skipped'];

/**
 * Folds job events into steps (one per task, per play) with per-host
 * results. Tracks which steps changed since the last `drain()`, so each
 * database batch upserts only those.
 */
export class StepFolder {
  private readonly steps: JobStep[] = [];
  private readonly dirty = new Set<number>();
  private play = '';

  constructor(private readonly indexBase = 0) {}

  add(event: JobEvent): void {
    if (event.type === 'playbook_on_play_start') {
      this.play = String(event.data?.play ?? event.stdout ?? '');
      return;
    }
    if (event.type === 'playbook_on_task_start' || event.type === 'playbook_on_handler_task_start') {
      this.closeCurrent(event.ts);
      const step: JobStep = {
        index: this.indexBase + this.steps.length + 1,
        play: this.play || String(event.data?.play ?? ''),
        task: event.task ?? String(event.data?.task ?? ''),
        status: 'running',
        hosts: {},
        startedAt: event.ts,
        firstSeq: event.seq,
      };
      this.steps.push(step);
      this.dirty.add(this.steps.length - 1);
      return;
    }
    if (event.type === 'playbook_on_stats') {
      this.closeCurrent(event.ts);
      return;
    }
    let result = HOST_RESULT[event.type];
    const current = this.steps[this.steps.length - 1];
    if (!result || !current || !event.host) return;
    if (result === 'ok' && event.data?.changed) result = 'changed';
    if (result === 'failed' && event.data?.ignore_errors) result = 'ok';
    current.hosts[event.host] = {
      status: result,
      ...(typeof event.data?.msg === 'string' ? { message: event.data.msg } : {}),
    };
    this.dirty.add(this.steps.length - 1);
  }

  /** Marks a still-running step as ended (end of the run). */
  finish(ts: string): void {
    this.closeCurrent(ts);
  }

  /** Steps changed since the last call. */
  drain(): JobStep[] {
    const out = [...this.dirty].sort((a, b) => a - b).map(i => ({ ...this.steps[i] }));
    this.dirty.clear();
    return out;
  }

  private closeCurrent(ts: string) {
    const current = this.steps[this.steps.length - 1];
    if (!current || current.finishedAt) return;
    current.finishedAt = ts;
    const statuses = Object.values(current.hosts).map(h => h.status);
    current.status = SEVERITY.find(s => statuses.includes(s)) ?? 'skipped';
    this.dirty.add(this.steps.length - 1);
  }
}
