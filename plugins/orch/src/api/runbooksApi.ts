import { useMemo } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  Connection,
  Job,
  JobStatus,
  Runbook,
} from '@internal/backstage-plugin-orch-common';
import { orchApiRef, type OrchApi } from './OrchClient';

/** What `POST /v1/runbooks/:name/execute` takes. @public */
export type ExecuteRunbookRequest = {
  inputs: Record<string, unknown>;
  environment: string;
  /** Connection ids, at most one per type the runbook declares. */
  connections?: string[];
};

/** Filters and page of `GET /v1/jobs`; empty values are left out. @public */
export type JobListQuery = {
  status?: JobStatus[];
  runbook?: string;
  environment?: string;
  /** Entity ref of who started the job, e.g. `user:default/ada`. */
  createdBy?: string;
  cursor?: string;
  limit?: number;
};

/** One page of jobs, newest first. @public */
export type JobListPage = { items: Job[]; nextCursor?: string };

/** A 400's failing field, as Orch's API lists them. @public */
export type ApiFieldError = { field: string; message: string };

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The calls of the runbook catalog, the execute form and the jobs list, on
 * top of the shared {@link OrchApi} client.
 * @public
 */
export class RunbooksClient {
  constructor(private readonly orch: OrchApi) {}

  async listRunbooks(
    filter: { category?: string; environment?: string } = {},
  ): Promise<Runbook[]> {
    const page = await this.orch.request<{ items: Runbook[] }>(
      'GET',
      `/v1/runbooks${query(filter)}`,
    );
    return page.items;
  }

  getRunbook(name: string): Promise<Runbook> {
    return this.orch.request<Runbook>(
      'GET',
      `/v1/runbooks/${encodeURIComponent(name)}`,
    );
  }

  /** Queues a job; a worker runs it. Resolves with the new job's id. */
  execute(
    name: string,
    request: ExecuteRunbookRequest,
  ): Promise<{ jobId: string }> {
    return this.orch.request<{ jobId: string }>(
      'POST',
      `/v1/runbooks/${encodeURIComponent(name)}/execute`,
      request,
    );
  }

  listJobs(q: JobListQuery = {}): Promise<JobListPage> {
    return this.orch.request<JobListPage>(
      'GET',
      `/v1/jobs${query({
        status: q.status?.length ? q.status.join(',') : undefined,
        runbook: q.runbook,
        environment: q.environment,
        createdBy: q.createdBy,
        cursor: q.cursor,
        limit: q.limit,
      })}`,
    );
  }

  async listConnections(filter: {
    type?: string;
    environment?: string;
  }): Promise<Connection[]> {
    const page = await this.orch.request<{ items: Connection[] }>(
      'GET',
      `/v1/connections${query(filter)}`,
    );
    return page.items;
  }
}

/** A {@link RunbooksClient} over the app's Orch client. @public */
export function useRunbooksClient(): RunbooksClient {
  const orch = useApi(orchApiRef);
  return useMemo(() => new RunbooksClient(orch), [orch]);
}

/** The HTTP status of a failed call, if the server answered. @public */
export function errorStatus(error: unknown): number | undefined {
  return error instanceof ResponseError ? error.response.status : undefined;
}

/** The server's message of a failed call, else the error's own. @public */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The failing fields of a 400 answer; empty for anything else. @public */
export function apiFieldErrors(error: unknown): ApiFieldError[] {
  if (!(error instanceof ResponseError)) return [];
  const fields = (error.body as { fields?: unknown }).fields;
  return Array.isArray(fields)
    ? fields.filter(
        (f): f is ApiFieldError =>
          typeof f?.field === 'string' && typeof f?.message === 'string',
      )
    : [];
}
