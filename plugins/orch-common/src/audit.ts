/**
 * The action names Orch writes to its audit log. The list documents the
 * vocabulary; the log itself accepts any string so that a new action never
 * loses its record.
 * @public
 */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.refresh',
  'runbook.execute',
  'runbook.enable',
  'runbook.disable',
  'job.cancel',
  'job.relaunch',
  'project.install',
  'connection.create',
  'connection.update',
  'connection.delete',
  'connection.credentials.read',
  'user.create',
  'user.update',
  'user.enable',
  'user.disable',
  'user.roles.update',
  'user.password.reset',
  'user.password.change',
  'keys.rotate',
] as const;

/**
 * One of the documented audit action names.
 * @public
 */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * How an audited action ended: done, failed, or refused by a permission check.
 * @public
 */
export type AuditOutcome = 'success' | 'failure' | 'denied';

/**
 * One entry of the append-only audit log. `metadata` never holds a secret:
 * the writer masks secret-looking keys and known secret values before storing.
 * @public
 */
export type AuditEntry = {
  /** Database id, as a string (a bigint on Postgres). */
  id: string;
  /** Entity ref of who acted, e.g. `user:default/alice`. */
  actor: string;
  /** Action name, see {@link AUDIT_ACTIONS}. */
  action: string;
  /** Kind of the object acted upon, e.g. `job`. */
  targetType?: string;
  /** Id of the object acted upon. */
  targetId?: string;
  /** When the action happened, ISO-8601 UTC with milliseconds. */
  ts: string;
  outcome: AuditOutcome;
  /** Client summary: IP address and user agent. */
  client?: string;
  /** Redacted details of the action. */
  metadata?: Record<string, unknown>;
};
