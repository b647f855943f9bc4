import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  IncidentTimelineEntry,
  IncidentTimelineKind,
} from '@internal/backstage-plugin-portainer-common';
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';

const COLORS: Record<
  IncidentTimelineKind,
  'error' | 'warning' | 'info' | 'success'
> = {
  opened: 'error',
  recurred: 'error',
  event: 'info',
  acknowledged: 'warning',
  resolved: 'success',
};

/** What happened to the incident, oldest first, as an ordered list. */
export function IncidentTimeline(props: { entries: IncidentTimelineEntry[] }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const theme = useTheme();
  if (props.entries.length === 0) {
    return (
      <Typography color="text.secondary">
        {t('incidents.timelineEmpty')}
      </Typography>
    );
  }
  const entries = [...props.entries].sort((a, b) => a.ts.localeCompare(b.ts));
  return (
    <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0 }}>
      {entries.map(entry => (
        <Box
          component="li"
          key={entry.id}
          data-kind={entry.kind}
          sx={{
            borderLeft: `3px solid ${
              theme.palette[COLORS[entry.kind] ?? 'info'].main
            }`,
            pl: 1.5,
            py: 0.75,
            mb: 1,
          }}
        >
          <Typography variant="subtitle2" component="p">
            {t(`incidents.kinds.${entry.kind}`)}
            <Typography
              component="time"
              variant="body2"
              color="text.secondary"
              dateTime={entry.ts}
              title={fmt.dateTime(entry.ts)}
              sx={{ ml: 1 }}
            >
              {fmt.dateTime(entry.ts)}
            </Typography>
          </Typography>
          <Typography variant="body2">{entry.detail}</Typography>
        </Box>
      ))}
    </Box>
  );
}
