import { memo, type CSSProperties, type MouseEvent } from 'react';
import { type AnsiSpan, type AnsiStyle, markMatches } from './ansi';

const styleCache = new WeakMap<AnsiStyle, CSSProperties>();

function cssOf(style: AnsiStyle): CSSProperties {
  let css = styleCache.get(style);
  if (!css) {
    const decorations = [
      style.underline ? 'underline' : '',
      style.strike ? 'line-through' : '',
    ].filter(Boolean);
    css = {
      color: style.fg,
      backgroundColor: style.bg,
      fontWeight: style.bold ? 700 : undefined,
      opacity: style.dim ? 0.7 : undefined,
      fontStyle: style.italic ? 'italic' : undefined,
      textDecoration: decorations.length ? decorations.join(' ') : undefined,
    };
    styleCache.set(style, css);
  }
  return css;
}

export type LogLineProps = {
  seq: number;
  /** Which line of the event this is (0 = first, which carries the link). */
  part: number;
  /** The line's number in the whole log, counting lines (1-based). */
  lineNumber: number;
  /** The line's spans; undefined while its page loads. */
  spans?: AnsiSpan[];
  /** Lower-case search text to mark. */
  needle: string;
  level: string;
  selected: boolean;
  active: boolean;
  onLink(seq: number, event: MouseEvent<HTMLAnchorElement>): void;
  /** The accessible name of the line's number link. */
  linkLabel(seq: number, line: number): string;
};

/**
 * One display line: its line number and the styled text. The first line of
 * an event links to the event (`#L<seq>`), so links stay stable while the
 * numbers count lines.
 */
export const LogLine = memo(function LogLineView(props: LogLineProps) {
  const { seq, part, lineNumber, spans, needle, level, selected, active } =
    props;
  const { onLink } = props;
  const { linkLabel } = props;
  const classes = ['orch-log-line'];
  if (selected) classes.push('orch-log-selected');
  if (active) classes.push('orch-log-active');
  if (level === 'error') classes.push('orch-log-error');
  return (
    <div className={classes.join(' ')} data-seq={seq}>
      {part === 0 ? (
        <a
          className="orch-log-number"
          href={`#L${seq}`}
          aria-label={linkLabel(seq, lineNumber)}
          onClick={e => onLink(seq, e)}
        >
          {lineNumber}
        </a>
      ) : (
        <span className="orch-log-number" aria-hidden>
          {lineNumber}
        </span>
      )}
      <span className="orch-log-text">
        {spans === undefined ? (
          <span className="orch-log-pending">…</span>
        ) : (
          markMatches(spans, needle).map((span, i) => {
            const css = span.style ? cssOf(span.style) : undefined;
            return span.match ? (
              <mark key={i} style={css}>
                {span.text}
              </mark>
            ) : (
              <span key={i} style={css}>
                {span.text}
              </span>
            );
          })
        )}
      </span>
    </div>
  );
});
