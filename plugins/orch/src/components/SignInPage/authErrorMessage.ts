import type { TranslationFunction } from '@backstage/frontend-plugin-api';
import { OrchAuthError } from '../../auth/OrchAuthClient';
import type { orchTranslationRef } from '../../translations/ref';

type OrchT = TranslationFunction<(typeof orchTranslationRef)['T']>;

/**
 * The sentence shown for a failed sign-in call, in the user's language.
 * The server's own message is kept only when no translation fits it.
 */
export function authErrorMessage(t: OrchT, error: unknown): string {
  if (!(error instanceof OrchAuthError)) {
    return (error as Error)?.message ?? String(error);
  }
  switch (error.reason) {
    case 'unauthorized':
      return error.message === 'Invalid email or password'
        ? t('signIn.invalidCredentials')
        : error.message;
    case 'rate-limited': {
      const seconds = error.details.retryAfterSeconds;
      return seconds === undefined
        ? t('signIn.rateLimitedLater')
        : t('signIn.rateLimited', {
            count: Math.max(1, Math.ceil(seconds / 60)),
          });
    }
    case 'unreachable':
      return t('signIn.unreachable');
    default:
      return error.message;
  }
}
