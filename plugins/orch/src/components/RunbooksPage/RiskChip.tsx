import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { RunbookRisk } from '@internal/backstage-plugin-orch-common';
import Chip, { type ChipProps } from '@mui/material/Chip';
import { orchTranslationRef } from '../../translations/ref';

const COLORS: Record<RunbookRisk, ChipProps['color']> = {
  low: 'success',
  medium: 'warning',
  high: 'error',
};

/** How risky a runbook is; the text says it, not only the colour. */
export function RiskChip(props: { risk: RunbookRisk }) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Chip
      size="small"
      variant="outlined"
      color={COLORS[props.risk] ?? 'default'}
      label={t('runbooks.risk', {
        risk: t(`runbooks.riskLevels.${props.risk}`),
      })}
      data-risk={props.risk}
    />
  );
}
