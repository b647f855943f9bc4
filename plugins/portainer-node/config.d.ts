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
    };
  };
}
