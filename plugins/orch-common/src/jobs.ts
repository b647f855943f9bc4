/**
 * Every state a Job can be in. A job only moves forward:
 * `PENDING → RUNNING → SUCCESS | ERROR | CANCELED` (or straight from
 * `PENDING` to `CANCELED`).
 * @public
 */
export const JOB_STATUSES = [
  'PENDING',
  'RUNNING',
  'SUCCESS',
  'ERROR',
  'CANCELED',
] as const;

/** @public */
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Statuses after which nothing changes any more.
 * @public
 */
export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'SUCCESS',
  'ERROR',
  'CANCELED',
]);

/**
 * Whether a job in this status has ended.
 * @public
 */
export function isFinalJobStatus(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.has(status);
}

/**
 * A job as the API returns it. `inputs` never holds a secret value: secret
 * fields are masked (`{ set: true }`).
 * @public
 */
export type Job = {
  id: string;
  runbookName: string;
  runbookVersion: string;
  status: JobStatus;
  environment: string;
  inputs: Record<string, unknown>;
  /** Values the playbook returned with `set_stats`. */
  outputs?: Record<string, unknown>;
  error?: string;
  /** Exit code of ansible-runner, when it ran. */
  rc?: number;
  createdBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** 1 for the first run; higher when a lost worker's job was retried. */
  attempt: number;
  /** Id of the worker that owns (or owned) the job. */
  worker?: string;
  heartbeatAt?: string;
  parentJobId?: string;
  /** Connection ids the job uses. */
  connections: string[];
  cancelRequested: boolean;
  /**
   * `runbook` for one playbook run; `project` for a project install, whose
   * steps are child jobs. Absent means `runbook`.
   */
  kind?: JobKind;
  /** The project a `project` job installs (and, for a child, belongs to). */
  project?: JobProjectRef;
  /** For a child of a project install: the manifest step it runs, from 0. */
  stepIndex?: number;
};

/**
 * Kinds of job.
 * @public
 */
export type JobKind = 'runbook' | 'project';

/**
 * Which project a job installs: its name, and for a GitHub project the
 * repository and ref the manifest was read at.
 * @public
 */
export type JobProjectRef = {
  name: string;
  repository?: string;
  ref?: string;
};

/**
 * Outcome of one task on one host.
 * @public
 */
export type HostResultStatus =
  | 'ok'
  | 'changed'
  | 'failed'
  | 'skipped'
  | 'unreachable';

/**
 * One task of a play, with its per-host results, folded from runner events.
 * @public
 */
export type JobStep = {
  /** Order of the task within the job, from 1. */
  index: number;
  play: string;
  task: string;
  /**
   * A task's folded result; a project install's step (a child job) also
   * ends `canceled` when the child was canceled.
   */
  status: 'running' | 'canceled' | HostResultStatus;
  hosts: Record<string, { status: HostResultStatus; message?: string }>;
  startedAt: string;
  finishedAt?: string;
  /** Sequence number of the event that started the task (jump target). */
  firstSeq: number;
  /** For a step of a project install: the child job that runs it. */
  childJobId?: string;
};

/**
 * One redacted runner event. `seq` is ansible-runner's `counter`, unique and
 * increasing within a job: SSE ids and pagination cursors are built on it.
 * @public
 */
export type JobEvent = {
  jobId: string;
  seq: number;
  ts: string;
  level: 'debug' | 'info' | 'warning' | 'error';
  /** Runner event name, e.g. `runner_on_ok`, `playbook_on_task_start`. */
  type: string;
  host?: string;
  task?: string;
  stdout: string;
  data?: Record<string, unknown>;
};

/**
 * Names of the artifacts every finished job has.
 * @public
 */
export const JOB_ARTIFACT_NAMES = [
  'output.json',
  'logs.ndjson',
  'artifacts.tar.gz',
] as const;

/** @public */
export type JobArtifactName = (typeof JOB_ARTIFACT_NAMES)[number];
