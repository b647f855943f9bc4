import { useState } from 'react';
import {
  alertApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  connectionCreatePermission,
  connectionDeletePermission,
  connectionUpdatePermission,
  type Connection,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/DeleteOutline';
import EditIcon from '@mui/icons-material/EditOutlined';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchApiRef } from '../../api/OrchClient';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { errorMessage, queryString } from './apiErrors';
import { ConnectionDialog } from './ConnectionDialog';

/** Connections of the selected environment: list, create, edit, delete. */
export function ConnectionsPanel() {
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const alertApi = useApi(alertApiRef);
  const fmt = useFormatters();
  const { can } = useOrchMe();
  const { environment } = useOrchEnvironment();
  const [editing, setEditing] = useState<Connection | 'new'>();
  const [deleting, setDeleting] = useState<Connection>();
  const [deleteError, setDeleteError] = useState<string>();

  const { value, loading, error, retry } = useAsyncRetry(
    () =>
      orchApi.request<{ items: Connection[] }>(
        'GET',
        `/v1/connections${queryString({ environment })}`,
      ),
    [orchApi, environment],
  );

  const remove = async () => {
    if (!deleting) return;
    try {
      await orchApi.request(
        'DELETE',
        `/v1/connections/${encodeURIComponent(deleting.id)}`,
      );
      alertApi.post({
        message: t('settings.connections.deleted', { name: deleting.name }),
        severity: 'success',
        display: 'transient',
      });
      setDeleting(undefined);
      retry();
    } catch (e) {
      setDeleteError(errorMessage(e));
    }
  };

  let body;
  if (error) {
    body = (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={retry}>
            {t('common.retry')}
          </Button>
        }
      >
        {errorMessage(error)}
      </Alert>
    );
  } else if (!value && loading) {
    body = <CircularProgress aria-label={t('common.loading')} />;
  } else if (value && value.items.length === 0) {
    body = (
      <Typography color="text.secondary">
        {environment
          ? t('settings.connections.empty', { environment })
          : t('settings.connections.emptyAll')}
      </Typography>
    );
  } else if (value) {
    body = (
      <TableContainer>
        <Table size="small" aria-label={t('settings.connections.title')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('settings.connections.name')}</TableCell>
              <TableCell>{t('settings.connections.type')}</TableCell>
              <TableCell>{t('settings.connections.environment')}</TableCell>
              <TableCell>{t('settings.connections.secrets')}</TableCell>
              <TableCell>{t('settings.connections.updated')}</TableCell>
              <TableCell align="right">
                {t('settings.connections.actions')}
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.items.map(connection => (
              <TableRow key={connection.id} hover>
                <TableCell>
                  <Typography fontWeight={500}>{connection.name}</Typography>
                  {connection.description && (
                    <Typography variant="body2" color="text.secondary">
                      {connection.description}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{connection.type}</TableCell>
                <TableCell>{connection.environment}</TableCell>
                <TableCell>
                  <Stack
                    direction="row"
                    spacing={0.5}
                    flexWrap="wrap"
                    useFlexGap
                  >
                    {Object.entries(connection.secrets).map(([key, secret]) => (
                      <Chip
                        key={key}
                        size="small"
                        variant="outlined"
                        label={`${key}: ${
                          secret.last4
                            ? t('settings.connections.secretSetLast4', {
                                last4: secret.last4,
                              })
                            : t('settings.connections.secretSet')
                        }`}
                      />
                    ))}
                  </Stack>
                </TableCell>
                <TableCell title={fmt.dateTime(connection.updatedAt)}>
                  {fmt.ago(connection.updatedAt)}
                </TableCell>
                <TableCell align="right">
                  {can(connectionUpdatePermission.name) && (
                    <Tooltip title={t('common.edit')}>
                      <IconButton
                        aria-label={`${t('common.edit')} ${connection.name}`}
                        onClick={() => setEditing(connection)}
                      >
                        <EditIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  )}
                  {can(connectionDeletePermission.name) && (
                    <Tooltip title={t('common.delete')}>
                      <IconButton
                        aria-label={`${t('common.delete')} ${connection.name}`}
                        onClick={() => {
                          setDeleteError(undefined);
                          setDeleting(connection);
                        }}
                      >
                        <DeleteIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <section aria-labelledby="orch-connections-title">
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        justifyContent="space-between"
        alignItems={{ sm: 'center' }}
        spacing={2}
        mb={2}
      >
        <div>
          <Typography id="orch-connections-title" component="h2" variant="h6">
            {t('settings.connections.title')}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {t('settings.connections.intro')}
          </Typography>
        </div>
        {can(connectionCreatePermission.name) && (
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setEditing('new')}
          >
            {t('settings.connections.add')}
          </Button>
        )}
      </Stack>
      {body}
      {editing && (
        <ConnectionDialog
          connection={editing === 'new' ? undefined : editing}
          defaultEnvironment={environment}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            retry();
          }}
        />
      )}
      <Dialog
        open={!!deleting}
        onClose={() => setDeleting(undefined)}
        aria-labelledby="orch-delete-connection-title"
      >
        <DialogTitle id="orch-delete-connection-title">
          {t('common.delete')}
        </DialogTitle>
        <DialogContent>
          <Typography>
            {t('settings.connections.deleteConfirm', {
              name: deleting?.name ?? '',
            })}
          </Typography>
          {deleteError && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {deleteError}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDeleting(undefined)}>
            {t('common.cancel')}
          </Button>
          <Button color="error" variant="contained" onClick={remove}>
            {t('common.delete')}
          </Button>
        </DialogActions>
      </Dialog>
    </section>
  );
}
