/**
 * One event emitted by ansible-runner (`ansible-runner run --json` prints one
 * per line; the same object lands in `artifacts/<ident>/job_events/`).
 * `counter` starts at 1 and increases by one per event; the last event of a
 * playbook that ran to the end is `playbook_on_stats`.
 * @public
 */
export type RunnerEvent = {
  uuid: string;
  counter: number;
  stdout: string;
  event: string;
  created: string;
  start_line?: number;
  end_line?: number;
  runner_ident?: string;
  pid?: number;
  parent_uuid?: string;
  event_data?: Record<string, any>;
};

/**
 * What {@link executeRunbook} needs to run one playbook.
 * @public
 */
export type ExecuteRequest = {
  /** Job id: ansible-runner `--ident` and the artifacts folder name; `^[A-Za-z0-9][A-Za-z0-9_.-]*$`. */
  jobId: string;
  /** The runbooks root (playbooks/, inventory/, roles/, ansible.cfg); used read-only. */
  projectDir: string;
  /** Playbook path relative to `projectDir`, e.g. `playbooks/hello.yml`. */
  playbook: string;
  /** Inventory path relative to `projectDir`; default `inventory/hosts.yml`. */
  inventory?: string;
  /** User inputs and orch vars; every string leaf is written `!unsafe`. */
  extravars: Record<string, unknown>;
  /** Secret inputs the runbook declares; also extravars, also `!unsafe`. */
  secrets: Record<string, string>;
  /**
   * Files such as private keys, written 0600 under `<datadir>/files/` and
   * exposed to the playbook as the extravar `orch_files_dir`.
   * `name` must match `^[A-Za-z0-9_.-]+$` (and not be `.` or `..`).
   */
  files?: Array<{ name: string; content: string }>;
  /** Wall-clock limit; the whole process tree is killed after it. */
  timeoutMs: number;
  /** Aborting it cancels the run (the whole process tree is killed). */
  signal?: AbortSignal;
  /** Parent of the private data dirs; created 0700 if missing. */
  dataRoot: string;
  /** Final artifacts go to `<artifactsRoot>/<jobId>/`. */
  artifactsRoot: string;
  /** Applied (deep) to every event before `onEvent` and before anything is written to artifacts. */
  redact: (value: unknown) => unknown;
  /** Called in counter order while the run is going on; awaited (backpressure). */
  onEvent: (event: RunnerEvent) => void | Promise<void>;
};

/**
 * The outcome of {@link executeRunbook}.
 * @public
 */
export type ExecuteResult = {
  /**
   * `successful` (rc 0), `failed` (a task failed or a host was unreachable),
   * `canceled` (signal aborted), `timeout` (`timeoutMs` elapsed) or `error`
   * (ansible-runner missing, bad request, bad playbook, syntax error, ...).
   */
  status: 'successful' | 'failed' | 'canceled' | 'timeout' | 'error';
  /** Exit code of ansible-runner; null when it was not started or died from a signal. */
  rc: number | null;
  /** `playbook_on_stats` event_data (ok/failures/changed/... per host). */
  stats?: Record<string, unknown>;
  /** `set_stats` data: `playbook_on_stats` event_data.artifact_data (redacted). */
  outputs: Record<string, unknown>;
  /** Name of the first failed task (runner_on_failed / runner_on_unreachable, not ignored). */
  failedTask?: string;
  /**
   * The first line of that task's `msg` when it is a `fail` or `assert`
   * task: the runbook author's own words for the user (redacted).
   */
  failedMessage?: string;
  /** Readable reason, for status `error` (redacted). */
  error?: string;
  /** Number of events passed to `onEvent`. */
  eventCount: number;
};
