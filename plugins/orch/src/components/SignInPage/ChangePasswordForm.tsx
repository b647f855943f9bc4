import { useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { OrchAuthError } from '../../auth/OrchAuthClient';

type FieldName = 'currentPassword' | 'newPassword' | 'confirmPassword';
type FieldErrors = Partial<Record<FieldName, string>>;

const POLICY_HINT =
  'At least 12 characters; not a common password and not your email.';

const LABELS = {
  currentPassword: 'Current password',
  newPassword: 'New password',
} as const;

/**
 * The server answers fragments ("is required") and whole sentences
 * ("Password is too common"); a fragment gets the field's label.
 */
function sentence(label: string, message: string) {
  return /^[a-z]/.test(message) ? `${label} ${message}` : message;
}

/** Splits a 400's field errors into the fields shown here and the rest. */
function fieldErrorsOf(error: unknown): {
  fields: FieldErrors;
  other?: string;
} {
  if (!(error instanceof OrchAuthError) || error.fields.length === 0) {
    return { fields: {}, other: (error as Error).message };
  }
  const fields: FieldErrors = {};
  const rest: string[] = [];
  for (const { field, message } of error.fields) {
    if (field === 'currentPassword' || field === 'newPassword') {
      const text = sentence(LABELS[field], message);
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
      setFieldErrors({ confirmPassword: 'The passwords do not match' });
      return;
    }
    setFieldErrors({});
    setSubmitting(true);
    try {
      await onSubmit(currentPassword, newPassword);
    } catch (e) {
      const { fields, other } = fieldErrorsOf(e);
      setFieldErrors(fields);
      setError(other);
      setSubmitting(false);
    }
  };

  return (
    <Box
      component="form"
      aria-label="Choose a new password"
      onSubmit={handleSubmit}
    >
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          An administrator set the password of {email}. Choose your own to
          continue.
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
          label="Current password"
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
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          fullWidth
          value={newPassword}
          onChange={e => setNewPassword(e.target.value)}
          error={!!fieldErrors.newPassword}
          helperText={fieldErrors.newPassword ?? POLICY_HINT}
        />
        <TextField
          id="orch-confirm-password"
          label="Confirm new password"
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
                aria-label="Changing password"
              />
            ) : undefined
          }
        >
          Change password and continue
        </Button>
        <Button variant="text" onClick={onCancel} disabled={submitting}>
          Sign out
        </Button>
      </Stack>
    </Box>
  );
}
