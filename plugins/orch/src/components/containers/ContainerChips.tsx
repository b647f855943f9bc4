import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  ContainerHealth,
  ContainerState,
} from '@internal/backstage-plugin-portainer-common';
import Chip, { type ChipProps } from '@mui/material/Chip';
import { orchTranslationRef } from '../../translations/ref';

const STATE_COLORS: Record<ContainerState, ChipProps['color']> = {
  created: 'default',
  restarting: 'warning',
  running: 'success',
  removing: 'default',
  paused: 'default',
  exited: 'default',
  dead: 'error',
};

const HEALTH_COLORS: Record<ContainerHealth, ChipProps['color']> = {
  healthy: 'success',
  unhealthy: 'error',
  starting: 'info',
  none: 'default',
};

/** A container's state; an exit code other than 0 shows in red. */
export function ContainerStateChip(props: {
  state: ContainerState;
  exitCode?: number;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const { state, exitCode } = props;
  const failed = state === 'exited' && exitCode !== undefined && exitCode !== 0;
  let label: string;
  if (state === 'exited') {
    label =
      exitCode === undefined
        ? t('monitoring.states.exitedNoCode')
        : t('monitoring.states.exited', { code: String(exitCode) });
  } else {
    label = t(`monitoring.states.${state}`);
  }
  return (
    <Chip
      size="small"
      variant="outlined"
      color={failed ? 'error' : STATE_COLORS[state] ?? 'default'}
      label={label}
      data-state={state}
    />
  );
}

/** A container's healthcheck status; nothing loud for "no healthcheck". */
export function ContainerHealthChip(props: { health: ContainerHealth }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const health = props.health ?? 'none';
  return (
    <Chip
      size="small"
      variant={health === 'none' ? 'filled' : 'outlined'}
      color={HEALTH_COLORS[health] ?? 'default'}
      label={t(`monitoring.health.${health}`)}
      data-health={health}
    />
  );
}
