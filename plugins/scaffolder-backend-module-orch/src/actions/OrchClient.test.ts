import { parseSse } from './OrchClient';

async function* chunks(...parts: string[]) {
  const encoder = new TextEncoder();
  for (const part of parts) yield encoder.encode(part);
}

describe('parseSse', () => {
  it('reads events split across chunks, skipping comments and empty events', async () => {
    const seen = [];
    for await (const m of parseSse(
      chunks(
        'retry: 2000\n\n',
        'id: 1\ndata: {"stdout":"a"',
        '}\n\n: ping\n\nevent: status\ndata: {"status":"SUCCESS"}\n\n',
        'event: end\ndata: {"status":"SUCCESS"}\n\n',
      ),
    )) {
      seen.push(m);
    }
    expect(seen).toEqual([
      { id: '1', event: 'message', data: '{"stdout":"a"}' },
      { event: 'status', data: '{"status":"SUCCESS"}' },
      { event: 'end', data: '{"status":"SUCCESS"}' },
    ]);
  });
});
