/**
 * What a step does when its job fails: stop the install (the default), go on
 * with the next step, or run the manifest's `rollback` steps and stop.
 * @public
 */
export type OrchStepFailurePolicy = 'stop' | 'continue' | 'rollback';

/**
 * One step of a project: a runbook run as a child job of the install.
 * @public
 */
export type OrchProjectStep = {
  /** Unique in the manifest (steps and rollback together); other steps read `steps.<id>`. */
  id: string;
  /** Shown in the job page; defaults to the id. */
  name?: string;
  /** Name of the runbook (`runbooks/playbooks/<runbook>.runbook.yaml`). */
  runbook: string;
  /** The runbook's inputs; string values may hold `${{ }}` templates. */
  inputs: Record<string, unknown>;
  /** Condition; the step is skipped when it is false. */
  when?: string;
  /** @defaultValue 'stop' */
  onFailure: OrchStepFailurePolicy;
  /** Environment of the child job (may be a template); defaults to the install's. */
  environment?: string;
  /** Connection ids or names the child job uses (each may be a template). */
  connections?: string[];
};

/**
 * Another project or a runbook this project needs, with a semver range.
 * Exactly one of `project` and `runbook` is set.
 * @public
 */
export type OrchProjectDependency = {
  project?: string;
  runbook?: string;
  /** A semver range (`^1.2.0`, `>=1 <3`, `*`). */
  version: string;
};

/**
 * A link shown on the project's catalog page.
 * @public
 */
export type OrchProjectLink = { url: string; title?: string };

/**
 * An `orch.yaml` manifest (`apiVersion: orch/v1`, `kind: Project`), as
 * validated by {@link parseOrchManifest} (defaults filled in).
 * @public
 */
export type OrchProjectManifest = {
  apiVersion: 'orch/v1';
  kind: 'Project';
  metadata: {
    /** DNS label; the install template is named `install-<name>`. */
    name: string;
    title?: string;
    description?: string;
    /** Catalog entity ref of the owner (`group:platform-team`). */
    owner: string;
    tags: string[];
    links: OrchProjectLink[];
  };
  spec: {
    /** JSON Schema (draft 2020-12) of the inputs; secrets carry `x-orch-secret: true`. */
    inputs: Record<string, unknown>;
    dependencies: OrchProjectDependency[];
    steps: OrchProjectStep[];
    /** Output name → template (`${{ steps.deploy.outputs.url }}`). */
    outputs: Record<string, string>;
    /** Run in order when a step with `onFailure: rollback` fails. */
    rollback: OrchProjectStep[];
  };
};

/**
 * One problem found in a manifest.
 * @public
 */
export interface ManifestError {
  /** Where in the file, e.g. `spec.steps[1].runbook`; empty for the whole file. */
  path: string;
  /** 1-based line of the offending node, when known. */
  line?: number;
  /** 1-based column of the offending node, when known. */
  column?: number;
  /**
   * The rule that was broken: a JSON Schema keyword (`required`, `pattern`,
   * `enum`, …) or one of `yaml`, `size`, `duplicate-id`, `template`,
   * `unknown-step`, `later-step`, `unknown-input`, `secret-output`,
   * `secret-flow`, `unknown-runbook`, `semver-range`, `input-schema`.
   */
  rule: string;
  message: string;
}

/**
 * Result of {@link parseOrchManifest}: the manifest when there is no error.
 * @public
 */
export type OrchManifestParseResult = {
  manifest?: OrchProjectManifest;
  errors: ManifestError[];
};
