import { useState, type MouseEvent } from 'react';
import {
  identityApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import ListItemIcon from '@mui/material/ListItemIcon';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import KeyIcon from '@mui/icons-material/Key';
import LogoutIcon from '@mui/icons-material/Logout';
import SettingsIcon from '@mui/icons-material/Settings';
import { useNavigate } from 'react-router-dom';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { ChangePasswordDialog } from './ChangePasswordDialog';

function initials(name: string) {
  const parts = name.split(/[\s@.]+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '?').toUpperCase() + (parts[1]?.[0] ?? '').toUpperCase()
  );
}

/** The signed-in user: name, roles, preferences, password, sign out. */
export function UserMenu() {
  const { t } = useTranslationRef(orchTranslationRef);
  const identityApi = useApi(identityApiRef);
  const navigate = useNavigate();
  const { me } = useOrchMe();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [changing, setChanging] = useState(false);

  const name = me?.displayName || me?.email || me?.entityRef || '…';
  const open = Boolean(anchor);
  const close = () => setAnchor(null);

  return (
    <>
      <Button
        id="orch-user-menu-button"
        color="inherit"
        title={t('shell.topBar.userMenu', { name })}
        aria-haspopup="menu"
        aria-controls={open ? 'orch-user-menu' : undefined}
        aria-expanded={open ? 'true' : undefined}
        onClick={(e: MouseEvent<HTMLElement>) => setAnchor(e.currentTarget)}
        startIcon={
          <Avatar aria-hidden sx={{ width: 28, height: 28, fontSize: 13 }}>
            {initials(name)}
          </Avatar>
        }
        sx={{ textTransform: 'none' }}
      >
        <Typography
          component="span"
          noWrap
          sx={{
            maxWidth: 200,
            // On phones the avatar alone shows; the name stays for screen readers.
            '@media (max-width: 599px)': {
              position: 'absolute',
              width: 1,
              height: 1,
              overflow: 'hidden',
              clip: 'rect(0 0 0 0)',
            },
          }}
        >
          {name}
        </Typography>
      </Button>
      <Menu
        id="orch-user-menu"
        anchorEl={anchor}
        open={open}
        onClose={close}
        MenuListProps={{ 'aria-labelledby': 'orch-user-menu-button' }}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}
        transformOrigin={{ vertical: 'top', horizontal: 'right' }}
      >
        <Box sx={{ px: 2, py: 1, maxWidth: 320 }} tabIndex={-1}>
          <Typography fontWeight={600}>{name}</Typography>
          {me?.email && me.email !== name && (
            <Typography variant="body2" color="text.secondary">
              {me.email}
            </Typography>
          )}
          <Stack
            direction="row"
            spacing={0.5}
            mt={1}
            aria-label={t('shell.topBar.roles')}
          >
            {(me?.roles ?? []).map(role => (
              <Chip key={role} size="small" label={t(`common.roles.${role}`)} />
            ))}
          </Stack>
        </Box>
        <Divider />
        <MenuItem
          onClick={() => {
            close();
            navigate('/settings');
          }}
        >
          <ListItemIcon>
            <SettingsIcon fontSize="small" />
          </ListItemIcon>
          {t('shell.topBar.preferences')}
        </MenuItem>
        <MenuItem
          onClick={() => {
            close();
            setChanging(true);
          }}
        >
          <ListItemIcon>
            <KeyIcon fontSize="small" />
          </ListItemIcon>
          {t('shell.topBar.changePassword')}
        </MenuItem>
        <MenuItem
          onClick={() => {
            close();
            identityApi.signOut();
          }}
        >
          <ListItemIcon>
            <LogoutIcon fontSize="small" />
          </ListItemIcon>
          {t('shell.topBar.signOut')}
        </MenuItem>
      </Menu>
      <ChangePasswordDialog
        open={changing}
        onClose={() => setChanging(false)}
      />
    </>
  );
}
