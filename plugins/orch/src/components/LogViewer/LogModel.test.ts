import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import { LineIndex } from './LineIndex';
import { LogModel, PAGE_SIZE } from './LogModel';

const event = (seq: number, stdout: string): JobEvent => ({
  jobId: 'j',
  seq,
  ts: '2026-01-01T00:00:00.000Z',
  level: 'info',
  type: 'runner_on_ok',
  stdout,
});

describe('LineIndex', () => {
  it('keeps prefix sums and finds the row of a line, skipping empty rows', () => {
    const index = new LineIndex();
    index.resize(2000);
    expect(index.total).toBe(2000);
    index.set(0, 3); // lines 0-2
    index.set(1, 0); // no line
    index.set(2, 2); // lines 3-4
    expect(index.start(2)).toBe(3);
    expect(index.rowAt(0)).toBe(0);
    expect(index.rowAt(2)).toBe(0);
    expect(index.rowAt(3)).toBe(2);
    expect(index.rowAt(5)).toBe(3);
    expect(index.rowAt(10_000)).toBe(1999);
    index.resize(5000); // grows past its capacity
    expect(index.total).toBe(2002 + 3000);
    expect(index.rowAt(3)).toBe(2);
  });

  it('agrees with a plain sum on random heights', () => {
    const index = new LineIndex();
    const heights = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 4);
    index.resize(heights.length);
    heights.forEach((h, row) => index.set(row, h));
    let sum = 0;
    const starts: number[] = [];
    const found: number[] = [];
    const expected: number[] = [];
    heights.forEach((h, row) => {
      starts.push(index.start(row) - sum);
      if (h > 0) {
        found.push(index.rowAt(sum));
        expected.push(row);
      }
      sum += h;
    });
    expect(starts.every(d => d === 0)).toBe(true);
    expect(found).toEqual(expected);
  });
});

describe('LogModel', () => {
  const sync = (flush: () => void) => flush();

  it('sizes rows by their lines and marks seqs missing from a page as empty', () => {
    const model = new LogModel({ schedule: sync });
    model.growTo(10);
    model.applyPage(0, [
      event(1, 'one\r\ntwo\r\n'),
      event(2, ''),
      event(4, 'four'),
    ]);
    expect(model.lines.height(0)).toBe(2);
    expect(model.lines.height(1)).toBe(0);
    expect(model.lines.height(2)).toBe(0); // seq 3 does not exist
    expect(model.lines.height(3)).toBe(1);
    expect(model.spans(1)?.map(line => line[0]?.text)).toEqual(['one', 'two']);
  });

  it('holds a bounded number of pages, keeping the heights of evicted ones', () => {
    const model = new LogModel({ schedule: sync, maxPages: 4 });
    model.growTo(PAGE_SIZE * 10);
    for (let page = 0; page < 10; page++) {
      const first = page * PAGE_SIZE + 1;
      model.applyPage(
        page,
        Array.from({ length: PAGE_SIZE }, (_, i) => event(first + i, 'a\nb')),
      );
    }
    expect(model.pageCount).toBe(4);
    expect(model.text(1)).toBeUndefined();
    expect(model.lines.height(0)).toBe(2);
    expect(model.text(PAGE_SIZE * 10)).toBe('a\nb');
  });

  it('appends the live tail and counts what arrived', () => {
    const model = new LogModel({ schedule: sync });
    model.growTo(5);
    model.appendLive([event(6, 'six'), event(7, 'seven')]);
    expect(model.lastSeq).toBe(7);
    expect(model.liveReceived).toBe(2);
    expect([model.liveFirst, model.liveLast]).toEqual([6, 7]);
    expect(model.isKnown(7)).toBe(true);
    expect(model.isKnown(5)).toBe(false);
  });
});
