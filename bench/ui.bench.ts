/*
 * yarn bench ui — the job page and its log viewer at a million lines, in
 * Debian's Chromium (Playwright, no browser download) against a real Orch:
 * `script/server` on a throw-away state directory (SQLite file, the worker,
 * the built frontend) and a private Redis.
 *
 *  1. A finished job of 1,000,000 log lines. The events are written straight
 *     into the server's database through orch-node's DatabaseJobStore (the
 *     worker's own insert path; a playbook cannot print a million events in
 *     a benchmark's time). Measured: page interactive (navigation start →
 *     the last line painted and the search box usable), server-side search
 *     to a match in the middle of the log, a search that matches nothing
 *     (the whole log searched), random seeks (scrollbar jumps → text shown).
 *  2. A running job whose log grows at 5,000 lines/s for BENCH_TAIL_SECONDS
 *     (default 20): events written to the database and the job's Redis
 *     stream the way the worker's EventBatcher does, while the page follows
 *     the tail. Measured: lines received vs written (no loss, no repeat),
 *     lag of the last line, whether the view stayed at the tail.
 *  3. JS heap of the page (CDP Runtime.getHeapUsage, after a GC, and the
 *     peak sampled without GC).
 *
 * Anchors: AWX stops showing output past 4,000 events (awx#14904), Rundeck
 * refuses to render logs over 49 MiB (rundeck#6469), Portainer's log view
 * hangs near 10,000 lines (portainer#12388).
 *
 * BENCH_LINES (default 1000000), BENCH_TAIL_SECONDS (20), BENCH_TAIL_RATE
 * (5000), CHROMIUM_PATH (/usr/bin/chromium), ORCH_BENCH_KEEP=1 keeps the
 * state directory.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import knexFactory, { type Knex } from 'knex';
import { chromium, type Page } from '@playwright/test';
import type { JobEvent, JobStep } from '@internal/backstage-plugin-orch-common';
import {
  DatabaseJobStore,
  JobEventStream,
  createRedisConnection,
} from '@internal/backstage-plugin-orch-node';
import { startTestRedisServer } from '@internal/backstage-plugin-orch-node/testUtils';
import { printTable } from './table';

const ROOT = resolve(__dirname, '..');
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const TAIL_SECONDS = Number(process.env.BENCH_TAIL_SECONDS ?? 20);
const TAIL_RATE = Number(process.env.BENCH_TAIL_RATE ?? 5000);
const NEEDLE_SEQ = Math.round(LINES * 0.612345);
const NEEDLE = 'needle-7f3a';
const ADMIN = { email: 'bench@orch.test', password: 'orch-bench-throwaway-admin' };
const MB = 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const p = (v: number[], q: number) =>
  [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];

/** Ansible-looking output with ANSI colours, one line per event. */
function line(seq: number): string {
  if (seq === NEEDLE_SEQ) return `\u001b[0;31mfatal: [web-0042]: ${NEEDLE} disk quota exceeded\u001b[0m`;
  const host = `web-${String(seq % 50).padStart(4, '0')}`;
  if (seq % 97 === 0) return `\u001b[0;33mchanged: [${host}] => (item=pkg-${seq % 500}) line ${seq}\u001b[0m`;
  return `\u001b[0;32mok: [${host}] => (item=pkg-${seq % 500}) line ${seq}\u001b[0m`;
}

function event(jobId: string, seq: number, stdout = line(seq)): JobEvent {
  return {
    jobId,
    seq,
    ts: new Date().toISOString(),
    level: seq === NEEDLE_SEQ ? 'error' : 'info',
    type: 'runner_item_on_ok',
    host: `web-${String(seq % 50).padStart(4, '0')}`,
    task: `Install packages ${Math.floor((seq - 1) / 100_000) + 1}`,
    stdout,
  };
}

async function startServer(state: string, port: number, redisUrl: string) {
  const log = openSync(join(state, 'server.out'), 'a');
  const child = spawn(join(ROOT, 'script/server'), [], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      ORCH_STATE_DIR: state,
      ORCH_PORT: String(port),
      ORCH_REDIS_URL: redisUrl,
      ORCH_ADMIN_EMAIL: ADMIN.email,
      ORCH_ADMIN_PASSWORD: ADMIN.password,
    },
  });
  closeSync(log);
  const deadline = Date.now() + 20 * 60_000; // a first frontend build is slow
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`script/server exited:\n${readFileSync(join(state, 'server.out'), 'utf8').slice(-3000)}`);
    }
    try {
      const r = await fetch(`http://localhost:${port}/api/orch/health`);
      if (r.ok) return child;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('script/server did not become healthy');
    await sleep(1000);
  }
}

function stopServer(child?: ChildProcess) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone
  }
}

async function openStore(state: string): Promise<{ knex: Knex; store: DatabaseJobStore }> {
  const dir = join(state, 'db');
  const file = readdirSync(dir).find(f => /orch\.sqlite$/.test(f) && !/portainer|ai/.test(f));
  if (!file) throw new Error(`no orch database in ${dir}: ${readdirSync(dir).join(', ')}`);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: join(dir, file), options: { timeout: 30_000 } } as any,
    useNullAsDefault: true,
  });
  return { knex, store: await DatabaseJobStore.fromKnex(knex) };
}

async function createJob(store: DatabaseJobStore, id: string) {
  await store.createJob({
    id,
    runbookName: 'hello',
    runbookVersion: '1.0.0',
    environment: 'stage',
    inputs: { message: 'a million lines', token: { set: true } },
    createdBy: 'user:default/bench',
  });
  await store.claimJob(id, 'bench-worker');
}

async function writeMillion(store: DatabaseJobStore, jobId: string) {
  const steps: JobStep[] = [];
  const batch = 5000;
  for (let first = 1; first <= LINES; first += batch) {
    const events: JobEvent[] = [];
    for (let seq = first; seq < first + batch && seq <= LINES; seq++) events.push(event(jobId, seq));
    await store.insertEvents(events);
    if ((first - 1) % 100_000 === 0) {
      steps.push({
        index: steps.length + 1,
        play: 'Provision the fleet',
        task: `Install packages ${steps.length + 1}`,
        status: 'changed',
        hosts: { 'web-0001': { status: 'changed' }, 'web-0002': { status: 'ok' } },
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
        firstSeq: first,
      });
    }
    if ((first - 1) % 200_000 === 0) process.stderr.write(`  … ${first - 1} events written\n`);
  }
  await store.upsertSteps(jobId, steps);
  await store.finishJob(jobId, { status: 'SUCCESS', workerId: 'bench-worker', outputs: {}, rc: 0 });
}

async function signIn(page: Page, base: string) {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ state: 'detached', timeout: 60_000 });
}

/** Milliseconds from navigation start until the line `seq` shows its text. */
async function openJob(page: Page, base: string, jobId: string, seq: number, text: string) {
  await page.goto(`${base}/jobs/${jobId}`);
  return page.evaluate(
    ({ seq: s, text: t }) =>
      new Promise<number>(done => {
        const check = () => {
          const el = document.querySelector(`[data-seq="${s}"] .orch-log-text`);
          const input = document.querySelector('input[aria-describedby="orch-log-search-status"]') as HTMLInputElement | null;
          if (el?.textContent?.includes(t) && input && !input.disabled) done(performance.now());
          else requestAnimationFrame(check);
        };
        check();
      }),
    { seq, text },
  );
}

/**
 * Types a query, presses Enter, and times in the page from the keydown until
 * the match at `seq` is marked active (or, without `seq`, "No matches").
 */
async function timeSearch(page: Page, query: string, seq?: number): Promise<number> {
  const input = page.getByLabel('Search in log');
  await input.fill(query);
  const measure = page.evaluate(
    target =>
      new Promise<number>(done => {
        const el = document.querySelector('input[aria-describedby="orch-log-search-status"]')!;
        const ready = () =>
          target
            ? !!document.querySelector(`.orch-log-active[data-seq="${target}"] mark`)
            : document.getElementById('orch-log-search-status')?.textContent === 'No matches';
        el.addEventListener(
          'keydown',
          e => {
            if ((e as KeyboardEvent).key !== 'Enter') return;
            const t0 = performance.now();
            const check = () => (ready() ? done(performance.now() - t0) : requestAnimationFrame(check));
            requestAnimationFrame(check);
          },
          { capture: true, once: true },
        );
      }),
    seq ?? 0,
  );
  await sleep(100);
  await input.press('Enter');
  return measure;
}

async function heap(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usage.usedSize;
}

async function main() {
  const state = mkdtempSync(join(tmpdir(), 'orch-bench-ui-'));
  const redis = await startTestRedisServer();
  const port = await freePort();
  const base = `http://localhost:${port}`;
  let server: ChildProcess | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    stopServer(server);
    await sleep(3000);
    await redis.stop().catch(() => {});
    if (!process.env.ORCH_BENCH_KEEP) rmSync(state, { recursive: true, force: true });
  };
  process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
  try {
    process.stderr.write(`ui bench: starting script/server on ${base} (state ${state})\n`);
    server = await startServer(state, port, redis.url);
    const { knex, store } = await openStore(state);

    // --- 1. the million-line job
    const big = randomUUID();
    await createJob(store, big);
    const w0 = Date.now();
    process.stderr.write(`ui bench: writing ${LINES} events into the database\n`);
    // A running job without a heartbeat is "worker lost" after 15 s.
    const beat = setInterval(() => store.heartbeat(big, 'bench-worker').catch(() => {}), 3000);
    await writeMillion(store, big).finally(() => clearInterval(beat));
    const writeSeconds = (Date.now() - w0) / 1000;
    const [bytes] = (await knex.raw('select sum(length(stdout)) as n from job_events where job_id = ?', [big])) as Array<{ n: number }>;
    const logMiB = Number(bytes?.n ?? 0) / MB;

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--enable-precise-memory-info',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, base);

    process.stderr.write('ui bench: opening the job page\n');
    const opens: number[] = [];
    for (let i = 0; i < 3; i++) opens.push(await openJob(page, base, big, LINES, `line ${LINES}`));
    const heapOpen = await heap(page);
    await page.screenshot({ path: join(state, 'job-page.png') });

    process.stderr.write('ui bench: searching\n');
    const hit: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('Search in log').press('Escape');
      hit.push(await timeSearch(page, NEEDLE, NEEDLE_SEQ));
    }
    const miss: number[] = [];
    for (let i = 0; i < 2; i++) {
      await page.getByLabel('Search in log').press('Escape');
      miss.push(await timeSearch(page, `absent-${i}-zq`));
    }
    await page.getByLabel('Search in log').press('Escape');

    process.stderr.write('ui bench: random seeks\n');
    const seeks: number[] = [];
    for (let i = 0; i < 12; i++) {
      const fraction = ((i * 0.618034) % 1) * 0.98;
      seeks.push(
        await page.evaluate(
          f =>
            new Promise<number>(done => {
              const el = document.querySelector('.orch-log-scroller') as HTMLElement;
              const firstSeq = () => el.querySelector('.orch-log-line')?.getAttribute('data-seq');
              const before = firstSeq();
              const t0 = performance.now();
              el.scrollTop = f * (el.scrollHeight - el.clientHeight);
              const check = () => {
                // New lines in place, none of them still loading.
                const moved = firstSeq() !== before;
                const pending = el.querySelectorAll('.orch-log-pending').length;
                if (moved && pending === 0) done(performance.now() - t0);
                else requestAnimationFrame(check);
              };
              requestAnimationFrame(check);
            }),
          fraction,
        ),
      );
    }
    const heapBrowse = await heap(page);
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);

    // --- 2. the live tail at 5,000 lines/s
    process.stderr.write(`ui bench: live tail at ${TAIL_RATE} lines/s for ${TAIL_SECONDS}s\n`);
    const live = randomUUID();
    await createJob(store, live);
    const stream = new JobEventStream({ redis: createRedisConnection(redis.url, 'command'), prefix: 'orch' });
    await page.goto(`${base}/jobs/${live}`);
    await page.getByText('Waiting for output…').waitFor({ timeout: 30_000 });
    const peak: number[] = [];
    const sampler = setInterval(() => {
      page
        .evaluate(() => (performance as any).memory?.usedJSHeapSize ?? 0)
        .then(v => peak.push(v), () => {});
    }, 500);
    const heartbeat = setInterval(() => store.heartbeat(live, 'bench-worker').catch(() => {}), 3000);
    const total = TAIL_RATE * TAIL_SECONDS;
    let written = 0;
    const t0 = Date.now();
    let lastPublishedAt = 0;
    while (written < total) {
      const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * TAIL_RATE));
      if (due > written) {
        const events: JobEvent[] = [];
        for (let seq = written + 1; seq <= due; seq++) events.push(event(live, seq, `\u001b[0;32mok: [web-${seq % 50}] live line ${seq}\u001b[0m`));
        await store.insertEvents(events);
        await stream.publishEvents(live, events);
        written = due;
        lastPublishedAt = Date.now();
      }
      await sleep(50);
    }
    const produceSeconds = (Date.now() - t0) / 1000;
    const caughtUp = await page
      .waitForFunction(
        n => document.querySelector('[data-testid="log-viewer"]')?.getAttribute('data-live-last') === String(n) &&
          !!document.querySelector(`[data-seq="${n}"]`),
        total,
        { timeout: 60_000, polling: 'raf' },
      )
      .then(() => Date.now(), () => undefined);
    const tailLag = caughtUp ? caughtUp - lastPublishedAt : NaN;
    const viewer = await page.evaluate(() => {
      const v = document.querySelector('[data-testid="log-viewer"]')!;
      return {
        received: Number(v.getAttribute('data-live-received')),
        first: Number(v.getAttribute('data-live-first')),
        last: Number(v.getAttribute('data-live-last')),
        following: v.getAttribute('data-following'),
        rendered: Number(v.getAttribute('data-rendered-lines')),
      };
    });
    clearInterval(sampler);
    clearInterval(heartbeat);
    const heapTail = await heap(page);
    await store.finishJob(live, { status: 'SUCCESS', workerId: 'bench-worker', outputs: {} });
    await stream.publish(live, { kind: 'status', status: 'SUCCESS' });
    await stream.publish(live, { kind: 'end', status: 'SUCCESS' });
    await page.screenshot({ path: join(state, 'job-page-live.png') });

    const lossless = viewer.received === total && viewer.first === 1 && viewer.last === total;
    const heapMax = Math.max(heapOpen, heapBrowse, heapTail);
    const peakSampled = peak.length ? Math.max(...peak) : 0;
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    const rows = [
      ['Log size shown in the UI', 'AWX: output stops past 4,000 events (awx#14904)', `${LINES.toLocaleString('en')} events`, `${(LINES / 4000).toFixed(0)}×`, 'all of it'],
      ['Log bytes shown in the UI', 'Rundeck: refuses logs over 49 MiB (rundeck#6469)', `${logMiB.toFixed(0)} MiB`, `${(logMiB / 49).toFixed(1)}×`, 'no limit'],
      ['Job page interactive, median of 3', 'Portainer: log view hangs near 10,000 lines (portainer#12388)', fmt(median(opens)), `${(LINES / 10_000).toFixed(0)}× the lines`, '< 2,000 ms'],
      ['Search → match in the middle, median of 3', '—', fmt(median(hit)), '', '< 500 ms'],
      ['Search with no match (whole log), median', '—', fmt(median(miss)), '', 'progress shown'],
      ['Random seek → text shown, p50 / p90', '—', `${fmt(p(seeks, 0.5))} / ${fmt(p(seeks, 0.9))}`, '', ''],
      [`Tail ${TAIL_RATE.toLocaleString('en')} lines/s × ${TAIL_SECONDS}s: received / written`, '—', `${viewer.received.toLocaleString('en')} / ${total.toLocaleString('en')}`, lossless ? 'no loss' : 'LOSS', 'no loss'],
      ['Tail: lag of the last line', '—', fmt(tailLag), '', ''],
      ['JS heap after GC (max of open, browse, tail)', '—', `${(heapMax / MB).toFixed(0)} MiB`, '', '< 300 MiB'],
      ['JS heap peak sampled (no GC)', '—', `${(peakSampled / MB).toFixed(0)} MiB`, '', '< 300 MiB'],
      ['DOM elements on the page', '—', String(domNodes), '', ''],
    ];
    console.log(
      `\nui benchmark — Chromium ${browser.version()}, SQLite (script/server), ${LINES.toLocaleString('en')} events written in ${writeSeconds.toFixed(0)} s, tail produced in ${produceSeconds.toFixed(1)} s (following: ${viewer.following}, ${viewer.rendered} lines in the DOM)\n`,
    );
    printTable(rows);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/ui.json'),
      JSON.stringify({ date: new Date().toISOString(), lines: LINES, opens, hit, miss, seeks, tailLag, viewer, heapOpen, heapBrowse, heapTail, peakSampled, rows }, null, 2),
    );
    await knex.destroy();
    await cleanup();
    const ok = lossless && median(opens) < 2000 && median(hit) < 500 && heapMax < 300 * MB;
    process.exit(ok ? 0 : 1);
  } catch (e) {
    console.error(e);
    await cleanup();
    process.exit(1);
  }
}

main();
