import { spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { ArtifactWriter } from './artifacts';
import {
  checkJobId,
  checkRequest,
  DataDir,
  makeDataDir,
  prepareDataDir,
  removeDataDir,
  RUN_MARKER,
} from './dataDir';
import { killTree, ProcessTree } from './processTree';
import { ExecuteRequest, ExecuteResult, RunnerEvent } from './types';

export type { ExecuteRequest, ExecuteResult, RunnerEvent } from './types';

/** The only PATH the runner sees. */
const CHILD_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Lines of stderr / non-JSON stdout kept for error messages. */
const TAIL_LINES = 30;

type Status = ExecuteResult['status'];

/** What the event stream told us so far. */
type Progress = {
  eventCount: number;
  failedTask?: string;
  failedMessage?: string;
  stats?: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function parseEvent(line: string): RunnerEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line);
    return v &&
      typeof v.uuid === 'string' &&
      typeof v.counter === 'number' &&
      typeof v.event === 'string'
      ? v
      : undefined;
  } catch {
    return undefined;
  }
}

function track(p: Progress, e: RunnerEvent) {
  const data = e.event_data ?? {};
  if (
    p.failedTask === undefined &&
    (e.event === 'runner_on_failed' || e.event === 'runner_on_unreachable') &&
    !data.ignore_errors
  ) {
    p.failedTask = String(data.task || data.task_action || 'unknown task');
    // Only a `fail` or `assert` says why in words meant for the user.
    const msg = data.res?.msg;
    if (
      /^(ansible\.builtin\.)?(fail|assert)$/.test(String(data.task_action)) &&
      typeof msg === 'string' &&
      msg.trim()
    ) {
      p.failedMessage = msg.trim().split('\n')[0].slice(0, 500);
    }
  }
  if (e.event === 'playbook_on_stats') {
    const { artifact_data: artifactData, ...stats } = data;
    p.stats = stats;
    if (artifactData && typeof artifactData === 'object')
      p.outputs = artifactData;
  }
}

/**
 * Runs one playbook with ansible-runner in a private data dir and streams
 * its events as they happen.
 *
 * ansible-runner is started as
 * `ansible-runner run <datadir> -p <playbook> --ident <jobId> --project-dir <projectDir> --inventory <inventory> --json`
 * with a minimal environment, in its own session (`detached`), and its
 * stdout is read line by line: every JSON line is an event, which is
 * redacted with `req.redact`, appended to `logs.ndjson` and passed to
 * `req.onEvent` (awaited, so a slow consumer slows the run down rather than
 * filling memory). Cancel (`req.signal`) and timeout kill the whole process
 * tree, across the sessions pexpect creates. The artifacts are written in
 * every outcome where the job id is usable, and the private data dir is
 * always removed. Never throws: problems come back as status `error`.
 * @public
 */
export async function executeRunbook(
  req: ExecuteRequest,
): Promise<ExecuteResult> {
  const startedAt = new Date().toISOString();
  const progress: Progress = { eventCount: 0, outputs: {} };
  const redactText = (s: string) => String(req.redact(s));
  let outcome: { status: Status; rc: number | null; error?: string };
  let writer: ArtifactWriter | undefined;
  let root: string | undefined;
  let dataDir: DataDir | undefined;

  try {
    checkJobId(req.jobId);
  } catch (e) {
    return {
      status: 'error',
      rc: null,
      outputs: {},
      eventCount: 0,
      error: redactText(message(e)),
    };
  }

  try {
    writer = await ArtifactWriter.open(req.artifactsRoot, req.jobId);
    root = await makeDataDir(req.dataRoot);
    if (req.signal?.aborted) {
      outcome = { status: 'canceled', rc: null };
    } else {
      const checked = await checkRequest(req);
      dataDir = await prepareDataDir(root, { ...req, ...checked });
      outcome = await run(req, dataDir, checked.playbook, writer, progress);
    }
  } catch (e) {
    outcome = { status: 'error', rc: null, error: redactText(message(e)) };
  }

  const finishedAt = new Date().toISOString();
  const result: ExecuteResult = {
    ...outcome,
    stats: progress.stats,
    outputs: progress.outputs,
    failedTask:
      outcome.status === 'successful' ? undefined : progress.failedTask,
    failedMessage:
      outcome.status === 'successful' || progress.failedMessage === undefined
        ? undefined
        : redactText(progress.failedMessage),
    eventCount: progress.eventCount,
  };
  try {
    if (writer) {
      const output = req.redact({
        jobId: req.jobId,
        status: result.status,
        rc: result.rc,
        stats: result.stats,
        outputs: result.outputs,
        failedTask: result.failedTask,
        error: result.error,
        startedAt,
        finishedAt,
      }) as Record<string, unknown>;
      await writer.finish({
        output,
        runnerDir: dataDir && join(dataDir.runnerArtifacts, req.jobId),
        stagingDir: root && join(root, 'bundle'),
        fallback: { status: result.status, rc: result.rc },
        redact: req.redact,
      });
    }
  } catch (e) {
    const note = `artifacts could not be written: ${redactText(message(e))}`;
    result.error = result.error ? `${result.error}; ${note}` : note;
  } finally {
    if (root) await removeDataDir(root);
  }
  // Drop undefined members so the result is plain JSON.
  return JSON.parse(JSON.stringify(result));
}

/** Spawns ansible-runner and consumes its event stream until it is done. */
async function run(
  req: ExecuteRequest,
  dd: DataDir,
  playbook: string,
  writer: ArtifactWriter,
  progress: Progress,
): Promise<{ status: Status; rc: number | null; error?: string }> {
  const env: Record<string, string> = {
    PATH: CHILD_PATH,
    HOME: dd.home,
    LANG: 'C.UTF-8',
    PYTHONUNBUFFERED: '1',
    // Inherited by every descendant: how the process tree (and a later
    // worker's reaper) finds them all, whatever sessions they start.
    [RUN_MARKER]: dd.root,
    ANSIBLE_LOCAL_TEMP: dd.localTemp,
    // Expanded by the target's shell: under the data dir for local
    // connections (HOME above), the login user's ~/.ansible/tmp over SSH.
    ANSIBLE_REMOTE_TEMP: '$HOME/.ansible/tmp',
  };
  if (dd.ansibleConfig) env.ANSIBLE_CONFIG = dd.ansibleConfig;
  // The engine the Docker runbooks talk to: the one script/server checks.
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  const args = [
    'run',
    dd.root,
    '-p',
    playbook,
    '--ident',
    req.jobId,
    '--project-dir',
    dd.projectDir,
    '--inventory',
    dd.inventory,
    '--json',
  ];
  const child = spawn('ansible-runner', args, {
    cwd: dd.root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>(
    resolve => child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const spawnError = await new Promise<Error | undefined>(resolve => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', e => resolve(e));
  });
  child.on('error', () => {}); // later errors (e.g. a failed kill) are not fatal
  if (spawnError || child.pid === undefined) {
    return {
      status: 'error',
      rc: null,
      error: `cannot start ansible-runner: ${message(spawnError ?? 'no pid')}`,
    };
  }

  const tail: string[] = [];
  const keep = (line: string) => {
    if (!line.trim()) return;
    tail.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on(
    'line',
    keep,
  );

  const tree = new ProcessTree(child.pid, `${RUN_MARKER}=${dd.root}`);
  let reason: 'canceled' | 'timeout' | 'error' | undefined;
  let failure: string | undefined;
  let killing: Promise<number[]> | undefined;
  let done = false;
  const stop = (why: 'canceled' | 'timeout' | 'error') => {
    // Once the runner has exited, the run is complete even if its last
    // events are still being handed to onEvent.
    if (reason || done || child.exitCode !== null || child.signalCode !== null)
      return;
    reason = why;
    killing = killTree(tree);
  };
  const timer = setTimeout(() => stop('timeout'), req.timeoutMs);
  const onAbort = () => stop('canceled');
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) onAbort();

  try {
    const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
    for await (const line of lines) {
      const raw = parseEvent(line);
      if (!raw) {
        keep(line);
        continue;
      }
      if (failure) continue; // drain until the killed runner closes stdout
      try {
        const event = req.redact(raw) as RunnerEvent;
        track(progress, event);
        await writer.append(event);
        await req.onEvent(event);
        progress.eventCount++;
      } catch (e) {
        failure = `event ${raw.counter} could not be handled: ${message(e)}`;
        stop('error');
      }
    }
    const { code, signal } = await exited;
    done = true;
    const leftovers = killing ? await killing : [];
    const leftoverNote = leftovers.length
      ? `processes still alive after kill: ${leftovers.join(', ')}`
      : undefined;

    if (reason === 'canceled' || reason === 'timeout') {
      return { status: reason, rc: code, error: leftoverNote };
    }
    if (reason === 'error') {
      return { status: 'error', rc: code, error: String(req.redact(failure)) };
    }
    if (code === 0) return { status: 'successful', rc: 0 };
    if (
      code !== null &&
      (code === 2 || progress.failedTask || progress.stats)
    ) {
      return { status: 'failed', rc: code };
    }
    const why =
      code === null ? `killed by ${signal}` : `exited with code ${code}`;
    const details = tail.join('\n').trim();
    return {
      status: 'error',
      rc: code,
      error: String(
        req.redact(
          details
            ? `ansible-runner ${why}: ${details}`
            : `ansible-runner ${why}`,
        ),
      ),
    };
  } finally {
    done = true;
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) {
      // Only reached when something above threw: never leave a run behind.
      await killTree(tree, 1000);
    }
  }
}
