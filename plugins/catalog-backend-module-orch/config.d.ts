import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  orch?: {
    catalog?: {
      users?: {
        /**
         * How often the catalog reads Orch's active users and replaces its
         * `User` entities with them (scope `global`: one backend replica runs
         * each refresh).
         * @defaultValue \{ frequency: \{ seconds: 30 \}, timeout: \{ minutes: 1 \} \}
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
