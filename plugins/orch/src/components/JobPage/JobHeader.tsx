import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import type { JobArtifact, JobsClient } from '../../api/jobsApi';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { JobStatusChip } from './JobStatusChip';
import { formatBytes, formatDuration, isMasked, shortRef } from './format';

function Fact(props: { label: string; children: React.ReactNode }) {
  return (
    <Box sx={{ minWidth: 120 }}>
      <Typography variant="caption" color="text.secondary" component="dt">
        {props.label}
      </Typography>
      <Typography variant="body2" component="dd" sx={{ m: 0 }}>
        {props.children}
      </Typography>
    </Box>
  );
}

/** A date and time in the app's language. */
function When(props: { iso?: string }) {
  const fmt = useFormatters();
  if (!props.iso) return <>—</>;
  return (
    <time dateTime={props.iso} title={props.iso}>
      {fmt.dateTime(props.iso)}
    </time>
  );
}

function inputText(value: unknown, secret: string): string {
  if (isMasked(value)) return secret;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The job's inputs as the API returns them: secrets stay masked. */
export function JobInputs(props: { inputs: Record<string, unknown> }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const entries = Object.entries(props.inputs);
  if (entries.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {t('jobPage.inputs.none')}
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label={t('jobPage.inputs.label')}>
      <TableBody>
        {entries.map(([name, value]) => (
          <TableRow key={name}>
            <TableCell
              component="th"
              scope="row"
              sx={{ width: '30%', fontWeight: 500 }}
            >
              {name}
            </TableCell>
            <TableCell
              sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}
            >
              {inputText(value, t('jobPage.inputs.secret'))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Download buttons for logs.ndjson and the other artifacts. */
export function JobDownloads(props: {
  jobId: string;
  artifacts: JobArtifact[];
  client: JobsClient;
  final: boolean;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  if (props.artifacts.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {props.final
          ? t('jobPage.downloads.none')
          : t('jobPage.downloads.notYet')}
      </Typography>
    );
  }
  const download = async (artifact: JobArtifact) => {
    setBusy(artifact.name);
    setError(undefined);
    try {
      await props.client.download(artifact, `${props.jobId}-${artifact.name}`);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Box>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
        {props.artifacts.map(a => (
          <Button
            key={a.name}
            variant="outlined"
            size="small"
            disabled={busy === a.name}
            onClick={() => download(a)}
            // The accessible name starts with the visible text (WCAG 2.5.3).
            aria-label={t('jobPage.downloads.label', {
              name: a.name,
              size: formatBytes(a.size),
            })}
          >
            {a.name} · {formatBytes(a.size)}
          </Button>
        ))}
      </Box>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {t('jobPage.downloads.failed', { message: error.message })}
        </Alert>
      )}
    </Box>
  );
}

/** Status, runbook and version, environment, who, when and how long. */
export function JobHeader(props: {
  job: Job;
  now: number;
  actions?: React.ReactNode;
}) {
  const { job, now } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : undefined;
  const duration =
    started !== undefined ? formatDuration((ended ?? now) - started) : '—';
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, mb: 2 }}
      component="section"
      aria-label={t('jobPage.header.label')}
    >
      <Box
        sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 2 }}
      >
        <Typography variant="h5" component="h1">
          {job.runbookName}{' '}
          <Typography component="span" variant="body1" color="text.secondary">
            v{job.runbookVersion}
          </Typography>
        </Typography>
        <JobStatusChip status={job.status} />
        {job.cancelRequested && job.status === 'RUNNING' && (
          <Typography variant="body2" color="warning.main">
            {t('jobPage.header.cancelRequested')}
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        {props.actions}
      </Box>
      <Box
        component="dl"
        sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, mt: 2, mb: 0 }}
      >
        <Fact label={t('jobPage.header.environment')}>{job.environment}</Fact>
        <Fact label={t('jobPage.header.launchedBy')}>
          {shortRef(job.createdBy)}
        </Fact>
        <Fact label={t('jobPage.header.created')}>
          <When iso={job.createdAt} />
        </Fact>
        <Fact label={t('jobPage.header.started')}>
          <When iso={job.startedAt} />
        </Fact>
        <Fact label={t('jobPage.header.duration')}>
          <span data-testid="job-duration">{duration}</span>
        </Fact>
        {job.attempt > 1 && (
          <Fact label={t('jobPage.header.attempt')}>{job.attempt}</Fact>
        )}
        <Fact label={t('jobPage.header.jobId')}>
          <Box component="span" sx={{ fontFamily: 'monospace' }}>
            {job.id}
          </Box>
        </Fact>
      </Box>
      {job.error && (
        <Alert
          severity={job.status === 'CANCELED' ? 'warning' : 'error'}
          sx={{ mt: 2 }}
        >
          {job.error}
        </Alert>
      )}
    </Paper>
  );
}
