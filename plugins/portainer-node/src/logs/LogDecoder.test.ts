import { dockerSince, LogDecoder } from './LogDecoder';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LogDecoder', () => {
  it('separates stdout and stderr of multiplexed frames', () => {
    const d = new LogDecoder({ tty: false, timestamps: false });
    const data = Buffer.concat([
      frame(1, 'out 1\n'),
      frame(2, 'err 1\n'),
      frame(1, 'out 2\n'),
    ]);
    expect([...d.push(data), ...d.end()]).toEqual([
      { stream: 'stdout', line: 'out 1' },
      { stream: 'stderr', line: 'err 1' },
      { stream: 'stdout', line: 'out 2' },
    ]);
  });

  it('survives frames, lines and characters split across chunks, byte by byte', () => {
    const data = Buffer.concat([
      frame(1, 'héllo '),
      frame(2, 'warn\n'),
      frame(1, 'wörld\nsecond'),
      frame(1, ' line\n'),
      // A 10-byte payload: its size byte is a newline.
      frame(2, '123456789\n'),
    ]);
    const d = new LogDecoder({ tty: false, timestamps: false });
    const lines = [];
    for (const byte of data) lines.push(...d.push(Buffer.from([byte])));
    lines.push(...d.end());
    expect(lines).toEqual([
      { stream: 'stderr', line: 'warn' },
      { stream: 'stdout', line: 'héllo wörld' },
      { stream: 'stdout', line: 'second line' },
      { stream: 'stderr', line: '123456789' },
    ]);
  });

  it('reads a TTY stream as raw stdout and drops carriage returns', () => {
    const d = new LogDecoder({ tty: true, timestamps: false });
    expect([...d.push(Buffer.from('a\r\nb\r\nc')), ...d.end()]).toEqual([
      { stream: 'stdout', line: 'a' },
      { stream: 'stdout', line: 'b' },
      { stream: 'stdout', line: 'c' },
    ]);
  });

  it('splits off Docker timestamps', () => {
    const d = new LogDecoder({ tty: false, timestamps: true });
    expect(d.push(frame(2, '2026-11-26T01:16:01.827346466Z boom\n'))).toEqual([
      { ts: '2026-11-26T01:16:01.827346466Z', stream: 'stderr', line: 'boom' },
    ]);
  });

  it('cuts very long lines', () => {
    const d = new LogDecoder({
      tty: true,
      timestamps: false,
      maxLineLength: 10,
    });
    const [line] = d.push(Buffer.from(`${'x'.repeat(25)}\n`));
    expect(line.line).toBe(`${'x'.repeat(10)}…`);
  });
});

describe('dockerSince', () => {
  it('gives seconds.nanoseconds, optionally just after', () => {
    expect(dockerSince('2026-11-26T01:16:01.827346466Z')).toBe(
      `${Date.parse('2026-11-26T01:16:01Z') / 1000}.827346466`,
    );
    expect(dockerSince('2026-11-26T01:16:01.999999999Z', 1)).toBe(
      `${Date.parse('2026-11-26T01:16:02Z') / 1000}.000000000`,
    );
    expect(dockerSince('2026-11-26T02:16:01+01:00')).toBe(
      `${Date.parse('2026-11-26T01:16:01Z') / 1000}.000000000`,
    );
    expect(dockerSince('yesterday')).toBeUndefined();
  });
});
