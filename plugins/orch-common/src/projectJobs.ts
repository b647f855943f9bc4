import type { Job, JobStatus } from './jobs';

/**
 * Body of `POST /api/orch/v1/projects/install`.
 * @public
 */
export type ProjectInstallRequest = {
  /** The project's name: `runbooks/manifests/<project>/orch.yaml`. */
  project: string;
  /** `owner/name` of a GitHub repository holding the manifest. */
  repository?: string;
  /** Tag, branch or commit of `repository`. */
  ref?: string;
  /** Values of the manifest's `spec.inputs`. */
  inputs?: Record<string, unknown>;
  environment: string;
  /** Validate and resolve the plan without enqueueing anything. */
  dryRun?: boolean;
};

/**
 * One step of a resolved install plan. Inputs are rendered from the
 * project's inputs as far as they can be before anything ran: a value that
 * depends on an earlier step's outputs keeps its template text, and secret
 * values are masked.
 * @public
 */
export type ProjectPlanStep = {
  index: number;
  id: string;
  name?: string;
  runbook: string;
  inputs: Record<string, unknown>;
  when?: string;
  onFailure: 'stop' | 'continue' | 'rollback';
};

/**
 * What a dry run of an install answers: nothing was enqueued.
 * @public
 */
export type ProjectInstallPlan = {
  dryRun: true;
  project: string;
  repository?: string;
  ref?: string;
  environment: string;
  /** The project's inputs with defaults; secrets masked. */
  inputs: Record<string, unknown>;
  steps: ProjectPlanStep[];
  rollback: ProjectPlanStep[];
  /** The output templates of the manifest. */
  outputs: Record<string, string>;
};

/**
 * Status of one manifest step in a project install.
 * @public
 */
export type ProjectStepStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCESS'
  | 'ERROR'
  | 'CANCELED'
  | 'SKIPPED';

/**
 * One manifest step in an install report.
 * @public
 */
export type ProjectStepReport = {
  id: string;
  name?: string;
  runbook: string;
  status: ProjectStepStatus;
  /** The child job that ran the step; absent when skipped. */
  jobId?: string;
  /** Outputs of the child job. */
  outputs?: Record<string, unknown>;
  error?: string;
  /** Links to the child job's artifacts (`/api/orch/v1/jobs/:id/artifacts/...`). */
  artifacts?: string[];
  /** True for a step of the manifest's `rollback` list. */
  rollback?: boolean;
};

/**
 * The report a finished project install leaves as its outputs (and its
 * `output.json`).
 * @public
 */
export type ProjectInstallReport = {
  project: string;
  environment: string;
  status: JobStatus;
  /** The manifest's `spec.outputs`, rendered. */
  outputs: Record<string, unknown>;
  steps: ProjectStepReport[];
  /** Whether the manifest's rollback steps ran. */
  rolledBack: boolean;
};

/**
 * `GET /api/orch/v1/jobs/:id` of a project install also lists its children.
 * @public
 */
export type JobChildSummary = Pick<
  Job,
  'id' | 'runbookName' | 'status' | 'stepIndex' | 'createdAt' | 'finishedAt' | 'error'
>;
