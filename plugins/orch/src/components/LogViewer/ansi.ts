/**
 * ANSI SGR colours of runner output, parsed into plain text spans with a
 * style. Nothing here builds HTML: React renders the text, so whatever a
 * log holds (`<script>`, entities…) stays text.
 */

/** The look of a span; undefined fields mean the default. */
export type AnsiStyle = {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  strike?: boolean;
};

export type AnsiSpan = { text: string; style?: AnsiStyle };

/*
 * The 16 basic colours, chosen to stay readable on the dark theme (the
 * default) and the light one. Ansible uses green (ok), yellow (changed),
 * red (failed), cyan (skipped), magenta (warnings) and bright variants.
 */
const BASIC = [
  '#5c6370', // black: a grey that shows on a dark background
  '#e06c75',
  '#98c379',
  '#d19a66',
  '#61afef',
  '#c678dd',
  '#56b6c2',
  '#abb2bf',
  '#7f848e',
  '#ff7b86',
  '#b5e890',
  '#e5c07b',
  '#8cc8ff',
  '#de9bf0',
  '#7fd8e3',
  '#e6e6e6',
];

function color256(n: number): string | undefined {
  if (n < 16) return BASIC[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))}, ${level(
      Math.floor(i / 6) % 6,
    )}, ${level(i % 6)})`;
  }
  if (n < 256) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  return undefined;
}

type State = AnsiStyle;

const EMPTY: State = {
  fg: undefined,
  bg: undefined,
  bold: undefined,
  dim: undefined,
  italic: undefined,
  underline: undefined,
  strike: undefined,
};

/** Applies one SGR parameter list (`1;31`, `38;5;208`, `38;2;1;2;3`). */
function applySgr(state: State, params: string): State {
  const codes = params === '' ? [0] : params.split(/[;:]/).map(Number);
  let s = { ...state };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0 || Number.isNaN(c)) s = { ...EMPTY };
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 9) s.strike = true;
    else if (c === 22) {
      s.bold = undefined;
      s.dim = undefined;
    } else if (c === 23) s.italic = undefined;
    else if (c === 24) s.underline = undefined;
    else if (c === 29) s.strike = undefined;
    else if (c >= 30 && c <= 37) s.fg = BASIC[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BASIC[c - 90 + 8];
    else if (c >= 40 && c <= 47) s.bg = BASIC[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BASIC[c - 100 + 8];
    else if (c === 39) s.fg = undefined;
    else if (c === 49) s.bg = undefined;
    else if (c === 38 || c === 48) {
      let value: string | undefined;
      if (codes[i + 1] === 5) {
        value = color256(codes[i + 2]);
        i += 2;
      } else if (codes[i + 1] === 2) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map(v => v & 255);
        value = `rgb(${r}, ${g}, ${b})`;
        i += 4;
      }
      if (c === 38) s.fg = value;
      else s.bg = value;
    }
  }
  return s;
}

function toStyle(s: State): AnsiStyle | undefined {
  let style: AnsiStyle | undefined;
  for (const k of Object.keys(s) as (keyof State)[]) {
    if (s[k] !== undefined) style = { ...style, [k]: s[k] };
  }
  return style;
}

/*
 * CSI sequences (SGR is the one with the final byte `m`), OSC strings
 * (window titles, hyperlinks) and lone two-byte escapes. Everything but SGR
 * is dropped. Other C0 controls except TAB are dropped too.
 */
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Splits text into lines of styled spans. The style carries over line
 * breaks, as in a terminal. CRLF, LF and CR all end a line; one final line
 * break does not make an extra empty line.
 */
export function parseAnsiLines(text: string): AnsiSpan[][] {
  const source = text.replace(/\r?\n$|\r$/, '');
  const lines: AnsiSpan[][] = [];
  let state: State = { ...EMPTY };
  for (const raw of source.split(/\r\n|\n|\r/)) {
    const spans: AnsiSpan[] = [];
    let last = 0;
    let style = toStyle(state);
    const push = (end: number) => {
      if (end > last) {
        const piece = raw.slice(last, end);
        const prev = spans[spans.length - 1];
        if (prev && prev.style === style) prev.text += piece;
        else spans.push(style ? { text: piece, style } : { text: piece });
      }
    };
    ESCAPES.lastIndex = 0;
    for (let m = ESCAPES.exec(raw); m; m = ESCAPES.exec(raw)) {
      push(m.index);
      last = m.index + m[0].length;
      if (m[2] === 'm') {
        state = applySgr(state, m[1]);
        style = toStyle(state);
      }
    }
    push(raw.length);
    lines.push(spans);
  }
  return lines;
}

/** The text of a line without its styles. */
export function spansText(spans: AnsiSpan[]): string {
  let out = '';
  for (const s of spans) out += s.text;
  return out;
}

/** How many display lines an event's stdout takes (0 for none). */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  let end = text.length;
  if (text.endsWith('\r\n')) end -= 2;
  else if (/[\r\n]$/.test(text)) end -= 1;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

/** A span, possibly a search match. */
export type MarkedSpan = AnsiSpan & { match?: boolean };

/**
 * Cuts spans where `needle` (already lower case) occurs in the line's text,
 * case-insensitively, and flags the matching pieces.
 */
export function markMatches(spans: AnsiSpan[], needle: string): MarkedSpan[] {
  if (!needle) return spans;
  const lower = spansText(spans).toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (
    let i = lower.indexOf(needle);
    i >= 0;
    i = lower.indexOf(needle, i + needle.length)
  ) {
    ranges.push([i, i + needle.length]);
  }
  if (ranges.length === 0) return spans;
  const out: MarkedSpan[] = [];
  let offset = 0;
  let r = 0;
  for (const span of spans) {
    const start = offset;
    const end = offset + span.text.length;
    let pos = start;
    while (pos < end) {
      while (r < ranges.length && ranges[r][1] <= pos) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        out.push({ ...span, text: span.text.slice(pos - start) });
        pos = end;
      } else if (range[0] > pos) {
        out.push({
          ...span,
          text: span.text.slice(pos - start, range[0] - start),
        });
        pos = range[0];
      } else {
        const stop = Math.min(range[1], end);
        out.push({
          ...span,
          text: span.text.slice(pos - start, stop - start),
          match: true,
        });
        pos = stop;
      }
    }
    offset = end;
  }
  return out;
}
