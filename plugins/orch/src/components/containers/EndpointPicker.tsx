import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Endpoint } from '@internal/backstage-plugin-portainer-common';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { orchTranslationRef } from '../../translations/ref';

/** One line per endpoint: name, Docker version and swarm role, or "unreachable". */
export function useEndpointLabel() {
  const { t } = useTranslationRef(orchTranslationRef);
  return (e: Endpoint) =>
    e.status.reachable
      ? t('monitoring.endpointReachable', {
          name: e.name,
          version: e.status.version ?? '?',
          role: t(`monitoring.swarmRoles.${e.status.swarmRole ?? 'none'}`),
        })
      : t('monitoring.endpointUnreachable', { name: e.name });
}

/** Chooses one Docker endpoint (or, with `allowAll`, every endpoint). */
export function EndpointPicker(props: {
  endpoints: Endpoint[];
  value?: string;
  onChange: (id: string) => void;
  allowAll?: boolean;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const label = useEndpointLabel();
  return (
    <TextField
      select
      size="small"
      label={t('monitoring.endpoint')}
      value={props.value ?? ''}
      onChange={e => props.onChange(e.target.value)}
      sx={{ minWidth: 260 }}
      SelectProps={{ MenuProps: { disablePortal: false } }}
    >
      {props.allowAll && (
        <MenuItem value="">{t('monitoring.allEndpoints')}</MenuItem>
      )}
      {props.endpoints.map(e => (
        <MenuItem key={e.id} value={e.id}>
          {label(e)}
        </MenuItem>
      ))}
    </TextField>
  );
}
