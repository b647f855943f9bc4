import { useState } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Incident } from '@internal/backstage-plugin-portainer-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import Stack from '@mui/material/Stack';
import { portainerApiRef } from '../../api/PortainerClient';
import { errorStatus } from '../../api/runbooksApi';
import { orchTranslationRef } from '../../translations/ref';
import { errorMessage } from '../Settings/apiErrors';

/**
 * Acknowledge and Resolve, shown only to those whose roles manage incidents
 * (the server checks again). A 409 means someone (or the quiet period)
 * resolved it first: the page reloads to show it.
 */
export function IncidentActions(props: {
  incident: Incident;
  allowed: boolean;
  onChanged: (incident?: Incident) => void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const { incident } = props;
  if (!props.allowed || incident.status === 'resolved') return null;

  const act = async (action: 'ack' | 'resolve') => {
    setBusy(true);
    setError(undefined);
    try {
      const updated =
        action === 'ack'
          ? await api.acknowledgeIncident(incident.id)
          : await api.resolveIncident(incident.id);
      setDone(
        action === 'ack'
          ? t('incidents.acknowledged')
          : t('incidents.resolved'),
      );
      props.onChanged(updated);
    } catch (e) {
      const status = errorStatus(e);
      if (status === 409) {
        setError(t('incidents.alreadyResolved'));
        props.onChanged();
      } else if (status === 403) {
        setError(t('incidents.actionForbidden'));
      } else {
        setError(errorMessage(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack alignItems="flex-end" spacing={1}>
      <Stack direction="row" spacing={1}>
        {incident.status === 'open' && (
          <Button variant="outlined" disabled={busy} onClick={() => act('ack')}>
            {t('incidents.acknowledge')}
          </Button>
        )}
        <Button
          variant="contained"
          disabled={busy}
          onClick={() => act('resolve')}
        >
          {t('incidents.resolve')}
        </Button>
      </Stack>
      {error && (
        <Alert severity="error" onClose={() => setError(undefined)}>
          {error}
        </Alert>
      )}
      <Snackbar
        open={done !== undefined}
        autoHideDuration={4000}
        onClose={() => setDone(undefined)}
        message={done}
      />
    </Stack>
  );
}
