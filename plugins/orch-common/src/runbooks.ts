/**
 * How risky a runbook is to run; shown to users and used by policies.
 * @public
 */
export type RunbookRisk = 'low' | 'medium' | 'high';

/**
 * JSON Schema keyword that marks an input as secret. Secret inputs are
 * encrypted at rest, masked in every API answer, redacted from events and
 * artifacts, and rendered as password fields.
 * @public
 */
export const SECRET_KEYWORD = 'x-orch-secret';

/**
 * The descriptor that sits beside each playbook in `runbooks/playbooks/`
 * as `<name>.runbook.yaml`. Validated against `runbookDescriptorSchema`.
 * @public
 */
export type RunbookDescriptor = {
  name: string;
  version: string;
  title: string;
  description: string;
  category: string;
  risk: RunbookRisk;
  /** Playbook path relative to the runbooks root, e.g. `playbooks/hello.yml`. */
  playbook: string;
  /** Connection types the runbook needs (`ssh`, `portainer`, …). */
  connections: string[];
  /** Environments it may run in (`prod`, `stage`, …). */
  environments: string[];
  timeoutSeconds: number;
  /** JSON Schema (draft 2020-12) of the inputs; secret fields carry `x-orch-secret: true`. */
  inputs: Record<string, unknown>;
  /** Re-run the job when its worker is lost mid-run, instead of failing it. */
  retryOnWorkerLost?: boolean;
  /** Narrows who may execute (and relaunch) the runbook; admins always may. */
  access?: RunbookAccessRules;
};

/**
 * Who may run a runbook, beyond the `orch.runbook.execute` permission.
 * Administrators are never narrowed.
 * @public
 */
export type RunbookAccessRules = {
  /** The user must hold one of these roles. */
  roles?: string[];
  /**
   * Per environment: the user must hold one of `roles` (when given) AND
   * belong to one of `groups` (catalog group refs, when given).
   */
  environments?: Record<string, { roles?: string[]; groups?: string[] }>;
};

/**
 * A runbook as the API lists it.
 * @public
 */
export type Runbook = RunbookDescriptor & { enabled: boolean };

/**
 * A runbook as `GET /v1/runbooks` and `GET /v1/runbooks/:name` answer it:
 * `schema` is the same JSON Schema as `inputs`, under the blueprint's name.
 * @public
 */
export type RunbookResponse = Runbook & {
  /** The JSON Schema of the inputs; the same object as `inputs`. */
  schema: Record<string, unknown>;
};
