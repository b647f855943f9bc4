import { orchPlugin } from './plugin';

describe('orch', () => {
  it('should export plugin', () => {
    expect(orchPlugin).toBeDefined();
  });
});
