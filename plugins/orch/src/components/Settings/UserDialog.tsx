import { useState, type FormEvent } from 'react';
import {
  alertApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  ORCH_ROLES,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import InputAdornment from '@mui/material/InputAdornment';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { orchApiRef } from '../../api/OrchClient';
import { orchTranslationRef } from '../../translations/ref';
import { errorMessage, fieldErrors } from './apiErrors';

/** A user as `GET /v1/users` lists them. */
export type OrchUser = {
  id: string;
  email: string;
  displayName?: string;
  entityRef: string;
  status: 'active' | 'disabled';
  roles: OrchRole[];
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
};

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random 20-character one-time password from the browser's CSPRNG. */
export function generatePassword(length = 20): string {
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, b => ALPHABET[b % ALPHABET.length]).join('');
}

/** Create a user, edit one (name, roles, status), or reset their password. */
export function UserDialog(props: {
  mode: 'create' | 'edit' | 'reset';
  user?: OrchUser;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { mode, user } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const alertApi = useApi(alertApiRef);
  const [email, setEmail] = useState(user?.email ?? '');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [roles, setRoles] = useState<OrchRole[]>(user?.roles ?? ['viewer']);
  const [active, setActive] = useState(user?.status !== 'disabled');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setError(undefined);
    try {
      let message: string;
      if (mode === 'create') {
        await orchApi.request('POST', '/v1/users', {
          email: email.trim(),
          displayName: displayName.trim() || undefined,
          roles,
          password,
        });
        message = t('settings.users.created', { email: email.trim() });
      } else if (mode === 'edit' && user) {
        await orchApi.request(
          'PATCH',
          `/v1/users/${encodeURIComponent(user.id)}`,
          {
            displayName: displayName.trim() || undefined,
            roles,
            status: active ? 'active' : 'disabled',
          },
        );
        message = t('settings.users.saved', { email: user.email });
      } else {
        await orchApi.request(
          'POST',
          `/v1/users/${encodeURIComponent(user!.id)}/reset-password`,
          { password },
        );
        message = t('settings.users.reset', { email: user!.email });
      }
      alertApi.post({ message, severity: 'success', display: 'transient' });
      props.onSaved();
    } catch (e) {
      const fields = fieldErrors(e);
      setErrors(Object.fromEntries(fields.map(f => [f.field, f.message])));
      const known = new Set([
        'email',
        'displayName',
        'roles',
        'password',
        'status',
      ]);
      const rest = fields.filter(f => !known.has(f.field));
      setError(
        fields.length === 0
          ? errorMessage(e)
          : rest.map(f => `${f.field} ${f.message}`).join('; ') || undefined,
      );
    } finally {
      setSaving(false);
    }
  };

  const titles = {
    create: () => t('settings.users.createTitle'),
    edit: () => t('settings.users.editTitle', { email: user?.email ?? '' }),
    reset: () => t('settings.users.resetTitle', { email: user?.email ?? '' }),
  };
  const submitLabels = {
    create: () => t('common.create'),
    edit: () => t('common.save'),
    reset: () => t('settings.users.resetPassword'),
  };
  const title = titles[mode]();

  const passwordField = (
    <TextField
      id="orch-user-password"
      label={t('settings.users.oneTimePassword')}
      required
      value={password}
      autoComplete="off"
      onChange={e => setPassword(e.target.value)}
      error={!!errors.password}
      helperText={errors.password ?? t('settings.users.oneTimePasswordHelp')}
      inputProps={{ spellCheck: false, style: { fontFamily: 'monospace' } }}
      InputProps={{
        endAdornment: (
          <InputAdornment position="end">
            <Button
              size="small"
              onClick={() => setPassword(generatePassword())}
            >
              {t('settings.users.generate')}
            </Button>
          </InputAdornment>
        ),
      }}
    />
  );

  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="orch-user-dialog-title"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="orch-user-dialog-title">{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} mt={1}>
            {mode === 'reset' ? (
              <>
                <Typography color="text.secondary">
                  {t('settings.users.resetHelp')}
                </Typography>
                {passwordField}
              </>
            ) : (
              <>
                <TextField
                  id="orch-user-email"
                  label={t('settings.users.email')}
                  type="email"
                  required
                  disabled={mode === 'edit'}
                  value={email}
                  onChange={e => setEmail(e.target.value)}
                  error={!!errors.email}
                  helperText={errors.email}
                />
                <TextField
                  id="orch-user-display-name"
                  label={t('settings.users.displayName')}
                  value={displayName}
                  onChange={e => setDisplayName(e.target.value)}
                  error={!!errors.displayName}
                  helperText={errors.displayName}
                />
                <FormControl component="fieldset" error={!!errors.roles}>
                  <FormLabel component="legend">
                    {t('settings.users.roles')}
                  </FormLabel>
                  <FormGroup row>
                    {ORCH_ROLES.map(role => (
                      <FormControlLabel
                        key={role}
                        control={
                          <Checkbox
                            checked={roles.includes(role)}
                            onChange={e =>
                              setRoles(current =>
                                e.target.checked
                                  ? [...current, role]
                                  : current.filter(r => r !== role),
                              )
                            }
                          />
                        }
                        label={t(`common.roles.${role}`)}
                      />
                    ))}
                  </FormGroup>
                  {errors.roles && (
                    <Typography color="error" variant="caption">
                      {errors.roles}
                    </Typography>
                  )}
                </FormControl>
                {mode === 'edit' && (
                  <FormControlLabel
                    control={
                      <Switch
                        checked={active}
                        onChange={e => setActive(e.target.checked)}
                      />
                    }
                    label={
                      active
                        ? t('settings.users.active')
                        : t('settings.users.disabled')
                    }
                  />
                )}
                {mode === 'create' && passwordField}
              </>
            )}
            {error && <Alert severity="error">{error}</Alert>}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={saving}>
            {submitLabels[mode]()}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
