import { countLines, markMatches, parseAnsiLines, spansText } from './ansi';

describe('ansi', () => {
  it('turns SGR codes into styles, carrying them over lines, and drops other escapes', () => {
    const lines = parseAnsiLines(
      '\u001b[1;31mfailed: [web1]\r\nstill red\u001b[0m back\u001b]0;title\u0007\u001b[2K\r\n',
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual([
      { text: 'failed: [web1]', style: { bold: true, fg: '#e06c75' } },
    ]);
    expect(lines[1]).toEqual([
      { text: 'still red', style: { bold: true, fg: '#e06c75' } },
      { text: ' back' },
    ]);
  });

  it('reads 256 and true colours', () => {
    const [[a, b]] = parseAnsiLines('\u001b[38;5;196mx\u001b[48;2;1;2;3my');
    expect(a.style?.fg).toBe('rgb(255, 0, 0)');
    expect(b.style).toEqual({ fg: 'rgb(255, 0, 0)', bg: 'rgb(1, 2, 3)' });
  });

  it('keeps markup as text', () => {
    const [line] = parseAnsiLines('<script>alert(1)</script>');
    expect(spansText(line)).toBe('<script>alert(1)</script>');
  });

  it('counts display lines', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\r\n')).toBe(1);
    expect(countLines('\r\nTASK [x] ***')).toBe(2);
    expect(countLines('a\nb\rc\r\nd')).toBe(4);
  });

  it('marks matches across spans, case-insensitively', () => {
    const [line] = parseAnsiLines('ab\u001b[32mCD\u001b[0mef');
    const marked = markMatches(line, 'bcd');
    expect(marked.map(s => [s.text, Boolean(s.match)])).toEqual([
      ['a', false],
      ['b', true],
      ['CD', true],
      ['ef', false],
    ]);
  });
});
