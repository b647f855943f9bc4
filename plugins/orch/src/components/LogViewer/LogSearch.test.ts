import type { JobEventsQuery } from '../../api/jobsApi';
import { LogSearch } from './LogSearch';

function searcher(matches: number[], total: number) {
  const queries: JobEventsQuery[] = [];
  const search = new LogSearch(
    async query => {
      queries.push(query);
      const { after = 0, before = Infinity, limit = 500 } = query;
      const found = matches.filter(s => s > after && s < before && s <= total);
      const items = found.slice(0, limit).map(seq => ({
        jobId: 'j',
        seq,
        ts: '',
        level: 'info' as const,
        type: 'x',
        stdout: '',
      }));
      return found.length > limit
        ? { items, nextAfter: items[limit - 1].seq }
        : { items };
    },
    () => {},
  );
  return { search, queries };
}

describe('LogSearch', () => {
  it('goes window by window to the first match, then wraps once all are known', async () => {
    const { search, queries } = searcher([450_000, 900_000], 1_000_000);
    expect(await search.start('x', 1_000_000)).toBe(450_000);
    expect(queries.every(q => q.before! - q.after! <= 1_000_001)).toBe(true);
    expect(await search.next()).toBe(900_000);
    await new Promise(r => setTimeout(r, 0));
    expect(search.state.done).toBe(true);
    expect(await search.next()).toBe(450_000);
    expect(await search.previous()).toBe(900_000);
  });

  it('says there is no match after searching everything', async () => {
    const { search } = searcher([], 300_000);
    expect(await search.start('nothing', 300_000)).toBeUndefined();
    expect(search.state).toMatchObject({
      done: true,
      matches: [],
      scannedTo: 300_000,
    });
  });
});
