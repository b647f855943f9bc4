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
      projects?: {
        /**
         * How often the catalog reads the local projects
         * (`runbooks/manifests/*\/orch.yaml`) and the runbooks, and replaces
         * their entities (scope `global`).
         * @defaultValue \{ frequency: \{ minutes: 1 \}, timeout: \{ minutes: 2 \} \}
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Owner of the runbook `Resource` entities and of projects whose
         * manifest cannot be read.
         * @defaultValue 'group:default/platform-team'
         */
        owner?: string;
      };
      /**
       * Projects from GitHub: the `orch.yaml` at the root of allowed
       * repositories, at their newest allowed tag, read through the GitHub
       * REST API. Repositories outside the allowlist are never requested.
       */
      github?: {
        /**
         * The allowlist: each rule names one organisation (`org: acme`) or
         * one repository (`repo: acme/shop`), and the tags that may be
         * installed as a glob (`v*`, `release-*`; `*` by default).
         */
        allow: Array<{
          /** An organisation: every non-archived repository of it. */
          org?: string;
          /** One repository, `owner/name`. */
          repo?: string;
          /** Glob of the installable tags; `*` matches any run of characters but `/`. */
          tags?: string;
        }>;
        /**
         * Id or name of the Orch connection of type `github` whose token
         * (and `api_url`) the catalog uses; read through the orch plugin,
         * which audits every read. Without it GitHub is called anonymously.
         */
        connection?: string;
        /**
         * The GitHub API's address when the connection has no `api_url`
         * (or there is no connection), e.g. a GitHub Enterprise server's.
         * @defaultValue 'https://api.github.com'
         */
        apiUrl?: string;
        /**
         * How often the allowed repositories are read (scope `global`).
         * @defaultValue \{ frequency: \{ minutes: 30 \}, timeout: \{ minutes: 10 \} \}
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
