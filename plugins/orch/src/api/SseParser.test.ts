import { SseParser } from './SseParser';

describe('SseParser', () => {
  it('parses events split anywhere, with ids, names, comments and retry', () => {
    const text =
      'retry: 2000\n\n: ping\n\nid: 1\ndata: {"seq":1}\n\nevent: status\ndata: {"status":"RUNNING"}\r\n\r\nid: 2\ndata: a\ndata: b\n\n';
    // Every split point gives the same messages.
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new SseParser();
      const messages = [
        ...parser.feed(text.slice(0, cut)),
        ...parser.feed(text.slice(cut)),
      ];
      expect(messages).toEqual([
        { event: 'message', data: '{"seq":1}', id: '1' },
        { event: 'status', data: '{"status":"RUNNING"}', id: undefined },
        { event: 'message', data: 'a\nb', id: '2' },
      ]);
      expect(parser.lastEventId).toBe('2');
      expect(parser.retry).toBe(2000);
    }
  });

  it('waits for the blank line before dispatching', () => {
    const parser = new SseParser();
    expect(parser.feed('data: x\n')).toEqual([]);
    expect(parser.feed('\n')).toEqual([
      { event: 'message', data: 'x', id: undefined },
    ]);
  });
});
