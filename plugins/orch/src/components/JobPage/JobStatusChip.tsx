import Chip, { type ChipProps } from '@mui/material/Chip';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  HostResultStatus,
  JobStatus,
  JobStep,
} from '@internal/backstage-plugin-orch-common';
import { orchTranslationRef } from '../../translations/ref';

const JOB_COLORS: Record<JobStatus, ChipProps['color']> = {
  PENDING: 'default',
  RUNNING: 'info',
  SUCCESS: 'success',
  ERROR: 'error',
  CANCELED: 'warning',
};

/** A job's status as a coloured chip, with text (never colour alone). */
export function JobStatusChip(props: {
  status: JobStatus;
  size?: ChipProps['size'];
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Chip
      label={t(`jobPage.status.${props.status}`)}
      color={JOB_COLORS[props.status]}
      size={props.size ?? 'medium'}
      variant={props.status === 'PENDING' ? 'outlined' : 'filled'}
      data-testid="job-status"
    />
  );
}

const STEP_COLORS: Record<
  JobStep['status'] | HostResultStatus,
  ChipProps['color']
> = {
  running: 'info',
  canceled: 'warning',
  ok: 'success',
  changed: 'warning',
  failed: 'error',
  unreachable: 'error',
  skipped: 'default',
};

/** A task's or a host's result as a small chip. */
export function StepStatusChip(props: {
  status: JobStep['status'] | HostResultStatus;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Chip
      label={t(`jobPage.steps.status.${props.status}`)}
      color={STEP_COLORS[props.status]}
      size="small"
      variant="outlined"
    />
  );
}
