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
import { Link as RouterLink } from 'react-router-dom';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from './formatting';
import { JobLink } from './JobLink';
import { JobStatusChip } from './JobStatusChip';
import { WidgetCard } from './WidgetCard';

/** The ten newest jobs of the environment. */
export function RecentJobsCard(props: {
  jobs?: Job[];
  loading: boolean;
  error?: Error;
  onRetry: () => void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  return (
    <WidgetCard
      id="dashboard-recent"
      title={t('dashboard.recent.title')}
      loading={props.loading && !props.jobs}
      error={props.jobs ? undefined : props.error}
      onRetry={props.onRetry}
      retryLabel={t('common.retry')}
      action={
        <Link component={RouterLink} to="/jobs">
          {t('dashboard.recent.viewAll')}
        </Link>
      }
    >
      {props.jobs &&
        (props.jobs.length === 0 ? (
          <Typography color="text.secondary">
            {t('dashboard.recent.empty')}
          </Typography>
        ) : (
          <TableContainer>
            <Table size="small" aria-labelledby="dashboard-recent-title">
              <TableHead>
                <TableRow>
                  <TableCell>{t('dashboard.recent.runbook')}</TableCell>
                  <TableCell>{t('dashboard.recent.status')}</TableCell>
                  <TableCell>{t('dashboard.recent.environment')}</TableCell>
                  <TableCell>{t('dashboard.recent.createdBy')}</TableCell>
                  <TableCell>{t('dashboard.recent.createdAt')}</TableCell>
                  <TableCell>{t('dashboard.recent.duration')}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {props.jobs.map(job => (
                  <TableRow key={job.id} hover>
                    <TableCell>
                      <JobLink id={job.id}>{job.runbookName}</JobLink>
                    </TableCell>
                    <TableCell>
                      <JobStatusChip status={job.status} />
                    </TableCell>
                    <TableCell>{job.environment}</TableCell>
                    <TableCell>
                      {job.createdBy.replace(/^user:[^/]+\//, '')}
                    </TableCell>
                    <TableCell title={fmt.dateTime(job.createdAt)}>
                      {fmt.ago(job.createdAt)}
                    </TableCell>
                    <TableCell>
                      {fmt.duration(job.startedAt, job.finishedAt)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        ))}
    </WidgetCard>
  );
}
