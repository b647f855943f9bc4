import { useState, type FormEvent } from 'react';
import {
  alertApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { orchApiRef } from '../../api/OrchClient';
import { readStoredSession } from '../../auth/storedSession';
import { orchTranslationRef } from '../../translations/ref';

type Field = 'currentPassword' | 'newPassword' | 'confirmPassword';

/**
 * "Change password" from the user menu. The browser's own session is named
 * to the server, which keeps it and ends the user's other sessions.
 */
export function ChangePasswordDialog(props: {
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const alertApi = useApi(alertApiRef);
  const [values, setValues] = useState<Record<Field, string>>({
    currentPassword: '',
    newPassword: '',
    confirmPassword: '',
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const close = () => {
    setValues({ currentPassword: '', newPassword: '', confirmPassword: '' });
    setErrors({});
    setError(undefined);
    props.onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (values.newPassword !== values.confirmPassword) {
      setErrors({ confirmPassword: t('signIn.passwordsDiffer') });
      return;
    }
    setErrors({});
    setSaving(true);
    try {
      await orchApi.request('POST', '/v1/auth/password', {
        currentPassword: values.currentPassword,
        newPassword: values.newPassword,
        refreshToken: readStoredSession()?.refreshToken,
      });
      alertApi.post({
        message: t('shell.changePassword.done'),
        severity: 'success',
        display: 'transient',
      });
      close();
    } catch (e) {
      const fields: Array<{ field: string; message: string }> =
        e instanceof ResponseError ? (e.body as any)?.fields ?? [] : [];
      const next: Partial<Record<Field, string>> = {};
      for (const { field, message } of fields) {
        if (field === 'currentPassword' || field === 'newPassword') {
          next[field] = message;
        }
      }
      setErrors(next);
      if (Object.keys(next).length === 0) {
        setError(
          e instanceof ResponseError
            ? e.body.error?.message ?? e.message
            : (e as Error).message,
        );
      }
    } finally {
      setSaving(false);
    }
  };

  const field = (name: Field, label: string, autoComplete: string) => (
    <TextField
      id={`orch-change-${name}`}
      label={label}
      type="password"
      autoComplete={autoComplete}
      required
      fullWidth
      value={values[name]}
      onChange={e => setValues(v => ({ ...v, [name]: e.target.value }))}
      error={!!errors[name]}
      helperText={
        errors[name] ??
        (name === 'newPassword' ? t('signIn.passwordPolicy') : undefined)
      }
    />
  );

  return (
    <Dialog
      open={props.open}
      onClose={close}
      aria-labelledby="orch-change-password-title"
      fullWidth
      maxWidth="xs"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="orch-change-password-title">
          {t('shell.changePassword.title')}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2} mt={1}>
            {field(
              'currentPassword',
              t('signIn.currentPassword'),
              'current-password',
            )}
            {field('newPassword', t('signIn.newPassword'), 'new-password')}
            {field(
              'confirmPassword',
              t('signIn.confirmPassword'),
              'new-password',
            )}
            {error && <Alert severity="error">{error}</Alert>}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={saving}>
            {t('shell.changePassword.title')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
