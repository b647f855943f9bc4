import { useState } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  userManagePermission,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
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
import EditIcon from '@mui/icons-material/EditOutlined';
import LockResetIcon from '@mui/icons-material/LockReset';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchApiRef } from '../../api/OrchClient';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { queryString } from './apiErrors';
import { ListStatus, listStatusShows } from './ListStatus';
import { UserDialog, type OrchUser } from './UserDialog';

type UserPage = { items: OrchUser[]; nextCursor?: string };
type Dialogs =
  | { kind: 'create' }
  | { kind: 'edit'; user: OrchUser }
  | { kind: 'reset'; user: OrchUser };

/** Users and their roles (administrators): list, create, edit, reset. */
export function UsersPanel() {
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const { me, can } = useOrchMe();
  const manage = can(userManagePermission.name);
  const [extra, setExtra] = useState<OrchUser[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [dialog, setDialog] = useState<Dialogs>();

  const first = useAsyncRetry(async () => {
    const page = await orchApi.request<UserPage>('GET', '/v1/users?limit=100');
    setExtra([]);
    setCursor(page.nextCursor);
    return page;
  }, [orchApi]);

  const loadMore = async () => {
    const page = await orchApi.request<UserPage>(
      'GET',
      `/v1/users${queryString({ cursor, limit: '100' })}`,
    );
    setExtra(users => [...users, ...page.items]);
    setCursor(page.nextCursor);
  };

  const users = [...(first.value?.items ?? []), ...extra];

  let body;
  if (listStatusShows(first, users.length)) {
    body = (
      <ListStatus
        state={first}
        count={users.length}
        emptyText={t('settings.users.empty')}
      />
    );
  } else {
    body = (
      <TableContainer>
        <Table size="small" aria-label={t('settings.users.title')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('settings.users.email')}</TableCell>
              <TableCell>{t('settings.users.displayName')}</TableCell>
              <TableCell>{t('settings.users.roles')}</TableCell>
              <TableCell>{t('settings.users.status')}</TableCell>
              {manage && (
                <TableCell align="right">
                  {t('settings.users.actions')}
                </TableCell>
              )}
            </TableRow>
          </TableHead>
          <TableBody>
            {users.map(user => (
              <TableRow key={user.id} hover>
                <TableCell>
                  {user.email}
                  {user.id === me?.id && ` (${t('settings.users.you')})`}
                </TableCell>
                <TableCell>{user.displayName}</TableCell>
                <TableCell>
                  <Stack direction="row" spacing={0.5}>
                    {user.roles.map((role: OrchRole) => (
                      <Chip
                        key={role}
                        size="small"
                        label={t(`common.roles.${role}`)}
                      />
                    ))}
                  </Stack>
                </TableCell>
                <TableCell>
                  <Stack direction="row" spacing={0.5}>
                    <Chip
                      size="small"
                      variant="outlined"
                      color={user.status === 'active' ? 'success' : 'default'}
                      label={
                        user.status === 'active'
                          ? t('settings.users.active')
                          : t('settings.users.disabled')
                      }
                    />
                    {user.mustChangePassword && (
                      <Chip
                        size="small"
                        variant="outlined"
                        color="warning"
                        label={t('settings.users.mustChange')}
                      />
                    )}
                  </Stack>
                </TableCell>
                {manage && (
                  <TableCell align="right">
                    <Tooltip title={t('common.edit')}>
                      <IconButton
                        aria-label={`${t('common.edit')} ${user.email}`}
                        onClick={() => setDialog({ kind: 'edit', user })}
                      >
                        <EditIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                    <Tooltip title={t('settings.users.resetPassword')}>
                      <IconButton
                        aria-label={`${t('settings.users.resetPassword')} ${
                          user.email
                        }`}
                        onClick={() => setDialog({ kind: 'reset', user })}
                      >
                        <LockResetIcon fontSize="small" />
                      </IconButton>
                    </Tooltip>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <section aria-labelledby="orch-users-title">
      <Stack
        direction="row"
        justifyContent="space-between"
        alignItems="center"
        mb={2}
      >
        <Typography id="orch-users-title" component="h2" variant="h6">
          {t('settings.users.title')}
        </Typography>
        {manage && (
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            onClick={() => setDialog({ kind: 'create' })}
          >
            {t('settings.users.add')}
          </Button>
        )}
      </Stack>
      {body}
      {cursor && (
        <Button sx={{ mt: 2 }} onClick={loadMore}>
          {t('common.loadMore')}
        </Button>
      )}
      {dialog && (
        <UserDialog
          mode={dialog.kind}
          user={dialog.kind === 'create' ? undefined : dialog.user}
          onClose={() => setDialog(undefined)}
          onSaved={() => {
            setDialog(undefined);
            first.retry();
          }}
        />
      )}
    </section>
  );
}
