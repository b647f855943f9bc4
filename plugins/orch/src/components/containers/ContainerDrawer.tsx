import { useState } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import { Link as RouterLink } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { portainerApiRef } from '../../api/PortainerClient';
import { orchTranslationRef } from '../../translations/ref';
import { ContainerLogView } from '../ContainerLogs/ContainerLogView';
import { ContainerHealthChip, ContainerStateChip } from './ContainerChips';
import { MonitoringError } from './MonitoringError';
import { SpecView } from './SpecView';

/**
 * One container's detail beside the list: its spec (env redacted by the
 * server) and, for those who may read logs, its output followed live.
 */
export function ContainerDrawer(props: {
  endpointId: string;
  containerId?: string;
  /** The name from the list, shown before the detail loads. */
  name?: string;
  logsAllowed: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const { endpointId, containerId } = props;
  const [tab, setTab] = useState<'spec' | 'logs'>('spec');
  const detail = useAsyncRetry(
    async () =>
      containerId ? api.getContainer(endpointId, containerId) : undefined,
    [api, endpointId, containerId],
  );
  const name = detail.value?.name ?? props.name ?? containerId ?? '';
  const titleId = 'orch-container-drawer-title';

  let spec;
  if (detail.error) {
    spec = (
      <MonitoringError
        error={detail.error}
        title={t('containers.detailError')}
        onRetry={detail.retry}
      />
    );
  } else if (!detail.value) {
    spec = <CircularProgress aria-label={t('common.loading')} />;
  } else {
    spec = (
      <SpecView
        spec={{
          ...detail.value,
          state: {
            ...detail.value.stateDetail,
            exitCode:
              detail.value.state === 'exited' || detail.value.state === 'dead'
                ? detail.value.stateDetail.exitCode
                : undefined,
          },
        }}
        label={t('containers.tabs.spec')}
      />
    );
  }

  return (
    <Drawer
      anchor="right"
      open={!!containerId}
      onClose={props.onClose}
      PaperProps={{
        sx: { width: { xs: '100%', md: '60vw', xl: '50vw' }, p: 3 },
        role: 'dialog',
        'aria-labelledby': titleId,
      }}
    >
      {/* One block: the drawer's paper is a flex column that would squeeze the tabs. */}
      <Box>
        <Stack direction="row" alignItems="flex-start" spacing={1} mb={1}>
          <Box flex={1} minWidth={0}>
            <Typography
              id={titleId}
              component="h2"
              variant="h5"
              sx={{ wordBreak: 'break-all' }}
            >
              {t('containers.detailTitle', { name })}
            </Typography>
            {detail.value && (
              <Stack direction="row" spacing={1} mt={1}>
                <ContainerStateChip
                  state={detail.value.state}
                  exitCode={detail.value.stateDetail.exitCode}
                />
                <ContainerHealthChip health={detail.value.health} />
              </Stack>
            )}
          </Box>
          {props.logsAllowed && containerId && (
            <Button
              component={RouterLink}
              to={`/logs?endpoint=${encodeURIComponent(
                endpointId,
              )}&container=${encodeURIComponent(containerId)}`}
              size="small"
            >
              {t('containers.openLogs')}
            </Button>
          )}
          <IconButton aria-label={t('common.close')} onClick={props.onClose}>
            <CloseIcon />
          </IconButton>
        </Stack>
        <Tabs
          value={props.logsAllowed ? tab : 'spec'}
          onChange={(_, value) => setTab(value)}
          aria-label={t('containers.tabs.label')}
          sx={{ mb: 2 }}
        >
          <Tab value="spec" label={t('containers.tabs.spec')} />
          {props.logsAllowed && (
            <Tab value="logs" label={t('containers.tabs.logs')} />
          )}
        </Tabs>
        {tab === 'logs' && props.logsAllowed && containerId ? (
          <ContainerLogView
            endpointId={endpointId}
            containerId={containerId}
            name={name}
            height="55vh"
          />
        ) : (
          spec
        )}
      </Box>
    </Drawer>
  );
}
