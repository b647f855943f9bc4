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
import type { Job } from '@internal/backstage-plugin-orch-common';
import type { JobArtifact, JobsClient } from '../../api/jobsApi';
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

function When(props: { iso?: string }) {
  if (!props.iso) return <>—</>;
  return (
    <time dateTime={props.iso} title={props.iso}>
      {new Date(props.iso).toLocaleString()}
    </time>
  );
}

function inputText(value: unknown): string {
  if (isMasked(value)) return '•••••••• (secret)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The job's inputs as the API returns them: secrets stay masked. */
export function JobInputs(props: { inputs: Record<string, unknown> }) {
  const entries = Object.entries(props.inputs);
  if (entries.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No inputs.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Inputs">
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
              {inputText(value)}
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
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  if (props.artifacts.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {props.final
          ? 'No artifact was written.'
          : 'Logs and artifacts are ready for download when the job ends.'}
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
            aria-label={`${a.name} · ${formatBytes(a.size)}, download`}
          >
            {a.name} · {formatBytes(a.size)}
          </Button>
        ))}
      </Box>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          Download failed: {error.message}
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
  const started = job.startedAt ? Date.parse(job.startedAt) : undefined;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : undefined;
  const duration =
    started !== undefined ? formatDuration((ended ?? now) - started) : '—';
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, mb: 2 }}
      component="section"
      aria-label="Job summary"
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
            Cancel requested
          </Typography>
        )}
        <Box sx={{ flex: 1 }} />
        {props.actions}
      </Box>
      <Box
        component="dl"
        sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, mt: 2, mb: 0 }}
      >
        <Fact label="Environment">{job.environment}</Fact>
        <Fact label="Launched by">{shortRef(job.createdBy)}</Fact>
        <Fact label="Created">
          <When iso={job.createdAt} />
        </Fact>
        <Fact label="Started">
          <When iso={job.startedAt} />
        </Fact>
        <Fact label="Duration">
          <span data-testid="job-duration">{duration}</span>
        </Fact>
        {job.attempt > 1 && <Fact label="Attempt">{job.attempt}</Fact>}
        <Fact label="Job id">
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
