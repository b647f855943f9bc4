import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import Link from '@mui/material/Link';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { useJobLink } from '../../hooks/useJobLink';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { JobStatusChip } from '../Dashboard/JobStatusChip';

/** `user:default/ada` → `ada`; other refs stay whole. */
export function shortUser(ref: string): string {
  return ref.startsWith('user:default/')
    ? ref.slice('user:default/'.length)
    : ref;
}

/**
 * One page of jobs. The runbook cell is the row's link to the job page (for
 * the keyboard and screen readers); a click anywhere on the row opens it too.
 */
export function JobsTable(props: { jobs: Job[]; now: number }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const jobLink = useJobLink();
  const navigate = useNavigate();
  return (
    <TableContainer>
      <Table size="small" aria-label={t('jobs.table')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('jobs.columns.status')}</TableCell>
            <TableCell>{t('jobs.columns.runbook')}</TableCell>
            <TableCell>{t('jobs.columns.environment')}</TableCell>
            <TableCell>{t('jobs.columns.createdBy')}</TableCell>
            <TableCell>{t('jobs.columns.createdAt')}</TableCell>
            <TableCell>{t('jobs.columns.duration')}</TableCell>
            <TableCell>{t('jobs.columns.id')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.jobs.map(job => {
            const href = jobLink(job.id);
            return (
              <TableRow
                key={job.id}
                hover
                data-testid={`job-row-${job.id}`}
                onClick={e => {
                  // Links and selected text keep their own behaviour.
                  if ((e.target as HTMLElement).closest('a')) return;
                  if (window.getSelection()?.toString()) return;
                  navigate(href);
                }}
                sx={{ cursor: 'pointer' }}
              >
                <TableCell>
                  <JobStatusChip status={job.status} />
                </TableCell>
                <TableCell>
                  <Link
                    component={RouterLink}
                    to={href}
                    aria-label={t('jobs.openJob', {
                      id: job.id.slice(0, 8),
                      runbook: job.runbookName,
                    })}
                  >
                    {job.runbookName}
                  </Link>
                  <Typography
                    component="span"
                    variant="body2"
                    color="text.secondary"
                    ml={1}
                  >
                    v{job.runbookVersion}
                    {job.attempt > 1 &&
                      ` · ${t('jobs.attempt', {
                        attempt: String(job.attempt),
                      })}`}
                  </Typography>
                </TableCell>
                <TableCell>{job.environment}</TableCell>
                <TableCell title={job.createdBy}>
                  {shortUser(job.createdBy)}
                </TableCell>
                <TableCell>
                  <time
                    dateTime={job.createdAt}
                    title={fmt.dateTime(job.createdAt)}
                  >
                    {fmt.ago(job.createdAt, props.now)}
                  </time>
                </TableCell>
                <TableCell>
                  {fmt.duration(job.startedAt, job.finishedAt, props.now)}
                </TableCell>
                <TableCell sx={{ fontFamily: 'monospace' }} title={job.id}>
                  {job.id.slice(0, 8)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
