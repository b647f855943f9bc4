import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds, type HumanDuration } from '@backstage/types';
import type { ThrottleOptions } from './LoginThrottle';

/** `orch.auth.*`, with the defaults docs/configuration.md lists. */
export type OrchAuthConfig = {
  sessionTtlMs: number;
  rememberTtlMs: number;
  throttle: ThrottleOptions;
  trustProxyHops: number;
};

function durationMs(config: Config, key: string, fallback: HumanDuration): number {
  return durationToMilliseconds(
    config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

export function readOrchAuthConfig(config: Config): OrchAuthConfig {
  const c = config.getOptionalConfig('orch.auth');
  const get = (key: string, def: number) => c?.getOptionalNumber(key) ?? def;
  const maxFailures = get('rateLimit.maxFailures', 5);
  return {
    sessionTtlMs: durationMs(config, 'orch.auth.sessionDuration', { hours: 12 }),
    rememberTtlMs: durationMs(config, 'orch.auth.rememberDuration', { days: 30 }),
    throttle: {
      maxFailures,
      windowSeconds: get('rateLimit.windowSeconds', 900),
      knownClientDays: get('rateLimit.knownClientDays', 30),
      // Ten times the per-account limit: a shared address is many people.
      clientMaxAccounts: get('rateLimit.clientMaxAccounts', 10 * maxFailures),
    },
    trustProxyHops: get('trustProxyHops', 0),
  };
}
