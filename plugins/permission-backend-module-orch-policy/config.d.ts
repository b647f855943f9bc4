export interface Config {
  orch?: {
    rbac?: {
      /**
       * How long the permission policy keeps a user's roles and status before
       * asking the orch plugin again. A disabled user or a changed role takes
       * effect within this many seconds; 0 asks on every permission check.
       * @defaultValue 5
       */
      cacheSeconds?: number;
    };
  };
}
