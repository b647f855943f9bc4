import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import {
  discoveryApiRef,
  useApi,
  useTranslationRef,
  type IdentityApi,
} from '@backstage/frontend-plugin-api';
import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { ThemeProvider, type Theme } from '@mui/material/styles';
import {
  OrchPasswordIdentity,
  type OrchPasswordIdentityOptions,
} from '../../auth/OrchPasswordIdentity';
import { orchDarkTheme } from '../../theme/orchThemes';
import { orchTranslationRef } from '../../translations/ref';
import { authErrorMessage } from './authErrorMessage';
import { ChangePasswordForm } from './ChangePasswordForm';
import { HeroPanel } from './HeroPanel';
import { LanguageSelect } from '../Shell/LanguageSelect';
import { OrchLogo } from './OrchLogo';
import { SignInForm, type SignInValues } from './SignInForm';

/** Props of {@link OrchSignInPage}: Backstage's sign-in page props. @public */
export type OrchSignInPageProps = {
  onSignInSuccess(identityApi: IdentityApi): void;
};

// MUI's provider, not Backstage's UnifiedThemeProvider: that one also keeps a
// stack of theme modes on <body>, and mounted in the same render as the app's
// it pops the app's entry when it unmounts, leaving the signed-in app dark.
const darkTheme = orchDarkTheme.getTheme('v5') as Theme;

type Step =
  | { kind: 'resuming' }
  | { kind: 'sign-in'; error?: string }
  | { kind: 'change-password'; identity: OrchPasswordIdentity };

function SignInCard(props: { subtitle: string; children: ReactNode }) {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Card
      component="section"
      aria-labelledby="orch-sign-in-title"
      variant="outlined"
      sx={{ width: '100%', maxWidth: 420 }}
    >
      <CardContent sx={{ p: 4 }}>
        <Stack direction="row" spacing={1.5} alignItems="center" mb={1}>
          <OrchLogo />
          <Typography id="orch-sign-in-title" component="h1" variant="h4">
            {t('signIn.title')}
          </Typography>
        </Stack>
        <Typography color="text.secondary" mb={3}>
          {props.subtitle}
        </Typography>
        {props.children}
      </CardContent>
    </Card>
  );
}

/**
 * Orch's sign-in page: email and password against `/api/orch/v1/auth/*`,
 * the "Choose a new password" step when an administrator set the password,
 * and the silent resume of a stored session.
 *
 * @public
 */
export function OrchSignInPage(props: OrchSignInPageProps) {
  const { onSignInSuccess } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const discoveryApi = useApi(discoveryApiRef);
  const options = useMemo<OrchPasswordIdentityOptions>(
    () => ({
      discoveryApi,
      // The app shows this page only before sign-in; a reload brings it back.
      onSessionEnded: () => window.location.reload(),
    }),
    [discoveryApi],
  );
  const [step, setStep] = useState<Step>(() =>
    OrchPasswordIdentity.hasStoredSession()
      ? { kind: 'resuming' }
      : { kind: 'sign-in' },
  );

  const handedOver = useRef(false);
  const proceed = useCallback(
    (identity: OrchPasswordIdentity) => {
      if (identity.passwordChangeRequired) {
        setStep({ kind: 'change-password', identity });
      } else {
        handedOver.current = true;
        onSignInSuccess(identity);
      }
    },
    [onSignInSuccess],
  );

  // An identity left on this page (unmounted before the password change)
  // must not keep refreshing in the background.
  const pending = step.kind === 'change-password' ? step.identity : undefined;
  useEffect(
    () => () => {
      if (pending && !handedOver.current) {
        pending.dispose();
      }
    },
    [pending],
  );

  const resuming = step.kind === 'resuming';
  useEffect(() => {
    if (!resuming) {
      return undefined;
    }
    let cancelled = false;
    OrchPasswordIdentity.resume(options).then(
      identity => {
        if (cancelled) {
          identity?.dispose();
        } else if (identity) {
          proceed(identity);
        } else {
          setStep({ kind: 'sign-in' });
        }
      },
      (error: Error) => {
        if (!cancelled) {
          setStep({ kind: 'sign-in', error: authErrorMessage(t, error) });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [resuming, options, proceed, t]);

  const signIn = async (values: SignInValues) => {
    proceed(await OrchPasswordIdentity.signIn({ ...options, ...values }));
  };

  let content: ReactNode;
  let subtitle: string = t('signIn.subtitle');
  if (step.kind === 'resuming') {
    content = (
      <Stack direction="row" spacing={2} alignItems="center" role="status">
        <CircularProgress size={24} aria-label={t('signIn.restoringLabel')} />
        <Typography>{t('signIn.restoring')}</Typography>
      </Stack>
    );
  } else if (step.kind === 'change-password') {
    const { identity } = step;
    subtitle = t('signIn.changePasswordSubtitle');
    content = (
      <ChangePasswordForm
        email={identity.user.email}
        onSubmit={async (currentPassword, newPassword) => {
          await identity.changePassword(currentPassword, newPassword);
          proceed(identity);
        }}
        onCancel={() => {
          identity.signOut().then(() => setStep({ kind: 'sign-in' }));
        }}
      />
    );
  } else {
    content = <SignInForm onSubmit={signIn} initialError={step.error} />;
  }

  return (
    <ThemeProvider theme={darkTheme}>
      {/*
        60 / 40: the photograph, then the card. Below the md breakpoint
        (phones, narrow windows) the photograph gives way to the card.
      */}
      <Box
        sx={{
          minHeight: '100vh',
          display: 'grid',
          gridTemplateColumns: { xs: '1fr', md: '3fr 2fr' },
          bgcolor: 'background.default',
          color: 'text.primary',
        }}
      >
        <HeroPanel />
        <Box
          component="main"
          sx={{
            position: 'relative',
            display: 'grid',
            placeItems: 'center',
            p: { xs: 2, sm: 4 },
          }}
        >
          <Box sx={{ position: 'absolute', top: 16, right: 16 }}>
            <LanguageSelect />
          </Box>
          <SignInCard subtitle={subtitle}>{content}</SignInCard>
        </Box>
      </Box>
    </ThemeProvider>
  );
}
