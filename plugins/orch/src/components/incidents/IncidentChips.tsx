import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  Incident,
  IncidentStatus,
} from '@internal/backstage-plugin-portainer-common';
import Chip, { type ChipProps } from '@mui/material/Chip';
import { orchTranslationRef } from '../../translations/ref';

const STATUS_COLORS: Record<IncidentStatus, ChipProps['color']> = {
  open: 'error',
  acknowledged: 'warning',
  resolved: 'success',
};

/** Open (red), acknowledged (amber), resolved (green); the text says it too. */
export function IncidentStatusChip(props: { status: IncidentStatus }) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Chip
      size="small"
      variant="outlined"
      color={STATUS_COLORS[props.status] ?? 'default'}
      label={t(`incidents.statuses.${props.status}`)}
      data-status={props.status}
    />
  );
}

/** Why the incident opened, with the exit code of a `die`. */
export function useReasonLabel() {
  const { t } = useTranslationRef(orchTranslationRef);
  return (incident: Pick<Incident, 'reason' | 'exitCode'>) =>
    incident.reason === 'die' && incident.exitCode !== undefined
      ? t('incidents.reasonExit', { code: String(incident.exitCode) })
      : t(`incidents.reasons.${incident.reason}`);
}
