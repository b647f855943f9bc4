import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { toError } from '@backstage/errors';
import { MAX_MANIFEST_BYTES } from '@internal/backstage-plugin-orch-common';
import { Octokit } from '@octokit/rest';
import semver from 'semver';

/**
 * Reading project manifests (`orch.yaml`) from GitHub, shared by the
 * catalog's GitHub ingest and the orch plugin's installs from GitHub.
 */

/** The manifest's place in a repository: its root, never anywhere else. */
export const MANIFEST_FILE = 'orch.yaml';
/** Owner and repository names as GitHub allows them; never `.` or `..`. */
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;
const PER_PAGE = 100;
/** An organisation with more repositories than this is read in part. */
const MAX_PAGES = 10;

/**
 * One entry of `orch.catalog.github.allow`: an organisation or one
 * repository, and the tags (a glob: `v*`, `release-*`) that may be installed.
 */
export type GitHubAllowRule = { org?: string; repo?: string; tags: string };

/** `orch.catalog.github`: which repositories and tags may be read, and how. */
export type OrchGitHubConfig = {
  allow: GitHubAllowRule[];
  /** Id or name of the Orch connection (type `github`) holding the token. */
  connection?: string;
  /** The API's address when the connection gives none. */
  apiUrl?: string;
};

/**
 * Reads `orch.catalog.github`, or `undefined` when it is not set. Each rule
 * names exactly one of `org` or `repo`; `tags` defaults to `*`.
 */
export function readOrchGitHubConfig(
  config: Config,
): OrchGitHubConfig | undefined {
  const github = config.getOptionalConfig('orch.catalog.github');
  if (!github) {
    return undefined;
  }
  const allow = github.getConfigArray('allow').map(rule => {
    const parsed: GitHubAllowRule = {
      org: rule.getOptionalString('org'),
      repo: rule.getOptionalString('repo'),
      tags: rule.getOptionalString('tags') ?? '*',
    };
    if (Boolean(parsed.org) === Boolean(parsed.repo)) {
      throw new Error(
        'orch.catalog.github.allow: each rule names exactly one of org or repo',
      );
    }
    if (parsed.repo) {
      splitRepository(parsed.repo);
    }
    return parsed;
  });
  return {
    allow,
    connection: github.getOptionalString('connection'),
    apiUrl: github.getOptionalString('apiUrl'),
  };
}

/**
 * The allow rule under which `ref` of `repository` may be installed: the
 * rule names the repository (or its organisation) and `ref` matches its tag
 * glob. `undefined` when none does: such a repository is never fetched.
 * Names compare case-insensitively, as GitHub's do.
 */
export function findGitHubAllowRule(
  allow: GitHubAllowRule[],
  repository: string,
  ref: string,
): GitHubAllowRule | undefined {
  const [owner] = splitRepository(repository);
  const full = repository.toLowerCase();
  return allow.find(rule => {
    const named = rule.repo
      ? rule.repo.toLowerCase() === full
      : rule.org?.toLowerCase() === owner.toLowerCase();
    return named && globToRegExp(rule.tags).test(ref);
  });
}

/** What was read from one allowed repository. */
export type GitHubProjectResult =
  | {
      status: 'ok';
      /** `owner/name`. */
      repository: string;
      /** The newest matching tag: the manifest was read there. */
      ref: string;
      /** Every matching tag, newest first. */
      refs: string[];
      text: string;
      /** Where a person reads the manifest. */
      url: string;
    }
  | {
      status: 'refused';
      repository: string;
      ref?: string;
      url: string;
      /** Why there is no project: no matching tag, no manifest, too big… */
      reason: string;
    };

type Cached = { etag: string; data: unknown };

/**
 * Thrown while GitHub's rate limit is exhausted: nothing more is asked
 * until `until`.
 */
export class GitHubRateLimitedError extends Error {
  constructor(readonly until: number) {
    super(`GitHub rate limit exhausted until ${new Date(until).toISOString()}`);
    this.name = 'GitHubRateLimitedError';
  }
}

/**
 * Reads `orch.yaml` from the repositories an allowlist names, through the
 * GitHub REST API (`@octokit/rest`): nothing is cloned, only the endpoints
 * for repositories, tags and contents are called, and only for allowed
 * repositories.
 *
 * Every GET is conditional (`If-None-Match` with the ETag of the last
 * answer), so an unchanged resource costs a 304 and no rate-limit point.
 * When GitHub says the limit is spent (403/429 with
 * `x-ratelimit-remaining: 0` or `retry-after`), the reader asks nothing
 * until the reset, and says so once in the log.
 */
export class GitHubProjectReader {
  readonly #octokit: Octokit;
  readonly #logger: LoggerService;
  readonly #cache = new Map<string, Cached>();
  #blockedUntil = 0;
  #now: () => number;

  constructor(options: {
    token?: string;
    baseUrl: string;
    logger: LoggerService;
    now?: () => number;
    /** Who asks GitHub: `orch-catalog` unless said otherwise. */
    userAgent?: string;
  }) {
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      userAgent: options.userAgent ?? 'orch-catalog',
      // Octokit's own logger would print 304s and 404s as warnings.
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** The time until which GitHub is not asked, or 0. */
  get blockedUntil(): number {
    return this.#blockedUntil > this.#now() ? this.#blockedUntil : 0;
  }

  /**
   * The repositories a rule allows: the repository itself (which must exist)
   * or the organisation's repositories, archived ones left out.
   */
  async listRepositories(rule: GitHubAllowRule): Promise<string[]> {
    if (rule.repo) {
      const [owner, repo] = splitRepository(rule.repo);
      const data = (await this.#get('GET /repos/{owner}/{repo}', {
        owner,
        repo,
      })) as { full_name: string; archived?: boolean } | undefined;
      return data && !data.archived ? [`${owner}/${repo}`] : [];
    }
    if (!rule.org || !NAME.test(rule.org)) {
      throw new Error(`Invalid allow rule: ${JSON.stringify(rule)}`);
    }
    const repos = await this.#getPages<{ name: string; archived?: boolean }>(
      'GET /orgs/{org}/repos',
      { org: rule.org },
    );
    // The organisation's own answer, and still only names GitHub allows.
    return repos
      .filter(repo => !repo.archived && NAME.test(repo.name))
      .map(repo => `${rule.org}/${repo.name}`);
  }

  /**
   * The manifest at the newest tag matching `tagPattern`, or why there is
   * none. Throws {@link GitHubRateLimitedError} when the limit is spent, and
   * other errors when GitHub cannot be read.
   */
  async readProject(
    repository: string,
    tagPattern: string,
  ): Promise<GitHubProjectResult> {
    const [owner, repo] = splitRepository(repository);
    const htmlBase = `https://github.com/${owner}/${repo}`;
    const tags = await this.listTags(repository);
    const matcher = globToRegExp(tagPattern);
    const refs = sortTags(tags.filter(t => matcher.test(t)));
    if (refs.length === 0) {
      return {
        status: 'refused',
        repository,
        url: htmlBase,
        reason: `no tag matches "${tagPattern}"`,
      };
    }
    return this.readManifest(repository, refs[0], refs);
  }

  /**
   * The tags of a repository, in GitHub's order (every page up to the
   * reader's limit).
   */
  async listTags(repository: string): Promise<string[]> {
    const [owner, repo] = splitRepository(repository);
    const tags = await this.#getPages<{ name: string }>(
      'GET /repos/{owner}/{repo}/tags',
      { owner, repo },
    );
    return tags.map(t => t.name);
  }

  /**
   * The manifest at `ref`: only a regular `orch.yaml` at the repository's
   * root, within the size limit; otherwise why not. The caller checks that
   * the repository and ref are allowed before asking (see
   * {@link findGitHubAllowRule}). Throws {@link GitHubRateLimitedError} when
   * the limit is spent, and other errors when GitHub cannot be read.
   */
  async readManifest(
    repository: string,
    ref: string,
    refs: string[] = [ref],
  ): Promise<GitHubProjectResult> {
    const [owner, repo] = splitRepository(repository);
    const htmlBase = `https://github.com/${owner}/${repo}`;
    const url = `${htmlBase}/blob/${encodeURIComponent(ref)}/${MANIFEST_FILE}`;
    const file = (await this.#get('GET /repos/{owner}/{repo}/contents/{path}', {
      owner,
      repo,
      path: MANIFEST_FILE,
      ref,
    })) as
      | { type?: string; size?: number; encoding?: string; content?: string }
      | unknown[]
      | undefined;
    const refuse = (reason: string): GitHubProjectResult => ({
      status: 'refused',
      repository,
      ref,
      url,
      reason,
    });
    if (file === undefined) {
      return refuse(`no ${MANIFEST_FILE} at the repository's root at ${ref}`);
    }
    // A directory, a symlink or a submodule answers with another shape:
    // only a regular file at the root is a manifest.
    if (Array.isArray(file) || file.type !== 'file') {
      return refuse(`${MANIFEST_FILE} at ${ref} is not a regular file`);
    }
    if ((file.size ?? 0) > MAX_MANIFEST_BYTES) {
      return refuse(
        `${MANIFEST_FILE} at ${ref} is ${file.size} bytes, more than the limit of ${MAX_MANIFEST_BYTES}`,
      );
    }
    if (file.encoding !== 'base64' || typeof file.content !== 'string') {
      return refuse(`${MANIFEST_FILE} at ${ref} came without its content`);
    }
    const bytes = Buffer.from(file.content, 'base64');
    if (bytes.length > MAX_MANIFEST_BYTES) {
      return refuse(
        `${MANIFEST_FILE} at ${ref} is ${bytes.length} bytes, more than the limit of ${MAX_MANIFEST_BYTES}`,
      );
    }
    return {
      status: 'ok',
      repository,
      ref,
      refs,
      text: bytes.toString('utf8'),
      url,
    };
  }

  /**
   * A conditional GET. `undefined` for a 404; the cached answer for a 304.
   */
  /**
   * Every item of a listing, page by page until a short page (at most
   * MAX_PAGES pages); a 404 is an empty listing.
   */
  async #getPages<T>(
    route: string,
    params: Record<string, string | number>,
  ): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = ((await this.#get(route, {
        ...params,
        per_page: PER_PAGE,
        page,
      })) ?? []) as T[];
      items.push(...data);
      if (data.length < PER_PAGE) {
        break;
      }
    }
    return items;
  }

  async #get(
    route: string,
    params: Record<string, string | number>,
  ): Promise<unknown> {
    const until = this.blockedUntil;
    if (until) {
      throw new GitHubRateLimitedError(until);
    }
    const key = `${route} ${JSON.stringify(params)}`;
    const cached = this.#cache.get(key);
    try {
      const response = await this.#octokit.request(route, {
        ...params,
        headers: cached ? { 'if-none-match': cached.etag } : {},
      });
      const etag = response.headers.etag;
      if (etag) {
        this.#cache.set(key, { etag, data: response.data });
      }
      return response.data;
    } catch (e) {
      const error = e as {
        status?: number;
        response?: { headers?: Record<string, string | undefined> };
      };
      if (error.status === 304 && cached) {
        return cached.data;
      }
      if (error.status === 404) {
        this.#cache.delete(key);
        return undefined;
      }
      const limitedUntil = this.#rateLimitedUntil(
        error.status,
        error.response?.headers ?? {},
      );
      if (limitedUntil) {
        this.#blockedUntil = limitedUntil;
        this.#logger.warn(
          `GitHub rate limit reached; no GitHub request until ${new Date(
            limitedUntil,
          ).toISOString()}`,
        );
        throw new GitHubRateLimitedError(limitedUntil);
      }
      throw toError(e);
    }
  }

  #rateLimitedUntil(
    status: number | undefined,
    headers: Record<string, string | undefined>,
  ): number | undefined {
    if (status !== 403 && status !== 429) {
      return undefined;
    }
    const retryAfter = Number(headers['retry-after']);
    if (Number.isFinite(retryAfter) && retryAfter > 0) {
      return this.#now() + retryAfter * 1000;
    }
    if (headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      // Without a usable reset time, GitHub's window is an hour.
      return Number.isFinite(reset) && reset > 0
        ? reset * 1000
        : this.#now() + 3600_000;
    }
    return undefined;
  }
}

/** `owner/name`, both checked: no slash, dot-dot or other path trick. */
export function splitRepository(repository: string): [string, string] {
  const parts = repository.split('/');
  if (parts.length !== 2 || !parts.every(p => NAME.test(p))) {
    throw new Error(`Invalid repository "${repository}": expected owner/name`);
  }
  return [parts[0], parts[1]];
}

/** A tag glob: `*` any run of characters but `/`, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('')
    .map(c => {
      if (c === '*') {
        return '[^/]*';
      }
      if (c === '?') {
        return '[^/]';
      }
      return c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** Newest first: semver tags by version, then the others by name, descending. */
export function sortTags(tags: string[]): string[] {
  const versions = tags.filter(t => semver.valid(semver.clean(t) ?? ''));
  const others = tags.filter(t => !versions.includes(t));
  versions.sort((a, b) => semver.rcompare(semver.clean(a)!, semver.clean(b)!));
  others.sort((a, b) => (a < b ? 1 : -1));
  return [...versions, ...others];
}

/** For the logs: what went wrong reading a repository. */
export function describeGitHubError(error: unknown): string {
  const e = toError(error) as Error & { status?: number };
  return e.status ? `HTTP ${e.status}: ${e.message}` : e.message;
}
