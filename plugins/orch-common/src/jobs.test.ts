import { JOB_STATUSES, isFinalJobStatus } from './jobs';
import { orchPermissions } from './permissions';

describe('job statuses', () => {
  it('ends only in SUCCESS, ERROR or CANCELED', () => {
    expect(JOB_STATUSES.filter(isFinalJobStatus)).toEqual([
      'SUCCESS',
      'ERROR',
      'CANCELED',
    ]);
  });
});

describe('orchPermissions', () => {
  it('uses unique dotted names under orch.', () => {
    const names = orchPermissions.map(p => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(/^orch\.[a-z]+\.[a-z]+$/);
    }
  });
});
