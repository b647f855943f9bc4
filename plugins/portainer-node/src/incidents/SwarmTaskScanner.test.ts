import { classifyTaskFailure } from './SwarmTaskScanner';

describe('classifyTaskFailure', () => {
  it('classes the errors of tasks that fail before a container runs', () => {
    expect(
      classifyTaskFailure('rejected', 'No such image: orch-missing/nope:never'),
    ).toBe('image_not_found');
    expect(
      classifyTaskFailure(
        'rejected',
        'pull access denied for x, repository does not exist',
      ),
    ).toBe('image_not_found');
    expect(
      classifyTaskFailure(
        'pending',
        'no suitable node (scheduling constraints not satisfied on 1 node)',
      ),
    ).toBe('no_suitable_node');
    expect(
      classifyTaskFailure(
        'failed',
        'starting container failed: error mounting "/x" to rootfs',
      ),
    ).toBe('start_failed');
    expect(
      classifyTaskFailure('rejected', 'invalid mount config for type "bind"'),
    ).toBe('task_rejected');
  });

  it('leaves running, waiting and exited tasks to the container rules', () => {
    expect(classifyTaskFailure('running', '')).toBeUndefined();
    expect(classifyTaskFailure('pending', '')).toBeUndefined();
    expect(
      classifyTaskFailure('preparing', 'No such image: x'),
    ).toBeUndefined();
    expect(classifyTaskFailure('shutdown', 'No such image: x')).toBeUndefined();
    // The container ran and exited: its `die` opened the incident.
    expect(
      classifyTaskFailure('failed', 'task: non-zero exit (3)'),
    ).toBeUndefined();
  });
});
