import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Runbook } from '@internal/backstage-plugin-orch-common';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Link as RouterLink } from 'react-router-dom';
import { orchTranslationRef } from '../../translations/ref';
import { RiskChip } from './RiskChip';

/**
 * One runbook of the catalog. `executePath` is left out for people who may
 * not run runbooks: they see no Execute button at all.
 */
export function RunbookCard(props: { runbook: Runbook; executePath?: string }) {
  const { runbook, executePath } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const titleId = `runbook-${runbook.name}-title`;
  return (
    <Card
      component="article"
      aria-labelledby={titleId}
      variant="outlined"
      data-testid={`runbook-${runbook.name}`}
      sx={{
        height: '100%',
        display: 'flex',
        flexDirection: 'column',
        opacity: runbook.enabled ? 1 : 0.7,
      }}
    >
      <CardContent sx={{ flexGrow: 1 }}>
        <Stack
          direction="row"
          justifyContent="space-between"
          alignItems="flex-start"
          spacing={1}
        >
          <Typography id={titleId} component="h2" variant="h6">
            {runbook.title}
          </Typography>
          {!runbook.enabled && (
            <Chip
              size="small"
              label={t('runbooks.disabled')}
              title={t('runbooks.disabledHelp')}
            />
          )}
        </Stack>
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ fontFamily: 'monospace' }}
        >
          {runbook.name} · v{runbook.version}
        </Typography>
        <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" my={1.5}>
          <Chip size="small" label={runbook.category} />
          <RiskChip risk={runbook.risk} />
        </Stack>
        <Typography variant="body2" mb={1.5}>
          {runbook.description}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {t('runbooks.environments')}:{' '}
          {runbook.environments.map((env, i) => (
            <span key={env}>
              {i > 0 && ', '}
              <strong>{env}</strong>
            </span>
          ))}
        </Typography>
        {runbook.connections.length > 0 && (
          <Typography variant="body2" color="text.secondary">
            {t('runbooks.needs', { types: runbook.connections.join(', ') })}
          </Typography>
        )}
        {!runbook.enabled && (
          <Typography variant="body2" color="text.secondary" mt={1}>
            {t('runbooks.disabledHelp')}
          </Typography>
        )}
      </CardContent>
      {executePath && runbook.enabled && (
        <CardActions sx={{ px: 2, pb: 2 }}>
          <Button
            component={RouterLink}
            to={executePath}
            variant="contained"
            size="small"
            startIcon={<PlayArrowIcon />}
            aria-label={t('runbooks.executeLabel', { title: runbook.title })}
          >
            {t('runbooks.execute')}
          </Button>
        </CardActions>
      )}
    </Card>
  );
}
