import { createHash } from 'crypto';
import { once } from 'events';
import http from 'http';
import { AddressInfo } from 'net';
import express from 'express';

/** A repository the fake serves: its tags and, per tag, its files. */
export type FakeRepository = {
  archived?: boolean;
  /** Tag name → path → file content (or a symlink). */
  tags: Record<string, Record<string, string | { symlink: string }>>;
};

/** One request the fake received. */
export type FakeGitHubRequest = {
  method: string;
  /** Path and query, as sent. */
  url: string;
  status: number;
  authorization?: string;
};

/**
 * A local stand-in for the GitHub REST endpoints `@octokit/rest` calls to
 * read a manifest: `GET /repos/{owner}/{repo}`, `/orgs/{org}/repos`,
 * `/repos/{owner}/{repo}/tags` and `/repos/{owner}/{repo}/contents/{path}`,
 * answered in GitHub's shapes, with ETags (`If-None-Match` → 304), pages
 * (`per_page`, `page`), 404s, and the primary rate limit (`rateLimited`:
 * 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`).
 */
export class FakeGitHub {
  /** `owner/name` → repository. */
  repos: Record<string, FakeRepository> = {};
  /** When set, every request is refused as over the rate limit until this (epoch seconds). */
  rateLimitedUntil?: number;
  readonly requests: FakeGitHubRequest[] = [];
  #server?: http.Server;

  get url(): string {
    const { port } = this.#server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const app = express();
    app.use((req, res, next) => {
      res.on('finish', () => {
        this.requests.push({
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          authorization: req.headers.authorization,
        });
      });
      if (this.rateLimitedUntil) {
        res
          .status(403)
          .set({
            'x-ratelimit-limit': '60',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(this.rateLimitedUntil),
          })
          .json({
            message: 'API rate limit exceeded for 127.0.0.1.',
            documentation_url:
              'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
          });
        return;
      }
      res.set({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999' });
      next();
    });

    app.get('/repos/:owner/:repo', (req, res) => {
      const full = `${req.params.owner}/${req.params.repo}`;
      const repo = this.repos[full];
      if (!repo) {
        notFound(res);
        return;
      }
      send(req, res, this.#repoJson(full, repo));
    });
    app.get('/orgs/:org/repos', (req, res) => {
      const names = Object.keys(this.repos)
        .filter(n => n.startsWith(`${req.params.org}/`))
        .sort();
      if (names.length === 0) {
        notFound(res);
        return;
      }
      const all = names.map(n => this.#repoJson(n, this.repos[n]));
      send(req, res, page(all, req.query));
    });
    app.get('/repos/:owner/:repo/tags', (req, res) => {
      const full = `${req.params.owner}/${req.params.repo}`;
      const repo = this.repos[full];
      if (!repo) {
        notFound(res);
        return;
      }
      const tags = Object.keys(repo.tags).map(name => ({
        name,
        commit: { sha: sha(`${full}@${name}`), url: '' },
        zipball_url: '',
        tarball_url: '',
        node_id: '',
      }));
      send(req, res, page(tags, req.query));
    });
    app.get('/repos/:owner/:repo/contents/:path', (req, res) => {
      const full = `${req.params.owner}/${req.params.repo}`;
      const ref = String(req.query.ref ?? '');
      const file = this.repos[full]?.tags[ref]?.[req.params.path];
      if (file === undefined) {
        notFound(res);
        return;
      }
      const common = {
        name: req.params.path,
        path: req.params.path,
        sha: sha(JSON.stringify(file)),
        url: `${this.url}${req.originalUrl}`,
        html_url: `https://github.com/${full}/blob/${ref}/${req.params.path}`,
      };
      if (typeof file !== 'string') {
        send(req, res, {
          ...common,
          type: 'symlink',
          target: file.symlink,
          size: file.symlink.length,
        });
        return;
      }
      const bytes = Buffer.from(file, 'utf8');
      // GitHub leaves `content` empty above 1 MB; the size is always there.
      send(req, res, {
        ...common,
        type: 'file',
        size: bytes.length,
        encoding: 'base64',
        content:
          bytes.length > 1024 * 1024
            ? ''
            : bytes.toString('base64').replace(/(.{60})/g, '$1\n'),
      });
    });
    app.use((_req, res) => notFound(res));

    this.#server = http.createServer(app);
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
  }

  async stop(): Promise<void> {
    if (this.#server) {
      this.#server.close();
      await once(this.#server, 'close');
    }
  }

  #repoJson(full: string, repo: FakeRepository) {
    const [owner, name] = full.split('/');
    return {
      id: parseInt(sha(full).slice(0, 8), 16),
      name,
      full_name: full,
      owner: { login: owner },
      private: false,
      archived: Boolean(repo.archived),
      html_url: `https://github.com/${full}`,
      default_branch: 'main',
    };
  }
}

function sha(value: string): string {
  return createHash('sha1').update(value).digest('hex');
}

function notFound(res: express.Response) {
  res.status(404).json({
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
  });
}

function page<T>(items: T[], query: Record<string, unknown>): T[] {
  const perPage = Math.min(Number(query.per_page ?? 30), 100);
  const number = Number(query.page ?? 1);
  return items.slice((number - 1) * perPage, number * perPage);
}

/** Answers with an ETag, or a 304 when the client already has it. */
function send(req: express.Request, res: express.Response, body: unknown) {
  const etag = `W/"${sha(JSON.stringify(body))}"`;
  res.set('ETag', etag);
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.json(body);
}
