import { useMemo, useState } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import Typography from '@mui/material/Typography';
import { portainerApiRef } from '../../api/PortainerClient';
import { orchTranslationRef } from '../../translations/ref';
import { LogViewer } from '../LogViewer';
import { createLineLogSource } from './lineLogSource';

/** Lines asked for first when following a container. */
export const DEFAULT_TAIL = 500;

/**
 * A container's output followed live in the job log viewer: the last
 * `tail` lines, then every new line as it comes (SSE, resumed after a
 * dropped connection), the viewer following the tail until the reader
 * scrolls up. stderr lines have a red number.
 */
export function ContainerLogView(props: {
  endpointId: string;
  containerId: string;
  name: string;
  tail?: number;
  height?: number | string;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const [ended, setEnded] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  const { endpointId, containerId } = props;
  const tail = props.tail ?? DEFAULT_TAIL;
  const source = useMemo(
    () =>
      createLineLogSource({
        follow: (handlers, signal) =>
          api.followLogs(endpointId, containerId, { tail }, handlers, signal),
        onEnd: () => setEnded(true),
        onConnection: state => setReconnecting(state === 'reconnecting'),
      }),
    [api, endpointId, containerId, tail],
  );
  return (
    <div data-testid="container-log">
      <Typography variant="body2" color="text.secondary" mb={1}>
        {t('monitoring.logs.stderrLegend')}
      </Typography>
      {reconnecting && (
        <Alert severity="warning" sx={{ mb: 1 }}>
          {t('monitoring.logs.reconnecting')}
        </Alert>
      )}
      {ended && (
        <Alert severity="info" sx={{ mb: 1 }} role="status">
          {t('monitoring.logs.ended')}
        </Alert>
      )}
      <LogViewer
        // A new container or tail is a new log.
        key={`${endpointId}/${containerId}/${tail}`}
        source={source}
        lastSeq={0}
        live
        height={props.height ?? '60vh'}
        ariaLabel={t('monitoring.logs.region', { name: props.name })}
        countLabel={count => t('monitoring.logs.lines', { count })}
        emptyText={{
          live: t('monitoring.logs.waiting'),
          over: t('monitoring.logs.noOutput'),
        }}
      />
    </div>
  );
}
