import { useCallback, useEffect, useRef, useState } from 'react';
import {
  isFinalJobStatus,
  type Job,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import type { JobDetail, JobsClient } from '../../api/jobsApi';

/** How often a job that is not over is read again (steps, heartbeat). */
const POLL_MS = 3000;

/**
 * One job's detail, kept current: read again every few seconds until it
 * ends, and at once when the live stream reports a status or the end.
 */
export function useJob(client: JobsClient, id: string) {
  const [detail, setDetail] = useState<JobDetail>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(id);
  latest.current = id;

  const reload = useCallback(async () => {
    try {
      const next = await client.getJob(id);
      if (latest.current !== id) return;
      setDetail(next);
      setError(undefined);
    } catch (e) {
      if (latest.current === id) setError(e as Error);
    } finally {
      if (latest.current === id) setLoading(false);
    }
  }, [client, id]);

  useEffect(() => {
    setDetail(undefined);
    setError(undefined);
    setLoading(true);
    reload();
  }, [reload]);

  const final = detail ? isFinalJobStatus(detail.job.status) : false;
  const have = detail !== undefined;
  useEffect(() => {
    if (!have || final) return undefined;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [have, final, reload]);

  /** A status from the live stream, shown before the next read. */
  const setStatus = useCallback(
    (status: JobStatus, jobError?: string) => {
      setDetail(d =>
        d && d.job.status !== status
          ? {
              ...d,
              job: {
                ...d.job,
                status,
                ...(jobError ? { error: jobError } : {}),
              },
            }
          : d,
      );
      if (isFinalJobStatus(status)) reload();
    },
    [reload],
  );

  const setJob = useCallback(
    (job: Job) => setDetail(d => (d ? { ...d, job } : d)),
    [],
  );

  return { detail, error, loading, reload, setStatus, setJob };
}
