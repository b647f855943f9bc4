import { useCallback, useMemo, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import Grid from '@mui/material/Grid';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import {
  Content,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  fetchApiRef,
  useApi,
  useRouteRef,
  useRouteRefParams,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { isFinalJobStatus } from '@internal/backstage-plugin-orch-common';
import useInterval from 'react-use/esm/useInterval';
import { orchApiRef } from '../../api/OrchClient';
import { JobsClient } from '../../api/jobsApi';
import { jobRouteRef } from '../../routes';
import { orchTranslationRef } from '../../translations/ref';
import { LogViewer, type LogSource, type LogViewerHandle } from '../LogViewer';
import { JobActions } from './JobActions';
import { JobDownloads, JobHeader, JobInputs } from './JobHeader';
import { StepTimeline } from './StepTimeline';
import { useJob } from './useJob';

function Section(props: {
  title: string;
  children: React.ReactNode;
  id?: string;
}) {
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, mb: 2 }}
      component="section"
      aria-labelledby={props.id}
    >
      <Typography variant="h6" component="h2" id={props.id} sx={{ mb: 1 }}>
        {props.title}
      </Typography>
      {props.children}
    </Paper>
  );
}

/** `/jobs/:id`: one job, its steps and its live log. */
export function JobView(props: { jobId: string }) {
  const { jobId } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const fetchApi = useApi(fetchApiRef);
  const client = useMemo(
    () => new JobsClient(orchApi, fetchApi),
    [orchApi, fetchApi],
  );
  const { detail, error, loading, setStatus, setJob, reload } = useJob(
    client,
    jobId,
  );
  const viewer = useRef<LogViewerHandle>(null);
  const logSection = useRef<HTMLDivElement>(null);
  const jobLink = useRouteRef(jobRouteRef);
  const [now, setNow] = useState(() => Date.now());
  const running = detail ? !isFinalJobStatus(detail.job.status) : false;
  useInterval(() => setNow(Date.now()), running ? 1000 : null);

  const source = useMemo<LogSource>(
    () => ({
      fetchEvents: query => client.listEvents(jobId, query),
      follow: (after, handlers, signal) =>
        client.streamLogs(jobId, after, handlers, signal),
    }),
    [client, jobId],
  );
  // The viewer follows the stream when the job was not over on the first
  // read; the stream itself says when it ends.
  const opened = useRef<{ jobId: string; lastSeq: number; live: boolean }>();
  if (detail && opened.current?.jobId !== jobId) {
    opened.current = {
      jobId,
      lastSeq: detail.lastSeq,
      live: !isFinalJobStatus(detail.job.status),
    };
  }

  const showInLog = useCallback((seq: number) => {
    viewer.current?.jumpTo(seq);
    logSection.current?.scrollIntoView?.({
      block: 'start',
      behavior: 'smooth',
    });
  }, []);

  if (error && !detail) {
    return <ResponseErrorPanel error={error} title={t('jobPage.loadError')} />;
  }
  if (!detail || !opened.current) {
    return loading ? <Progress /> : null;
  }
  const { job, steps, artifacts } = detail;
  const final = isFinalJobStatus(job.status);

  return (
    <Box>
      <JobHeader
        job={job}
        now={now}
        actions={
          <JobActions
            job={job}
            client={client}
            onCanceled={j => {
              setJob(j);
              reload();
            }}
            jobPath={id =>
              jobLink ? jobLink({ id }) : `/jobs/${encodeURIComponent(id)}`
            }
          />
        }
      />
      <Grid container spacing={2}>
        <Grid item xs={12} lg={4}>
          <Section title={t('jobPage.sections.steps')} id="orch-job-steps">
            <StepTimeline
              steps={steps}
              now={now}
              pending={!final}
              onShowInLog={showInLog}
            />
          </Section>
          <Section title={t('jobPage.sections.inputs')} id="orch-job-inputs">
            <JobInputs inputs={job.inputs} />
          </Section>
          <Section
            title={t('jobPage.sections.downloads')}
            id="orch-job-downloads"
          >
            <JobDownloads
              jobId={job.id}
              artifacts={artifacts}
              client={client}
              final={final}
            />
          </Section>
        </Grid>
        <Grid item xs={12} lg={8}>
          <div ref={logSection}>
            <Section title={t('jobPage.sections.log')} id="orch-job-log">
              <LogViewer
                key={jobId}
                ref={viewer}
                source={source}
                lastSeq={opened.current.lastSeq}
                live={opened.current.live}
                onStatus={setStatus}
                onEnd={setStatus}
              />
            </Section>
          </div>
        </Grid>
      </Grid>
    </Box>
  );
}

/** The page of the `/jobs/:id` route. */
export function JobPage() {
  const { id } = useRouteRefParams(jobRouteRef);
  return (
    <Content>
      <JobView jobId={id} />
    </Content>
  );
}
