import { useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import CircularProgress from '@mui/material/CircularProgress';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { orchTranslationRef } from '../../translations/ref';
import { authErrorMessage } from './authErrorMessage';

/** What the sign-in form submits. */
export type SignInValues = {
  email: string;
  password: string;
  remember: boolean;
};

export function SignInForm(props: {
  /** Resolves once signed in; rejects with an error whose message is shown. */
  onSubmit(values: SignInValues): Promise<void>;
  /** An error to show before any attempt (e.g. the session could not be resumed). */
  initialError?: string;
}) {
  const { onSubmit } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState(props.initialError);

  const handleSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (submitting) {
      return;
    }
    setSubmitting(true);
    setError(undefined);
    try {
      await onSubmit({ email: email.trim(), password, remember });
    } catch (e) {
      setError(authErrorMessage(t, e));
      setSubmitting(false);
    }
  };

  return (
    <Box
      component="form"
      aria-label={t('signIn.submit')}
      onSubmit={handleSubmit}
    >
      <Stack spacing={2}>
        <TextField
          id="orch-sign-in-email"
          label={t('signIn.email')}
          type="email"
          autoComplete="username"
          required
          fullWidth
          value={email}
          onChange={e => setEmail(e.target.value)}
        />
        <TextField
          id="orch-sign-in-password"
          label={t('signIn.password')}
          type="password"
          autoComplete="current-password"
          required
          fullWidth
          value={password}
          onChange={e => setPassword(e.target.value)}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={remember}
              onChange={e => setRemember(e.target.checked)}
            />
          }
          label={t('signIn.rememberMe')}
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
                aria-label={t('signIn.signingIn')}
              />
            ) : undefined
          }
        >
          {t('signIn.submit')}
        </Button>
        <Typography variant="body2" color="text.secondary">
          <Box component="strong" sx={{ color: 'text.primary' }}>
            {t('signIn.forgotTitle')}
          </Box>{' '}
          {t('signIn.forgotText', {
            command: <code>yarn orch users reset-password &lt;email&gt;</code>,
          })}
        </Typography>
      </Stack>
    </Box>
  );
}
