import path from 'path';
import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ResponseError, toError } from '@backstage/errors';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ParseOrchManifestOptions,
  parseOrchManifest,
} from '@internal/backstage-plugin-orch-common';
import {
  GitHubProjectReader,
  GitHubRateLimitedError,
  RunbookCatalog,
  describeGitHubError,
  readOrchGitHubConfig,
  type GitHubProjectResult,
  type OrchGitHubConfig,
} from '@internal/backstage-plugin-orch-node';
import {
  LoadedProject,
  formatManifestError,
  projectEntities,
  runbookEntity,
} from '../projects/projectEntities';
import { entityName, readLocalProjects } from '../projects/readLocalProjects';

const DEFAULT_OWNER = 'group:default/platform-team';
const DEFAULT_LOCAL_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 1 },
  timeout: { minutes: 2 },
};
const DEFAULT_GITHUB_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 10 },
};
const DEFAULT_GITHUB_API = 'https://api.github.com';

/** Where the GitHub projects come from, read from `orch.catalog.github`. */
export type OrchGitHubSourceOptions = OrchGitHubConfig;

/** @public */
export type OrchProjectEntityProviderOptions = {
  /** `local`: the runbooks folder (projects and runbooks); `github`: the allowlist. */
  source: 'local' | 'github';
  runbooksDir: string;
  manifestsDir: string;
  github?: OrchGitHubSourceOptions;
  /** Owner of runbook resources and of projects whose manifest is unreadable. */
  defaultOwner: string;
  /** `app.baseUrl`, for links to the runbook pages. */
  appBaseUrl?: string;
  logger: LoggerService;
  auth: AuthService;
  discovery: DiscoveryService;
  taskRunner: SchedulerServiceTaskRunner;
};

/**
 * Orch projects as catalog entities.
 *
 * The `local` provider reads `runbooks/playbooks/*.runbook.yaml` (one
 * `Resource` per runbook) and `runbooks/manifests/<project>/orch.yaml` (per
 * project a `Component` and an `install-<project>` `Template`). The `github`
 * provider, present when `orch.catalog.github` is configured, reads
 * `orch.yaml` at the newest allowed tag of each allowed repository. Each
 * owns its entities and replaces them as a whole on its own schedule.
 *
 * A project whose manifest is invalid still appears, as a `Component` with
 * the errors in its `orch.io/manifest-errors` annotation (the
 * {@link OrchProjectManifestProcessor} turns them into a processing error);
 * the other entities are not affected.
 * @public
 */
export class OrchProjectEntityProvider implements EntityProvider {
  /**
   * The local provider, and the GitHub one when `orch.catalog.github` is set.
   */
  static fromConfig(
    config: Config,
    deps: {
      logger: LoggerService;
      scheduler: SchedulerService;
      auth: AuthService;
      discovery: DiscoveryService;
    },
  ): OrchProjectEntityProvider[] {
    const runbooksDir = path.resolve(
      config.getOptionalString('orch.runbooks.dir') ?? 'runbooks',
    );
    const manifestsDir = path.resolve(
      config.getOptionalString('orch.manifests.dir') ??
        path.join(runbooksDir, 'manifests'),
    );
    const defaultOwner =
      config.getOptionalString('orch.catalog.projects.owner') ?? DEFAULT_OWNER;
    const schedule = (
      key: string,
      fallback: SchedulerServiceTaskScheduleDefinition,
    ) =>
      config.has(key)
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
            config.getConfig(key),
          )
        : fallback;
    const common = {
      appBaseUrl: config.getOptionalString('app.baseUrl'),
      runbooksDir,
      manifestsDir,
      defaultOwner,
      logger: deps.logger,
      auth: deps.auth,
      discovery: deps.discovery,
    };
    const providers = [
      new OrchProjectEntityProvider({
        ...common,
        source: 'local',
        taskRunner: deps.scheduler.createScheduledTaskRunner({
          ...schedule('orch.catalog.projects.schedule', DEFAULT_LOCAL_SCHEDULE),
          scope: 'global',
        }),
      }),
    ];
    // The allowlist is read as the orch plugin reads it for installs.
    const github = readOrchGitHubConfig(config);
    if (github) {
      providers.push(
        new OrchProjectEntityProvider({
          ...common,
          source: 'github',
          github,
          taskRunner: deps.scheduler.createScheduledTaskRunner({
            ...schedule(
              'orch.catalog.github.schedule',
              DEFAULT_GITHUB_SCHEDULE,
            ),
            scope: 'global',
          }),
        }),
      );
    }
    return providers;
  }

  readonly #options: OrchProjectEntityProviderOptions;
  readonly #logger: LoggerService;
  #connection?: EntityProviderConnection;
  #reader?: { key: string; reader: GitHubProjectReader };
  /** Last answer per repository, kept through GitHub outages. */
  readonly #lastResults = new Map<string, GitHubProjectResult>();
  /** Refusals already logged, so each is said once until it changes. */
  readonly #reported = new Set<string>();

  constructor(options: OrchProjectEntityProviderOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ provider: this.getProviderName() });
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return this.#options.source === 'local'
      ? 'OrchProjectEntityProvider'
      : 'OrchProjectEntityProvider:github';
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refresh(),
    });
  }

  /**
   * Reads the source and replaces the provider's entities. Nothing changes
   * when the source cannot be read as a whole (the runbooks folder is
   * missing, GitHub's rate limit is spent, the connection cannot be read).
   */
  async refresh(): Promise<void> {
    if (!this.#connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    const runbooks = await RunbookCatalog.load({
      rootDir: this.#options.runbooksDir,
      logger: this.#logger,
    });
    const parseOptions: ParseOrchManifestOptions = {
      runbooks: Object.fromEntries(runbooks.list().map(r => [r.name, r])),
    };

    let projects: LoadedProject[];
    const entities = [];
    if (this.#options.source === 'local') {
      try {
        projects = await readLocalProjects(
          this.#options.manifestsDir,
          parseOptions,
        );
      } catch (error) {
        this.#logger.warn(
          `Cannot read the manifests folder ${
            this.#options.manifestsDir
          }; keeping the current entities`,
          toError(error),
        );
        return;
      }
      const location = `file:${path.join(
        this.#options.runbooksDir,
        'playbooks',
      )}`;
      for (const runbook of runbooks.list()) {
        entities.push({
          entity: runbookEntity(runbook, { ...this.#options, location }),
          locationKey: `${location}/${runbook.name}`,
        });
      }
    } else {
      const read = await this.#readGitHub(parseOptions);
      if (!read) {
        return;
      }
      projects = read;
    }

    const names = new Map<string, string>();
    for (const project of projects) {
      const first = names.get(project.name);
      if (first) {
        this.#logger.warn(
          `Skipping the project "${project.name}" of ${project.manifestLocation}: ${first} already defines it`,
        );
        continue;
      }
      names.set(project.name, project.manifestLocation);
      if (!project.manifest) {
        this.#reportOnce(
          `invalid:${project.location}:${JSON.stringify(project.errors)}`,
          `Invalid orch.yaml for project "${project.name}" at ${
            project.manifestLocation
          }: ${project.errors.map(formatManifestError).join('; ')}`,
        );
      }
      for (const entity of projectEntities(project, this.#options)) {
        entities.push({ entity, locationKey: project.location });
      }
    }
    await this.#connection.applyMutation({ type: 'full', entities });
    this.#logger.debug(`Provided ${entities.length} entities`);
  }

  /** The GitHub projects, or undefined when the picture would be incomplete. */
  async #readGitHub(
    parseOptions: ParseOrchManifestOptions,
  ): Promise<LoadedProject[] | undefined> {
    const github = this.#options.github!;
    let reader: GitHubProjectReader;
    try {
      reader = await this.#githubReader(github);
    } catch (error) {
      this.#logger.warn(
        `Cannot read the GitHub connection "${github.connection}"; keeping the current GitHub projects`,
        toError(error),
      );
      return undefined;
    }
    if (reader.blockedUntil) {
      this.#logger.debug('GitHub rate limit still spent; skipping this run');
      return undefined;
    }

    const projects: LoadedProject[] = [];
    const seen = new Set<string>();
    for (const rule of github.allow) {
      let repositories: string[];
      try {
        repositories = await reader.listRepositories(rule);
      } catch (error) {
        if (!(error instanceof GitHubRateLimitedError)) {
          this.#logger.warn(
            `Cannot list the repositories of ${
              rule.org ?? rule.repo
            } on GitHub (${describeGitHubError(
              error,
            )}); keeping the current GitHub projects`,
          );
        }
        return undefined;
      }
      for (const repository of repositories) {
        if (seen.has(repository)) {
          continue;
        }
        seen.add(repository);
        let result: GitHubProjectResult | undefined;
        try {
          result = await reader.readProject(repository, rule.tags);
          this.#lastResults.set(repository, result);
        } catch (error) {
          if (error instanceof GitHubRateLimitedError) {
            return undefined;
          }
          this.#logger.warn(
            `Cannot read ${repository} on GitHub (${describeGitHubError(
              error,
            )})`,
          );
          result = this.#lastResults.get(repository);
        }
        if (!result) {
          continue;
        }
        if (result.status === 'refused') {
          this.#reportOnce(
            `refused:${repository}:${result.ref}:${result.reason}`,
            `Refused GitHub project ${repository}${
              result.ref ? `@${result.ref}` : ''
            }: ${result.reason}`,
          );
          continue;
        }
        const { manifest, errors } = parseOrchManifest(
          result.text,
          parseOptions,
        );
        const location = `url:${result.url}`;
        projects.push({
          name: manifest?.metadata.name ?? entityName(repository.split('/')[1]),
          location,
          manifestLocation: result.url,
          repository,
          ref: result.ref,
          refs: result.refs,
          manifest,
          errors,
        });
      }
    }
    return projects;
  }

  /** One reader per token and API address, so its ETag cache lives on. */
  async #githubReader(
    github: OrchGitHubSourceOptions,
  ): Promise<GitHubProjectReader> {
    let token: string | undefined;
    let baseUrl = github.apiUrl ?? DEFAULT_GITHUB_API;
    if (github.connection) {
      const credentials = await this.#readConnection(github.connection);
      token = credentials.secrets?.token;
      const apiUrl = credentials.config?.api_url;
      if (typeof apiUrl === 'string' && apiUrl) {
        baseUrl = apiUrl;
      }
    }
    const key = `${baseUrl} ${token ?? ''}`;
    if (this.#reader?.key !== key) {
      this.#reader = {
        key,
        reader: new GitHubProjectReader({
          token,
          baseUrl,
          logger: this.#logger,
        }),
      };
    }
    return this.#reader.reader;
  }

  /** The token of a `github` connection, read from the orch plugin (audited there). */
  async #readConnection(idOrName: string): Promise<{
    config?: Record<string, unknown>;
    secrets?: Record<string, string>;
  }> {
    const baseUrl = await this.#options.discovery.getBaseUrl('orch');
    const { token } = await this.#options.auth.getPluginRequestToken({
      onBehalfOf: await this.#options.auth.getOwnServiceCredentials(),
      targetPluginId: 'orch',
    });
    const response = await fetch(
      `${baseUrl}/v1/connections/${encodeURIComponent(idOrName)}/credentials`,
      { method: 'POST', headers: { Authorization: `Bearer ${token}` } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }

  #reportOnce(key: string, message: string): void {
    if (this.#reported.has(key)) {
      return;
    }
    // Bounded: past this many distinct problems, saying one twice is fine.
    if (this.#reported.size >= 10_000) {
      this.#reported.clear();
    }
    this.#reported.add(key);
    this.#logger.warn(message);
  }
}
