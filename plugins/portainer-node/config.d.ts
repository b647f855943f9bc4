import type { HumanDuration } from '@backstage/types';

export interface Config {
  portainer?: {
    incidents?: {
      /**
       * How long a failed container or service must stay up (and healthy),
       * with no new failure, before its incident resolves by itself.
       * A duration object (`{ minutes: 5 }`) or an ISO 8601 duration (`PT5M`).
       * @defaultValue 5 minutes
       */
      quietPeriod?: HumanDuration | string;
      /**
       * How many log lines an incident captures when it opens.
       * @defaultValue 100
       */
      logLines?: number;
      /**
       * How long received Docker events are kept.
       * @defaultValue 14 days
       */
      eventRetention?: HumanDuration | string;
      /**
       * Whether the portainer plugin watches Docker events and opens
       * incidents (the local socket and every `docker` connection).
       * @defaultValue true
       */
      enabled?: boolean;
      /**
       * Watch only containers and services carrying one of these labels
       * (`key` or `key=value`); every container when empty.
       */
      labels?: string[];
      /**
       * How often quiet incidents are resolved, old events pruned and the
       * `docker` connections re-read.
       * @defaultValue 30 seconds
       */
      housekeepingInterval?: HumanDuration | string;
    };
  };
}
