import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { JobStatus } from '@internal/backstage-plugin-orch-common';
import Chip, { type ChipProps } from '@mui/material/Chip';
import { orchTranslationRef } from '../../translations/ref';

const COLORS: Record<JobStatus, ChipProps['color']> = {
  PENDING: 'default',
  RUNNING: 'info',
  SUCCESS: 'success',
  ERROR: 'error',
  CANCELED: 'warning',
};

/** A job's status as a small coloured chip; the text says it too. @public */
export function JobStatusChip(props: { status: JobStatus }) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Chip
      size="small"
      variant="outlined"
      color={COLORS[props.status]}
      label={t(`common.status.${props.status}`)}
      data-status={props.status}
    />
  );
}
