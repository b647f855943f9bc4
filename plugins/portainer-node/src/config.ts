import { readDurationFromConfig, type Config } from '@backstage/config';
import { durationToMilliseconds, type HumanDuration } from '@backstage/types';

/**
 * `portainer.incidents.*` (see config.d.ts), defaults applied.
 * @public
 */
export type IncidentsConfig = {
  /** For {@link IncidentEngineOptions.quietPeriodMs}. */
  quietPeriodMs: number;
  /** For {@link DockerContextCollectorOptions.logLines}. */
  logLines: number;
  /** Age after which `pruneEvents` deletes stored events. */
  eventRetentionMs: number;
  /** Whether events are watched and incidents opened at all. */
  enabled: boolean;
  /** Docker `label` filters of the watchers; empty for every container. */
  labels: string[];
  /** Period of quiet resolution, event pruning and connection refresh. */
  housekeepingIntervalMs: number;
};

function durationMs(
  config: Config,
  key: string,
  fallback: HumanDuration,
): number {
  return durationToMilliseconds(
    config.has(key) ? readDurationFromConfig(config, { key }) : fallback,
  );
}

/**
 * Reads `portainer.incidents.*` from the app config.
 * @public
 */
export function readIncidentsConfig(config: Config): IncidentsConfig {
  return {
    quietPeriodMs: durationMs(config, 'portainer.incidents.quietPeriod', {
      minutes: 5,
    }),
    logLines: config.getOptionalNumber('portainer.incidents.logLines') ?? 100,
    eventRetentionMs: durationMs(config, 'portainer.incidents.eventRetention', {
      days: 14,
    }),
    enabled: config.getOptionalBoolean('portainer.incidents.enabled') ?? true,
    labels: config.getOptionalStringArray('portainer.incidents.labels') ?? [],
    housekeepingIntervalMs: durationMs(
      config,
      'portainer.incidents.housekeepingInterval',
      { seconds: 30 },
    ),
  };
}
