import type {
  JobKind,
  JobProjectRef,
  Job,
  JobEvent,
  JobStatus,
  JobStep,
  Runbook,
  RunbookDescriptor,
} from '@internal/backstage-plugin-orch-common';

/**
 * A status a job ends in.
 * @public
 */
export type FinalJobStatus = 'SUCCESS' | 'ERROR' | 'CANCELED';

/**
 * What the caller knows about a new job. `inputs` must already be free of
 * secret values; the secrets travel only as `secretsEncrypted`.
 * @public
 */
export type CreateJobOptions = {
  id: string;
  runbookName: string;
  runbookVersion: string;
  environment: string;
  inputs: Record<string, unknown>;
  /** Opaque ciphertext of the secret inputs, kept until the job ends. */
  secretsEncrypted?: string;
  /** Connection ids the job uses. */
  connections?: string[];
  createdBy: string;
  parentJobId?: string;
  /** @defaultValue 'runbook' */
  kind?: JobKind;
  /** The project a project install (or its child) belongs to. */
  project?: JobProjectRef;
  /** The validated manifest of a project install, as JSON. */
  projectManifest?: unknown;
  /** For a child of a project install: the manifest step, from 0. */
  stepIndex?: number;
  /** @defaultValue `new Date()` */
  now?: Date;
};

/**
 * Filters of {@link JobStore.listJobs}; all given filters must match. An
 * empty `status` list is the same as no status filter.
 * @public
 */
export type ListJobsFilter = {
  status?: JobStatus[];
  runbook?: string;
  environment?: string;
  createdBy?: string;
  parentJobId?: string;
  kind?: JobKind;
};

/**
 * Which page of {@link JobStore.listJobs} to read.
 * @public
 */
export type ListJobsPage = {
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string;
  /** Page size, a positive integer. */
  limit: number;
};

/**
 * One page of jobs, newest first.
 * @public
 */
export type ListJobsResult = {
  items: Job[];
  /** Present when more jobs follow. */
  nextCursor?: string;
};

/**
 * How a job ended.
 * @public
 */
export type FinishJobOptions = {
  status: FinalJobStatus;
  outputs?: Record<string, unknown>;
  error?: string;
  rc?: number;
  /** @defaultValue `new Date()` */
  now?: Date;
  /** When given, only this worker's job is finished. */
  workerId?: string;
};

/**
 * Result of {@link JobStore.requestCancel}. `immediate` is true when the job
 * was still pending and is now `CANCELED`; a running job only gets
 * `cancelRequested` and its worker stops it; a final job is returned as is.
 * @public
 */
export type RequestCancelResult = {
  job: Job;
  immediate: boolean;
};

/**
 * Which events {@link JobStore.listEvents} returns.
 * @public
 */
export type ListEventsOptions = {
  /** Only events with a greater `seq`. */
  after?: number;
  /**
   * Only events with a smaller `seq`. With `after` it bounds a window, so a
   * search of a huge log can go window by window, each answer quick.
   */
  before?: number;
  /** Page size, a positive integer. */
  limit: number;
  /** Case-insensitive substring of `stdout` or `task`, matched literally. */
  q?: string;
};

/**
 * One page of events in `seq` order.
 * @public
 */
export type ListEventsResult = {
  items: JobEvent[];
  /** The `after` for the next page; present when more events follow. */
  nextAfter?: number;
};

/**
 * Persistence of runbooks, jobs, their steps and events, shared by the
 * backend plugin and the worker.
 * @public
 */
export interface JobStore {
  /** Upserts descriptors by name, keeping `enabled`; never deletes. */
  syncRunbooks(descriptors: RunbookDescriptor[]): Promise<void>;
  listRunbooks(): Promise<Runbook[]>;
  getRunbook(name: string): Promise<Runbook | undefined>;
  /** Returns false when the runbook is unknown. */
  setRunbookEnabled(name: string, enabled: boolean): Promise<boolean>;

  /** Writes a `PENDING` job. */
  createJob(job: CreateJobOptions): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** The ciphertext of the job's secrets; undefined once the job ended. */
  getJobSecrets(id: string): Promise<string | undefined>;
  /** Newest first, with keyset pagination. Throws `InputError` on a bad cursor. */
  listJobs(filter: ListJobsFilter, page: ListJobsPage): Promise<ListJobsResult>;
  /** `PENDING → RUNNING` for this worker; undefined when not pending. */
  claimJob(id: string, workerId: string, now?: Date): Promise<Job | undefined>;
  /** Refreshes the heartbeat of a running job this worker owns. */
  heartbeat(id: string, workerId: string, now?: Date): Promise<boolean>;
  /** Ends a running (or cancels a pending) job; never changes a final one. */
  finishJob(id: string, options: FinishJobOptions): Promise<boolean>;
  requestCancel(
    id: string,
    now?: Date,
  ): Promise<RequestCancelResult | undefined>;
  /** `RUNNING → PENDING` for a job owned by this worker. */
  releaseJob(id: string, workerId: string): Promise<boolean>;
  /** Running jobs whose heartbeat is older than `heartbeatBefore`. */
  findStaleRunning(heartbeatBefore: Date, limit?: number): Promise<Job[]>;
  /** Ids of the jobs in this status, oldest first; only of `kind` when given. */
  listIdsByStatus(status: JobStatus, limit: number, kind?: JobKind): Promise<string[]>;
  /** The manifest a project install was created with. */
  getProjectManifest(id: string): Promise<unknown | undefined>;

  /** Inserts events, ignoring those already stored (same job and seq). */
  insertEvents(events: JobEvent[]): Promise<void>;
  listEvents(
    jobId: string,
    options: ListEventsOptions,
  ): Promise<ListEventsResult>;
  /** Highest stored `seq` of the job, 0 when it has none. */
  maxEventSeq(jobId: string): Promise<number>;
  countEvents(jobId: string): Promise<number>;

  /** Inserts or replaces steps by index. */
  upsertSteps(jobId: string, steps: JobStep[]): Promise<void>;
  /** Steps in index order. */
  listSteps(jobId: string): Promise<JobStep[]>;
}
