import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  SECRET_KEYWORD,
  parseOrchManifest,
  renderTemplateValue,
  templateReferences,
  type Job,
  type OrchProjectManifest,
  type OrchProjectStep,
  type ProjectInstallPlan,
  type ProjectPlanStep,
} from '@internal/backstage-plugin-orch-common';
import {
  GitHubProjectReader,
  GitHubRateLimitedError,
  SECRET_MASK,
  findGitHubAllowRule,
  isSecretMask,
  splitRepository,
  type OrchGitHubConfig,
  secretFields,
  type DatabaseJobStore,
  type FieldError,
  type RunbookCatalog,
  type RunbookJobFactory,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { randomUUID } from 'crypto';
import { readFile, realpath, stat } from 'fs/promises';
import { join, sep } from 'path';
import type { RunbookAccess } from './auth/RunbookAccess';
import type { ConnectionService } from './ConnectionService';
import { InputValidationError } from './errors';
import { principalOf } from './JobService';

/** A project name is a DNS label, so it is also a safe folder name. */
const PROJECT_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_MANIFEST_BYTES = 256 * 1024;
const DEFAULT_GITHUB_API = 'https://api.github.com';

/** What an install request carries, before validation. */
export type InstallRequest = {
  project?: unknown;
  repository?: unknown;
  ref?: unknown;
  inputs?: unknown;
  environment?: unknown;
  dryRun?: unknown;
};

type ProjectSource = { name: string; repository?: string; ref?: string };

/**
 * Project installs: resolves a project's `orch.yaml`, checks the request
 * against it (inputs against its schema, every step's runbook enabled and
 * allowed to the caller in that environment), and writes ONE parent job of
 * kind `project` on the projects queue. The worker runs the steps as child
 * jobs; nothing here runs or even creates them.
 */
export class ProjectService {
  private readonly ajv: Ajv2020;

  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      catalog: RunbookCatalog;
      factory: RunbookJobFactory;
      secretBox: SecretBox;
      manifestsDir: string;
      logger: LoggerService;
      access?: RunbookAccess;
      /** `orch.catalog.github`: without it, GitHub projects are refused. */
      github?: OrchGitHubConfig;
      /** Reads the token of the configured `github` connection. */
      connections?: Pick<ConnectionService, 'readCredentials'>;
    },
  ) {
    this.ajv = new Ajv2020({
      allErrors: true,
      strict: false,
      useDefaults: true,
      coerceTypes: false,
    });
    addFormats(this.ajv);
    this.ajv.addKeyword({ keyword: SECRET_KEYWORD, schemaType: 'boolean' });
  }

  /** Validates the request shape; throws a 400 naming each bad field. */
  parseRequest(body: InstallRequest) {
    const fields: FieldError[] = [];
    const { project, repository, ref, environment, dryRun } = body;
    const inputs = body.inputs ?? {};
    if (typeof project !== 'string' || !PROJECT_NAME.test(project)) {
      fields.push({
        field: 'project',
        message: 'must be a project name (lower case letters, digits and -)',
      });
    }
    if (repository !== undefined && typeof repository !== 'string') {
      fields.push({ field: 'repository', message: 'must be owner/name' });
    }
    if (ref !== undefined && (typeof ref !== 'string' || !ref)) {
      fields.push({ field: 'ref', message: 'must be a tag, branch or commit' });
    }
    if (typeof environment !== 'string' || !environment) {
      fields.push({ field: 'environment', message: 'is required' });
    }
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      fields.push({ field: 'inputs', message: 'must be an object' });
    }
    if (dryRun !== undefined && typeof dryRun !== 'boolean') {
      fields.push({ field: 'dryRun', message: 'must be true or false' });
    }
    if (fields.length) throw new InputValidationError('Invalid request', fields);
    if (repository !== undefined) {
      // Rule 5: only an allowed scope, through the catalog's GitHub
      // settings; never an arbitrary fetch from here.
      if (!this.deps.github) {
        throw new InputValidationError('Invalid request', [
          {
            field: 'repository',
            message: 'GitHub projects need orch.catalog.github configured',
          },
        ]);
      }
      try {
        splitRepository(repository as string);
      } catch {
        throw new InputValidationError('Invalid request', [
          { field: 'repository', message: 'must be owner/name' },
        ]);
      }
      if (ref === undefined) {
        throw new InputValidationError('Invalid request', [
          { field: 'ref', message: 'is required with repository (an allowed tag)' },
        ]);
      }
      return {
        source: {
          name: project as string,
          repository: repository as string,
          ref: ref as string,
        } as ProjectSource,
        inputs: inputs as Record<string, unknown>,
        environment: environment as string,
        dryRun: dryRun === true,
      };
    }
    return {
      source: { name: project as string } as ProjectSource,
      inputs: inputs as Record<string, unknown>,
      environment: environment as string,
      dryRun: dryRun === true,
    };
  }

  async install(
    body: InstallRequest,
    credentials: BackstageCredentials,
  ): Promise<{ job: Job } | { plan: ProjectInstallPlan }> {
    const request = this.parseRequest(body);
    const { name, repository, ref } = request.source;
    const manifest =
      repository && ref
        ? await this.loadGitHub(name, repository, ref)
        : await this.loadLocal(name);
    return this.installManifest(manifest, request, credentials);
  }

  /**
   * Installs again what an earlier install installed, from the manifest it
   * stored. Secret inputs are not kept once a job ends: give them again.
   */
  async relaunch(
    original: Job,
    body: { secrets?: unknown },
    credentials: BackstageCredentials,
  ): Promise<Job> {
    const manifest = (await this.deps.store.getProjectManifest(original.id)) as
      | OrchProjectManifest
      | undefined;
    if (!manifest || !original.project) {
      throw new ConflictError(`Job ${original.id} has no manifest to install again`);
    }
    const secrets = body.secrets ?? {};
    if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
      throw new InputValidationError('Invalid request', [
        { field: 'secrets', message: 'must be an object' },
      ]);
    }
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(original.inputs)) {
      if (!isSecretMask(v)) inputs[k] = v;
    }
    const result = await this.installManifest(
      manifest,
      {
        source: original.project,
        inputs: { ...inputs, ...secrets },
        environment: original.environment,
        dryRun: false,
      },
      credentials,
    );
    return (result as { job: Job }).job;
  }

  private async installManifest(
    manifest: OrchProjectManifest,
    request: {
      source: ProjectSource;
      inputs: Record<string, unknown>;
      environment: string;
      dryRun: boolean;
    },
    credentials: BackstageCredentials,
  ): Promise<{ job: Job } | { plan: ProjectInstallPlan }> {
    const { environment, source } = request;
    const fields: FieldError[] = [];

    // Every runbook of every step (rollback included) must exist, be
    // enabled, take this environment, and be allowed to the caller.
    const steps = [...manifest.spec.steps, ...manifest.spec.rollback];
    for (const [i, step] of steps.entries()) {
      const where =
        i < manifest.spec.steps.length
          ? `spec.steps[${i}]`
          : `spec.rollback[${i - manifest.spec.steps.length}]`;
      const runbook = await this.deps.store.getRunbook(step.runbook);
      if (!runbook) {
        fields.push({ field: `${where}.runbook`, message: `no runbook named ${step.runbook}` });
        continue;
      }
      if (!runbook.enabled) {
        throw new ConflictError(`Runbook ${runbook.name} (step ${step.id}) is disabled`);
      }
      const stepEnvironment = step.environment ?? environment;
      if (!step.environment && !runbook.environments.includes(environment)) {
        fields.push({
          field: 'environment',
          message: `step ${step.id} (${runbook.name}) runs only in ${runbook.environments.join(', ')}`,
        });
        continue;
      }
      if (!stepEnvironment.includes('${{')) {
        await this.deps.access?.check(runbook, stepEnvironment, credentials);
      }
    }

    const schema = manifest.spec.inputs ?? { type: 'object' };
    const validate = this.ajv.compile(schema);
    const inputs = structuredClone(request.inputs);
    if (!validate(inputs)) {
      fields.push(...(validate.errors ?? []).map(inputError));
    }
    if (fields.length) throw new InputValidationError('Invalid install', fields);

    const secretNames = secretFields(schema);
    const secrets: Record<string, string> = {};
    const stored: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
      if (secretNames.includes(key)) {
        secrets[key] = String(value);
        stored[key] = SECRET_MASK;
      } else {
        stored[key] = value;
      }
    }

    if (request.dryRun) {
      return { plan: this.plan(manifest, source, environment, stored) };
    }

    const job = await this.deps.store.createJob({
      id: randomUUID(),
      kind: 'project',
      runbookName: manifest.metadata.name,
      runbookVersion: source.ref ?? 'local',
      environment,
      inputs: stored,
      secretsEncrypted: Object.keys(secrets).length
        ? this.deps.secretBox.seal(secrets)
        : undefined,
      createdBy: principalOf(credentials),
      project: source,
      projectManifest: manifest,
    });
    await this.deps.factory.enqueue(job.id, 'project');
    return { job };
  }

  /**
   * The install as it would run: each step's inputs rendered from the
   * project's inputs (secrets masked); values that need an earlier step's
   * outputs keep their template.
   */
  private plan(
    manifest: OrchProjectManifest,
    source: ProjectSource,
    environment: string,
    stored: Record<string, unknown>,
  ): ProjectInstallPlan {
    const ctx = { inputs: stored, steps: {}, env: { name: environment } };
    const renderStep = (step: OrchProjectStep, index: number): ProjectPlanStep => {
      const inputs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(step.inputs ?? {})) {
        const needsSteps = templateReferences(value).some(r => r.kind === 'step');
        inputs[key] = needsSteps ? value : renderTemplateValue(value, ctx);
      }
      return {
        index,
        id: step.id,
        ...(step.name ? { name: step.name } : {}),
        runbook: step.runbook,
        inputs,
        ...(step.when ? { when: step.when } : {}),
        onFailure: step.onFailure ?? 'stop',
      };
    };
    return {
      dryRun: true,
      project: manifest.metadata.name,
      ...(source.repository ? { repository: source.repository } : {}),
      ...(source.ref ? { ref: source.ref } : {}),
      environment,
      inputs: stored,
      steps: manifest.spec.steps.map(renderStep),
      rollback: manifest.spec.rollback.map(renderStep),
      outputs: manifest.spec.outputs ?? {},
    };
  }

  /** Reads and validates `<manifestsDir>/<project>/orch.yaml`. */
  async loadLocal(project: string): Promise<OrchProjectManifest> {
    let root: string;
    let file: string;
    try {
      root = await realpath(this.deps.manifestsDir);
      file = await realpath(join(root, project, 'orch.yaml'));
    } catch {
      throw new NotFoundError(`No project named ${project}`);
    }
    // The manifest must not be a link to somewhere else.
    if (!file.startsWith(root + sep)) {
      throw new NotFoundError(`No project named ${project}`);
    }
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_MANIFEST_BYTES) {
      throw new InputError(`The manifest of ${project} is not a file under ${MAX_MANIFEST_BYTES} bytes`);
    }
    const text = await readFile(file, 'utf8');
    return this.parseManifest(text, project, project);
  }

  /**
   * Reads and validates `orch.yaml` at `ref` of a GitHub repository. The
   * repository and ref must be allowed by `orch.catalog.github` (403
   * otherwise, and GitHub is not asked); no manifest at the root is a 404,
   * one that is not a regular file or too big a 400, GitHub unreachable or
   * rate-limited a 503. The token is read from the configured `github`
   * connection and never appears in an error.
   */
  async loadGitHub(
    project: string,
    repository: string,
    ref: string,
  ): Promise<OrchProjectManifest> {
    const github = this.deps.github!;
    if (!findGitHubAllowRule(github.allow, repository, ref)) {
      throw new NotAllowedError(
        `${repository} at ${ref} is not allowed by orch.catalog.github (no allow rule names this repository or its organisation with a tag pattern matching ${ref})`,
      );
    }
    const where = `${repository} at ${ref}`;
    const reader = await this.githubReader();
    let result;
    try {
      const tags = await reader.listTags(repository);
      if (!tags.includes(ref)) {
        throw new NotFoundError(`${repository} has no tag ${ref}`);
      }
      result = await reader.readManifest(repository, ref);
    } catch (e) {
      if ((e as Error).name === 'NotFoundError') throw e;
      if (e instanceof GitHubRateLimitedError) {
        throw new ServiceUnavailableError(
          `GitHub's rate limit is spent until ${new Date(e.until).toISOString()}; cannot read ${where}`,
        );
      }
      const status = (e as { status?: number }).status;
      this.deps.logger.warn(
        `Cannot read ${where} on GitHub (${status ? `HTTP ${status}` : (e as Error).name})`,
      );
      throw new ServiceUnavailableError(
        `GitHub cannot be reached to read ${where}${status ? ` (HTTP ${status})` : ''}`,
      );
    }
    if (result.status === 'refused') {
      if (result.reason.startsWith('no ')) {
        throw new NotFoundError(`${where}: ${result.reason}`);
      }
      throw new InputError(`${where}: ${result.reason}`);
    }
    return this.parseManifest(result.text, project, where);
  }

  /** A reader with the token of the configured `github` connection. */
  private async githubReader(): Promise<GitHubProjectReader> {
    const github = this.deps.github!;
    let token: string | undefined;
    let apiUrl = github.apiUrl;
    if (github.connection) {
      if (!this.deps.connections) {
        throw new ServiceUnavailableError('GitHub connections cannot be read here');
      }
      let credentials;
      try {
        credentials = await this.deps.connections.readCredentials(
          github.connection,
          ['github'],
        );
      } catch (e) {
        throw new ServiceUnavailableError(
          `Cannot read the GitHub connection "${github.connection}" (${
            (e as Error).name
          })`,
        );
      }
      const secrets = credentials.secrets as Record<string, unknown> | undefined;
      const values = credentials.config as Record<string, unknown> | undefined;
      token = typeof secrets?.token === 'string' ? secrets.token : undefined;
      // As the catalog ingest: the connection's address wins.
      if (typeof values?.api_url === 'string' && values.api_url) {
        apiUrl = values.api_url;
      }
    }
    return new GitHubProjectReader({
      token,
      baseUrl: apiUrl ?? DEFAULT_GITHUB_API,
      logger: this.deps.logger,
      userAgent: 'orch-install',
    });
  }

  private parseManifest(
    text: string,
    project: string,
    where: string,
  ): OrchProjectManifest {
    const runbooks = Object.fromEntries(
      this.deps.catalog.list().map(d => [d.name, { inputs: d.inputs }]),
    );
    const { manifest, errors } = parseOrchManifest(text, { runbooks });
    if (!manifest) {
      throw new InputValidationError(
        `The manifest of ${where} is invalid`,
        errors.map(e => ({
          field: `manifest${e.path ? `.${e.path}` : ''}`,
          message: `${e.message} (${e.rule}${e.line ? `, line ${e.line}` : ''})`,
        })),
      );
    }
    if (manifest.metadata.name !== project) {
      throw new InputValidationError('Invalid manifest', [
        {
          field: 'manifest.metadata.name',
          message: `is ${manifest.metadata.name}, not ${project}`,
        },
      ]);
    }
    return manifest;
  }
}

function inputError(error: ErrorObject): FieldError {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let message = error.message ?? error.keyword;
  if (error.keyword === 'required') {
    segments.push(String(error.params.missingProperty));
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params.additionalProperty));
    message = 'is not an allowed property';
  } else if (error.keyword === 'enum') {
    message += `: ${(error.params.allowedValues as unknown[]).join(', ')}`;
  }
  return { field: ['inputs', ...segments].join('.'), message };
}
