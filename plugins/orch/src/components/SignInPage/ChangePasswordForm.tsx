import { useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { OrchAuthError } from '../../auth/OrchAuthClient';
import { orchTranslationRef } from '../../translations/ref';
import { authErrorMessage } from './authErrorMessage';

type FieldName = 'currentPassword' | 'newPassword' | 'confirmPassword';
type FieldErrors = Partial<Record<FieldName, string>>;

/**
 * The server answers fragments ("is required") and whole sentences
 * ("Password is too common"); a fragment gets the field's label.
 */
function sentence(label: string, message: string) {
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}

/** Splits a 400's field errors into the fields shown here and the rest. */
function fieldErrorsOf(
  error: unknown,
  labels: Record<'currentPassword' | 'newPassword', string>,
  describe: (error: unknown) => string,
): {
  fields: FieldErrors;
  other?: string;
} {
  if (!(error instanceof OrchAuthError) || error.fields.length === 0) {
    return { fields: {}, other: describe(error) };
  }
  const fields: FieldErrors = {};
  const rest: string[] = [];
  for (const { field, message } of error.fields) {
    if (field === 'currentPassword' || field === 'newPassword') {
      const text = sentence(labels[field], message);
      fields[field] = fields[field] ? `${fields[field]}. ${text}` : text;
    } else {
      rest.push(sentence(field, message));
    }
  }
  return { fields, other: rest.length ? rest.join('. ') : undefined };
}

/**
 * The "Choose a new password" step, shown after signing in with a password
 * an administrator set.
 */
export function ChangePasswordForm(props: {
  email: string;
  /** Resolves once changed; rejects with an OrchAuthError. */
  onSubmit(currentPassword: string, newPassword: string): Promise<void>;
  onCancel(): void;
}) {
  const { email, onSubmit, onCancel } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string>();

  const handleSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) {
      return;
    }
    setError(undefined);
    if (newPassword !== confirmPassword) {
      setFieldErrors({ confirmPassword: t('signIn.passwordsDiffer') });
      return;
    }
    setFieldErrors({});
    setSubmitting(true);
    try {
      await onSubmit(currentPassword, newPassword);
    } catch (e) {
      const { fields, other } = fieldErrorsOf(
        e,
        {
          currentPassword: t('signIn.currentPassword'),
          newPassword: t('signIn.newPassword'),
        },
        failure => authErrorMessage(t, failure),
      );
      setFieldErrors(fields);
      setError(other);
      setSubmitting(false);
    }
  };

  return (
    <Box
      component="form"
      aria-label={t('signIn.changePasswordSubtitle')}
      onSubmit={handleSubmit}
    >
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          {t('signIn.changePasswordIntro', { email })}
        </Typography>
        {/* Lets password managers file the new password under the account. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={email}
          readOnly
          hidden
        />
        <TextField
          id="orch-current-password"
          label={t('signIn.currentPassword')}
          type="password"
          autoComplete="current-password"
          required
          fullWidth
          value={currentPassword}
          onChange={e => setCurrentPassword(e.target.value)}
          error={!!fieldErrors.currentPassword}
          helperText={fieldErrors.currentPassword}
        />
        <TextField
          id="orch-new-password"
          label={t('signIn.newPassword')}
          type="password"
          autoComplete="new-password"
          required
          fullWidth
          value={newPassword}
          onChange={e => setNewPassword(e.target.value)}
          error={!!fieldErrors.newPassword}
          helperText={fieldErrors.newPassword ?? t('signIn.passwordPolicy')}
        />
        <TextField
          id="orch-confirm-password"
          label={t('signIn.confirmPassword')}
          type="password"
          autoComplete="new-password"
          required
          fullWidth
          value={confirmPassword}
          onChange={e => setConfirmPassword(e.target.value)}
          error={!!fieldErrors.confirmPassword}
          helperText={fieldErrors.confirmPassword}
        />
        {error && <Alert severity="error">{error}</Alert>}
        <Button
          type="submit"
          variant="contained"
          size="large"
          fullWidth
          disabled={submitting}
          startIcon={
            submitting ? (
              <CircularProgress
                size={18}
                color="inherit"
                aria-label={t('signIn.changingPassword')}
              />
            ) : undefined
          }
        >
          {t('signIn.changePasswordSubmit')}
        </Button>
        <Button variant="text" onClick={onCancel} disabled={submitting}>
          {t('signIn.signOut')}
        </Button>
      </Stack>
    </Box>
  );
}
