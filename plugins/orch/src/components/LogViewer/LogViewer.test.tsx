import {
  act,
  configure,
  fireEvent,
  screen,
  waitFor,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import type { JobEventsQuery, JobLogHandlers } from '../../api/jobsApi';
import { LogViewer } from './LogViewer';
import type { LogSource } from './types';
import { ptBRTestApp } from '../../__testUtils__/ptBR';

// CI machines are busy: give async queries room.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
const event = (seq: number, stdout: string): JobEvent => ({
  jobId: 'job-1',
  seq,
  ts: new Date(0).toISOString(),
  level: 'info',
  type: 'runner_on_ok',
  stdout,
});

/**
 * A log of `total` one-line events held as a function, never as an array,
 * like the server's: the viewer must ask for pages.
 */
function fakeSource(total: number, text: (seq: number) => string) {
  const state = { total, handlers: undefined as JobLogHandlers | undefined };
  const requests: JobEventsQuery[] = [];
  const source: LogSource = {
    fetchEvents: async (query: JobEventsQuery) => {
      requests.push(query);
      const { after = 0, before = Infinity, limit = 500, q } = query;
      const items: JobEvent[] = [];
      const needle = q?.toLowerCase();
      for (let seq = after + 1; seq < before && seq <= state.total; seq++) {
        const stdout = text(seq);
        if (needle && !stdout.toLowerCase().includes(needle)) continue;
        items.push(event(seq, stdout));
        if (items.length > limit) break;
      }
      return items.length > limit
        ? { items: items.slice(0, limit), nextAfter: items[limit - 1].seq }
        : { items };
    },
    follow: (_after, handlers, signal) => {
      state.handlers = handlers;
      return new Promise(resolve =>
        signal.addEventListener('abort', () => resolve()),
      );
    },
  };
  const push = (count: number) => {
    const events: JobEvent[] = [];
    for (let i = 0; i < count; i++) {
      state.total++;
      events.push(event(state.total, text(state.total)));
    }
    act(() => state.handlers!.onEvents(events));
  };
  return { source, requests, push, state };
}

const plain = (seq: number) => `line ${seq}`;
const viewer = () => screen.getByTestId('log-viewer');
const scroller = () => screen.getByRole('region', { name: 'Job log' });
const renderedLines = () => document.querySelectorAll('.orch-log-line').length;

describe('LogViewer', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/jobs/job-1');
  });

  it('renders only a window of a 100,000-line log and fetches only the pages in view', async () => {
    const { source, requests } = fakeSource(100_000, plain);
    await renderInTestApp(
      <LogViewer source={source} lastSeq={100_000} live={false} />,
    );
    // A finished job opens at its end.
    expect(await screen.findByText('line 100000')).toBeInTheDocument();
    expect(renderedLines()).toBeGreaterThan(20);
    expect(renderedLines()).toBeLessThan(150);
    expect(screen.queryByText('line 1')).not.toBeInTheDocument();
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(requests.every(r => (r.limit ?? 0) <= 500)).toBe(true);
  });

  it('follows the live tail, pauses when the reader scrolls up, and jumps back to live', async () => {
    const { source, push } = fakeSource(1000, plain);
    await renderInTestApp(<LogViewer source={source} lastSeq={1000} live />);
    expect(await screen.findByText('line 1000')).toBeInTheDocument();
    expect(viewer()).toHaveAttribute('data-following', 'true');

    push(50);
    expect(await screen.findByText('line 1050')).toBeInTheDocument();
    expect(screen.getByText('Following live output')).toBeInTheDocument();

    // The reader scrolls up: following stops, new lines pile up unseen.
    fireEvent.wheel(scroller(), { deltaY: -120 });
    act(() => {
      scroller().scrollTop -= 3000;
      fireEvent.scroll(scroller());
    });
    expect(viewer()).toHaveAttribute('data-following', 'false');
    push(300);
    await waitFor(() =>
      expect(viewer()).toHaveAttribute('data-last-seq', '1350'),
    );
    expect(screen.queryByText('line 1350')).not.toBeInTheDocument();
    expect(viewer()).toHaveAttribute('data-live-received', '350');

    await userEvent.click(
      screen.getByRole('button', { name: 'Jump to live (300 new)' }),
    );
    expect(await screen.findByText('line 1350')).toBeInTheDocument();
    expect(viewer()).toHaveAttribute('data-following', 'true');
  });

  it('renders ANSI colours as styled text, never as HTML', async () => {
    const { source } = fakeSource(3, seq =>
      seq === 2
        ? '\u001b[0;31m<img src=x onerror="alert(1)"> &amp; failed\u001b[0m'
        : `\u001b[1;32mok: [web-${seq}]\u001b[0m`,
    );
    const { container } = await renderInTestApp(
      <LogViewer source={source} lastSeq={3} live={false} />,
    );
    const danger = await screen.findByText(
      '<img src=x onerror="alert(1)"> &amp; failed',
    );
    expect(container.querySelector('img')).toBeNull();
    expect(danger).toHaveStyle({ color: '#e06c75' });
    expect(screen.getByText('ok: [web-1]')).toHaveStyle({
      color: '#98c379',
      fontWeight: 700,
    });
    expect(container.textContent).not.toContain('\u001b');
  });

  it('searches on the server and jumps to the match, then to the next one', async () => {
    const { source, requests } = fakeSource(100_000, seq =>
      seq === 76_543 || seq === 88_001 ? `needle at ${seq}` : plain(seq),
    );
    await renderInTestApp(
      <LogViewer source={source} lastSeq={100_000} live={false} />,
    );
    await screen.findByText('line 100000');

    await userEvent.type(
      screen.getByLabelText('Search in log'),
      'NEEDLE{Enter}',
    );
    const match = await screen.findByText('needle');
    expect(match.tagName).toBe('MARK');
    expect(match.closest('.orch-log-line')).toHaveAttribute(
      'data-seq',
      '76543',
    );
    expect(match.closest('.orch-log-line')).toHaveClass('orch-log-active');
    expect(viewer()).toHaveAttribute('data-following', 'false');
    // Every search request was a bounded window on the server.
    const searches = requests.filter(r => r.q);
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every(r => r.before !== undefined)).toBe(true);
    await waitFor(() => expect(screen.getByText('1 of 2')).toBeInTheDocument());

    await userEvent.click(screen.getByRole('button', { name: 'Next match' }));
    await waitFor(() =>
      expect(
        document.querySelector('.orch-log-active')?.getAttribute('data-seq'),
      ).toBe('88001'),
    );
    expect(screen.getByText('2 of 2')).toBeInTheDocument();
  });

  it('opens at the line of #L<seq>, selected, and copies a line link', async () => {
    window.history.replaceState(null, '', '/jobs/job-1#L4242');
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.assign(navigator, { clipboard: { writeText } });
    const { source } = fakeSource(10_000, plain);
    await renderInTestApp(<LogViewer source={source} lastSeq={10_000} live />);
    const line = await screen.findByText('line 4242');
    expect(line.closest('.orch-log-line')).toHaveClass('orch-log-selected');
    expect(viewer()).toHaveAttribute('data-following', 'false');

    await userEvent.click(
      screen.getByRole('link', {
        name: 'Line 4250, event 4250: copy a link to this line',
      }),
    );
    expect(writeText).toHaveBeenCalledWith(
      `${window.location.origin}/jobs/job-1#L4250`,
    );
    expect(window.location.hash).toBe('#L4250');
    expect(
      await screen.findByText('Link to line 4250 copied'),
    ).toBeInTheDocument();
    expect(screen.getByText('line 4250').closest('.orch-log-line')).toHaveClass(
      'orch-log-selected',
    );
  });

  it('numbers lines, not events: a three-line result takes three numbers and the next event goes on from there', async () => {
    // Event 2 prints three lines; every other event one.
    const text = (seq: number) =>
      seq === 2 ? 'result a\nresult b\nresult c' : `line ${seq}`;
    const { source } = fakeSource(5, text);
    await renderInTestApp(
      <LogViewer source={source} lastSeq={5} live={false} />,
    );
    expect(await screen.findByText('result c')).toBeInTheDocument();
    const numberOf = (content: string) =>
      screen
        .getByText(content)
        .closest('.orch-log-line')
        ?.querySelector('.orch-log-number')?.textContent;
    expect(numberOf('line 1')).toBe('1');
    expect(numberOf('result a')).toBe('2');
    expect(numberOf('result b')).toBe('3');
    expect(numberOf('result c')).toBe('4');
    expect(numberOf('line 3')).toBe('5');
    expect(numberOf('line 5')).toBe('7');
    // The event's link still points at the event.
    const link = screen.getByRole('link', {
      name: 'Line 5, event 3: copy a link to this line',
    });
    expect(link).toHaveAttribute('href', '#L3');
    expect(link).toHaveTextContent('5');
  });

  it('says so when a finished job wrote nothing', async () => {
    const { source } = fakeSource(0, plain);
    await renderInTestApp(
      <LogViewer source={source} lastSeq={0} live={false} />,
    );
    expect(screen.getByText('This job wrote no output.')).toBeInTheDocument();
  });
});

describe('LogViewer in Brazilian Portuguese', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/jobs/job-1');
  });

  it('speaks the app language: toolbar, counts, line links, jump to live', async () => {
    const { source, push } = fakeSource(1000, plain);
    await renderInTestApp(
      <LogViewer source={source} lastSeq={1000} live />,
      ptBRTestApp(),
    );
    expect(
      await screen.findByRole('region', { name: 'Log do job' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('line 1000')).toBeInTheDocument();
    expect(screen.getByLabelText('Buscar no log')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Próxima ocorrência' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Acompanhando a saída ao vivo'),
    ).toBeInTheDocument();
    expect(screen.getByText('1.000 eventos')).toBeInTheDocument();
    expect(
      screen.getByRole('link', {
        name: 'Linha 1000, evento 1000: copiar um link para esta linha',
      }),
    ).toBeInTheDocument();

    const region = screen.getByRole('region', { name: 'Log do job' });
    fireEvent.wheel(region, { deltaY: -120 });
    act(() => {
      region.scrollTop -= 3000;
      fireEvent.scroll(region);
    });
    push(1);
    expect(
      await screen.findByRole('button', { name: 'Ir para o ao vivo (1 nova)' }),
    ).toBeInTheDocument();
  });

  it('keeps the labels a monitoring screen passes', async () => {
    const { source } = fakeSource(0, plain);
    await renderInTestApp(
      <LogViewer
        source={source}
        lastSeq={0}
        live={false}
        ariaLabel="Saída de web-1"
        emptyText={{ live: 'Aguardando…', over: 'O contêiner parou.' }}
        countLabel={count => `${count} linhas`}
      />,
      ptBRTestApp(),
    );
    expect(await screen.findByText('O contêiner parou.')).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Saída de web-1' }),
    ).toBeInTheDocument();
    expect(screen.getByText('0 linhas')).toBeInTheDocument();
    expect(await screen.findByLabelText('Buscar no log')).toBeInTheDocument();
  });
});
