import {
  forwardRef,
  type KeyboardEvent,
  type MouseEvent,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Snackbar from '@mui/material/Snackbar';
import { styled } from '@mui/material/styles';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { JobStatus } from '@internal/backstage-plugin-orch-common';
import { orchTranslationRef } from '../../translations/ref';
import { LogLine } from './LogLine';
import { LogModel, PAGE_SIZE } from './LogModel';
import { LogSearch, type LogSearchState } from './LogSearch';
import { LogToolbar } from './LogToolbar';
import type { LogSource, LogViewerHandle } from './types';

/** Height of one display line, in px. */
export const LINE_HEIGHT = 18;
/*
 * Browsers cap an element's height (Chrome about 33.5M px, Firefox about
 * 17.9M). Past this the scroll area keeps this height and maps its scroll
 * position onto the log proportionally, so a log of any length scrolls.
 */
const MAX_SCROLL_PX = 8_000_000;
/** Lines rendered above and below the visible ones. */
const OVERSCAN = 30;
/** Page requests in flight at once. */
const MAX_FETCHES = 2;
const RETRY_MS = 2000;

const Root = styled('div')(({ theme }) => ({
  '& .orch-log-scroller': {
    position: 'relative',
    overflow: 'auto',
    overflowAnchor: 'none',
    backgroundColor: theme.palette.mode === 'dark' ? '#1b1d23' : '#fafafa',
    color: theme.palette.mode === 'dark' ? '#d7dae0' : '#24292e',
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontFamily:
      'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 13,
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 1,
    },
  },
  '& .orch-log-window': { position: 'absolute', left: 0, right: 0 },
  '& .orch-log-line': {
    display: 'flex',
    height: LINE_HEIGHT,
    lineHeight: `${LINE_HEIGHT}px`,
    whiteSpace: 'pre',
  },
  '& .orch-log-number': {
    flex: '0 0 auto',
    width: '8ch',
    paddingRight: '1ch',
    textAlign: 'right',
    color: theme.palette.text.secondary,
    textDecoration: 'none',
    userSelect: 'none',
    '&:hover, &:focus-visible': { textDecoration: 'underline' },
  },
  '& .orch-log-text': { flex: '1 1 auto', paddingRight: '1ch' },
  '& .orch-log-pending': { color: theme.palette.text.disabled },
  '& .orch-log-error .orch-log-number': { color: theme.palette.error.main },
  '& .orch-log-selected': {
    backgroundColor:
      theme.palette.mode === 'dark'
        ? 'rgba(255, 213, 79, 0.14)'
        : 'rgba(255, 193, 7, 0.22)',
  },
  '& .orch-log-active': {
    outline: `1px solid ${theme.palette.warning.main}`,
    outlineOffset: -1,
  },
  '& mark': {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
    borderRadius: 2,
  },
}));

export type LogViewerProps = {
  source: LogSource;
  /** Highest event seq known when the viewer opens (0 for none). */
  lastSeq: number;
  /** The job may still write: follow its live stream. */
  live: boolean;
  onStatus?(status: JobStatus, error?: string): void;
  onEnd?(status: JobStatus): void;
  /** Height of the log area. @defaultValue '65vh' */
  height?: number | string;
  /** Accessible name of the log area. @defaultValue 'Job log', translated */
  ariaLabel?: string;
  /**
   * Shown instead of an empty log, while live and once over.
   * @defaultValue 'Waiting for output…' / 'This job wrote no output.', translated
   */
  emptyText?: { live: string; over: string };
  /** How the toolbar counts the lines. @defaultValue `N events`, translated */
  countLabel?: (count: number) => string;
};

function lineFromHash(): number | undefined {
  const m = /^#L(\d+)$/.exec(window.location.hash);
  return m ? Number(m[1]) : undefined;
}

type Geometry = {
  totalLines: number;
  /** Height of the scroll area's content, ≤ MAX_SCROLL_PX. */
  physical: number;
  /** Virtual px per physical px of scrolling (1 unless the log is huge). */
  ratio: number;
};

function geometry(totalLines: number, viewport: number): Geometry {
  const virtual = totalLines * LINE_HEIGHT;
  const physical = Math.min(virtual, MAX_SCROLL_PX);
  const ratio =
    physical > viewport ? (virtual - viewport) / (physical - viewport) : 1;
  return { totalLines, physical, ratio: Math.max(1, ratio) };
}

/**
 * A job's log, fast at a million lines: only the lines in view (and a
 * margin) are in the DOM, only the pages of events around them are fetched
 * and held (see LogModel), the live tail streams in while the reader
 * follows it, scrolling up pauses following, search runs on the server, and
 * every line has a link (`#L<seq>`).
 */
export const LogViewer = forwardRef<LogViewerHandle, LogViewerProps>(
  function LogViewerImpl(props, ref) {
    const { source, live } = props;
    const { t } = useTranslationRef(orchTranslationRef);
    const [model] = useState(() => {
      const m = new LogModel();
      m.growTo(props.lastSeq);
      return m;
    });
    useSyncExternalStore(model.subscribe, model.getVersion);

    const scroller = useRef<HTMLDivElement>(null);
    const [viewport, setViewport] = useState(600);
    const [scrollTop, setScrollTop] = useState(0);
    const initialLine = useMemo(lineFromHash, []);
    const [following, setFollowing] = useState(initialLine === undefined);
    const [selected, setSelected] = useState(initialLine);
    const [activeMatch, setActiveMatch] = useState<number>();
    const [copied, setCopied] = useState<string>();
    const [loadError, setLoadError] = useState<Error>();
    const [pausedAt, setPausedAt] = useState(0);
    const [ended, setEnded] = useState(false);
    /** The row at the top of the view and how far into it, in px. */
    const anchor = useRef<{ row: number; offset: number }>();
    /** The scrollTop we set last: its scroll event is not the reader's. */
    const programmatic = useRef<number>();

    // --- search -----------------------------------------------------------
    const [searchState, setSearchState] = useState<LogSearchState>();
    const search = useMemo(
      () =>
        new LogSearch(
          (query, signal) =>
            source.fetchEvents(query, signal).then(page => {
              // The matching lines show at once, before their pages load.
              model.applyEvents(page.items);
              return page;
            }),
          setSearchState,
        ),
      [model, source],
    );
    const geo = geometry(model.lines.total, viewport);
    const geoRef = useRef(geo);
    geoRef.current = geo;

    // --- scrolling -------------------------------------------------------
    const setScroll = useCallback((top: number) => {
      const el = scroller.current;
      if (!el) return;
      el.scrollTop = Math.max(0, top);
      programmatic.current = el.scrollTop;
      setScrollTop(el.scrollTop);
    }, []);

    const rememberAnchor = useCallback(
      (top: number) => {
        const virtualTop = top * geoRef.current.ratio;
        const row = model.lines.rowAt(Math.floor(virtualTop / LINE_HEIGHT));
        if (row < 0) return;
        anchor.current = {
          row,
          offset: virtualTop - model.lines.start(row) * LINE_HEIGHT,
        };
      },
      [model],
    );

    const jumpTo = useCallback(
      (seq: number) => {
        const row = Math.max(0, Math.min(seq, model.lastSeq) - 1);
        setFollowing(false);
        setPausedAt(model.lastSeq);
        const { ratio } = geoRef.current;
        const offset = -Math.round(viewport / 3);
        anchor.current = { row, offset };
        setScroll((model.lines.start(row) * LINE_HEIGHT + offset) / ratio);
      },
      [model, setScroll, viewport],
    );

    useImperativeHandle(ref, () => ({ jumpTo }), [jumpTo]);

    const follow = useCallback(() => {
      setFollowing(true);
      const { physical } = geoRef.current;
      setScroll(physical - viewport);
    }, [setScroll, viewport]);

    const followingRef = useRef(following);
    followingRef.current = following;
    const pause = useCallback(() => {
      if (followingRef.current) setPausedAt(model.lastSeq);
      setFollowing(false);
    }, [model]);

    // Keep the view where it is (or at the tail) as rows get their heights
    // and the log grows.
    useLayoutEffect(() => {
      const el = scroller.current;
      if (!el) return;
      if (following) {
        const bottom = Math.max(0, geo.physical - viewport);
        if (Math.abs(el.scrollTop - bottom) > 1) setScroll(bottom);
        return;
      }
      const a = anchor.current;
      if (!a) return;
      const wanted =
        (model.lines.start(a.row) * LINE_HEIGHT + a.offset) / geo.ratio;
      if (Math.abs(el.scrollTop - wanted) > 1) setScroll(wanted);
    }, [
      model,
      model.version,
      following,
      geo.physical,
      geo.ratio,
      viewport,
      setScroll,
    ]);

    const onScroll = useCallback(() => {
      const el = scroller.current;
      if (!el) return;
      const top = el.scrollTop;
      const mine =
        programmatic.current !== undefined &&
        Math.abs(top - programmatic.current) < 2;
      programmatic.current = undefined;
      if (!mine) {
        const { physical } = geoRef.current;
        const atBottom = top >= physical - el.clientHeight - LINE_HEIGHT;
        if (atBottom && live) setFollowing(true);
        else if (!atBottom) pause();
      }
      rememberAnchor(top);
      setScrollTop(top);
    }, [live, pause, rememberAnchor]);

    const onWheel = useCallback(
      (e: { deltaY: number }) => {
        if (e.deltaY < 0) pause();
      },
      [pause],
    );

    const onKeyDown = useCallback(
      (e: KeyboardEvent<HTMLDivElement>) => {
        if (['ArrowUp', 'PageUp', 'Home'].includes(e.key)) pause();
        if (e.key === 'End' && live) follow();
      },
      [pause, follow, live],
    );

    // The viewport's height.
    useLayoutEffect(() => {
      const el = scroller.current;
      if (!el) return undefined;
      const measure = () => setViewport(el.clientHeight || 600);
      measure();
      if (typeof ResizeObserver === 'undefined') return undefined;
      const observer = new ResizeObserver(measure);
      observer.observe(el);
      return () => observer.disconnect();
    }, []);

    // --- the lines in view -----------------------------------------------
    const virtualTop = scrollTop * geo.ratio;
    const firstLine = Math.max(
      0,
      Math.floor(virtualTop / LINE_HEIGHT) - OVERSCAN,
    );
    const endLine = Math.min(
      geo.totalLines,
      Math.ceil((virtualTop + viewport) / LINE_HEIGHT) + OVERSCAN,
    );
    const needle = searchState?.query.toLowerCase() ?? '';
    // `line` is the display line (0-based): the number shown counts lines,
    // so a multi-line task result gets one number per line and no gaps.
    const rows: Array<{ seq: number; part: number; line: number }> = [];
    if (endLine > firstLine) {
      let row = model.lines.rowAt(firstLine);
      let part = firstLine - model.lines.start(row);
      let line = firstLine;
      while (line < endLine && row < model.lines.size) {
        const height = model.lines.height(row);
        for (; part < height && line < endLine; part++, line++) {
          rows.push({ seq: row + 1, part, line });
        }
        row++;
        part = 0;
      }
    }
    const firstRow = rows.length ? rows[0].seq - 1 : 0;
    const lastRow = rows.length ? rows[rows.length - 1].seq - 1 : 0;

    // --- fetching the pages in view --------------------------------------
    const wanted = useRef<number[]>([]);
    const inflight = useRef(new Set<number>());
    const failed = useRef(new Map<number, number>());
    const mounted = useRef(true);
    useEffect(
      () => () => {
        mounted.current = false;
      },
      [],
    );

    const pump = useCallback(() => {
      for (const page of wanted.current) {
        if (inflight.current.size >= MAX_FETCHES) return;
        if (inflight.current.has(page)) continue;
        const failedAt = failed.current.get(page);
        if (failedAt && Date.now() - failedAt < RETRY_MS) continue;
        if (!needsFetch(model, page)) continue;
        inflight.current.add(page);
        source
          .fetchEvents({
            after: page * PAGE_SIZE,
            before: (page + 1) * PAGE_SIZE + 1,
            limit: PAGE_SIZE,
          })
          .then(
            result => {
              failed.current.delete(page);
              if (mounted.current) {
                model.applyPage(page, result.items);
                setLoadError(undefined);
              }
            },
            error => {
              failed.current.set(page, Date.now());
              if (mounted.current) {
                setLoadError(error);
                setTimeout(() => mounted.current && pump(), RETRY_MS);
              }
            },
          )
          .finally(() => {
            inflight.current.delete(page);
            if (mounted.current) pump();
          });
      }
    }, [model, source]);

    useEffect(() => {
      if (rows.length === 0) return;
      const firstPage = Math.floor(firstRow / PAGE_SIZE);
      const lastPage = Math.floor(lastRow / PAGE_SIZE);
      const center = (firstPage + lastPage) / 2;
      const pages = [];
      for (let p = firstPage; p <= lastPage; p++) {
        model.touch(p);
        pages.push(p);
      }
      pages.sort((a, b) => Math.abs(a - center) - Math.abs(b - center));
      wanted.current = pages;
      pump();
    });

    // --- the live stream ---------------------------------------------------
    const handlers = useRef(props);
    handlers.current = props;
    useEffect(() => {
      if (!live || !source.follow) return undefined;
      const controller = new AbortController();
      source
        .follow(
          model.lastSeq,
          {
            onEvents: events => model.appendLive(events),
            onStatus: (status, error) =>
              handlers.current.onStatus?.(status, error),
            onEnd: status => {
              setEnded(true);
              handlers.current.onEnd?.(status);
            },
          },
          controller.signal,
        )
        .catch(error => {
          if (!controller.signal.aborted) setLoadError(error);
        });
      return () => controller.abort();
    }, [live, model, source]);

    // --- line links -------------------------------------------------------
    useEffect(() => {
      if (initialLine !== undefined) jumpTo(initialLine);
      const onHash = () => {
        const line = lineFromHash();
        if (line !== undefined) {
          setSelected(line);
          jumpTo(line);
        }
      };
      window.addEventListener('hashchange', onHash);
      return () => window.removeEventListener('hashchange', onHash);
      // Only on mount: later jumps come from the hash listener.
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, []);

    const linkLabel = useCallback(
      (seq: number, line: number) =>
        t('logViewer.lineLink', { seq: String(seq), line: String(line) }),
      [t],
    );
    const onLink = useCallback(
      (seq: number, e: MouseEvent) => {
        e.preventDefault();
        setSelected(seq);
        const { origin, pathname, search: query } = window.location;
        window.history.replaceState(window.history.state, '', `#L${seq}`);
        const url = `${origin}${pathname}${query}#L${seq}`;
        const clipboard = navigator.clipboard;
        const selectedText = t('logViewer.lineSelected', { seq: String(seq) });
        if (clipboard?.writeText) {
          clipboard.writeText(url).then(
            () => setCopied(t('logViewer.linkCopied', { seq: String(seq) })),
            () => setCopied(selectedText),
          );
        } else {
          setCopied(selectedText);
        }
      },
      [t],
    );

    useEffect(() => () => search.clear(), [search]);
    const goTo = useCallback(
      (seq: number | undefined) => {
        if (seq === undefined) return;
        setActiveMatch(seq);
        jumpTo(seq);
      },
      [jumpTo],
    );

    return (
      <Root
        data-testid="log-viewer"
        data-last-seq={model.lastSeq}
        data-following={String(following)}
        data-live-received={model.liveReceived}
        data-live-first={model.liveFirst}
        data-live-last={model.liveLast}
        data-rendered-lines={rows.length}
      >
        <LogToolbar
          search={searchState ?? search.state}
          onSearch={q => search.start(q, model.lastSeq).then(goTo, () => {})}
          onNext={() => search.next().then(goTo, () => {})}
          onPrevious={() => search.previous().then(goTo, () => {})}
          onClear={() => {
            search.clear();
            setActiveMatch(undefined);
          }}
          live={live && !ended}
          following={following}
          unseen={following ? 0 : Math.max(0, model.lastSeq - pausedAt)}
          onFollow={follow}
          lastSeq={model.lastSeq}
          countLabel={props.countLabel}
        />
        {loadError && (
          <Alert severity="warning" sx={{ mb: 1 }}>
            {t('logViewer.loadError', { message: loadError.message })}
          </Alert>
        )}
        {/*
         * A scroll area must take keyboard focus, or keyboard users cannot
         * scroll it (WCAG 2.1.1, axe's scrollable-region-focusable); its
         * keys pause and resume following.
         */}
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
        <div
          ref={scroller}
          className="orch-log-scroller"
          role="region"
          aria-label={props.ariaLabel ?? t('logViewer.label')}
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
          tabIndex={0}
          style={{ height: props.height ?? '65vh' }}
          onScroll={onScroll}
          onWheel={onWheel}
          onKeyDown={onKeyDown}
        >
          {model.lastSeq === 0 ? (
            <Box sx={{ p: 2, fontFamily: 'inherit' }}>
              {live && !ended
                ? props.emptyText?.live ?? t('logViewer.waiting')
                : props.emptyText?.over ?? t('logViewer.noOutput')}
            </Box>
          ) : (
            <div style={{ height: geo.physical, position: 'relative' }}>
              <div
                className="orch-log-window"
                style={{
                  top: scrollTop + (firstLine * LINE_HEIGHT - virtualTop),
                }}
              >
                {rows.map(({ seq, part, line }) => {
                  const spans = model.spans(seq);
                  return (
                    <LogLine
                      key={`${seq}:${part}`}
                      seq={seq}
                      part={part}
                      lineNumber={line + 1}
                      spans={spans?.[part]}
                      needle={needle}
                      level={model.level(seq)}
                      selected={seq === selected}
                      active={seq === activeMatch}
                      onLink={onLink}
                      linkLabel={linkLabel}
                    />
                  );
                })}
              </div>
            </div>
          )}
        </div>
        <Snackbar
          open={copied !== undefined}
          autoHideDuration={3000}
          onClose={() => setCopied(undefined)}
          message={copied}
        />
      </Root>
    );
  },
);

/** A page has rows whose height or text is not in memory. */
function needsFetch(model: LogModel, page: number): boolean {
  const first = page * PAGE_SIZE + 1;
  const last = Math.min(first + PAGE_SIZE - 1, model.lastSeq);
  for (let seq = first; seq <= last; seq++) {
    if (!model.isKnown(seq)) return true;
    if (model.lines.height(seq - 1) > 0 && model.text(seq) === undefined) {
      return true;
    }
  }
  return false;
}
