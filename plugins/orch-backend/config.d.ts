import type { HumanDuration } from '@backstage/types';

export interface Config {
  orch?: {
    auth?: {
      /**
       * How long a sign-in without "remember me" lasts.
       * @defaultValue { hours: 12 }
       */
      sessionDuration?: HumanDuration | string;
      /**
       * How long a sign-in with "remember me" lasts.
       * @defaultValue { days: 30 }
       */
      rememberDuration?: HumanDuration | string;
      /**
       * Reverse proxies in front of Orch whose X-Forwarded-For is trusted
       * (Traefik: 1). With 0 the client address is the socket's, which
       * behind a proxy is the proxy's: every user then shares one address.
       * @defaultValue 0
       */
      trustProxyHops?: number;
      rateLimit?: {
        /**
         * Failed sign-ins per account (and per known device) within the
         * window before 429. A browser with a device cookie of the account
         * is not held by other clients' failures on it.
         * @defaultValue 5
         */
        maxFailures?: number;
        /**
         * The sliding window of the throttle, in seconds.
         * @defaultValue 900
         */
        windowSeconds?: number;
        /**
         * How long the device cookie set at a successful sign-in keeps the
         * browser known to that account, in days.
         * @defaultValue 30
         */
        knownClientDays?: number;
        /**
         * Distinct accounts one client address may fail to sign in to
         * within the window before 429 (stops password spraying; one
         * person's typos on one account count once).
         * @defaultValue 10 × maxFailures
         */
        clientMaxAccounts?: number;
      };
    };
  };
}
