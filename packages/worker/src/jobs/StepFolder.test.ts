import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import { StepFolder } from './StepFolder';

let seq = 0;
const ev = (type: string, extra: Partial<JobEvent> = {}): JobEvent => ({
  jobId: 'j',
  seq: ++seq,
  ts: new Date(seq * 1000).toISOString(),
  level: 'info',
  type,
  stdout: '',
  ...extra,
});

describe('StepFolder', () => {
  it('makes one step per task with per-host results and the worst status', () => {
    const f = new StepFolder();
    f.add(ev('playbook_on_play_start', { data: { play: 'Deploy' } }));
    f.add(ev('playbook_on_task_start', { task: 'Prepare' }));
    f.add(ev('runner_on_ok', { host: 'a', data: { changed: true } }));
    f.add(ev('runner_on_ok', { host: 'b' }));
    f.add(ev('playbook_on_task_start', { task: 'Break' }));
    f.add(ev('runner_on_failed', { host: 'a', data: { msg: 'boom' } }));
    f.add(ev('runner_on_ok', { host: 'b' }));
    f.add(ev('playbook_on_stats'));

    const steps = f.drain();
    expect(steps.map(s => [s.index, s.play, s.task, s.status])).toEqual([
      [1, 'Deploy', 'Prepare', 'changed'],
      [2, 'Deploy', 'Break', 'failed'],
    ]);
    expect(steps[1].hosts).toEqual({
      a: { status: 'failed', message: 'boom' },
      b: { status: 'ok' },
    });
    expect(steps.every(s => s.finishedAt)).toBe(true);
    expect(f.drain()).toEqual([]);
  });
});
