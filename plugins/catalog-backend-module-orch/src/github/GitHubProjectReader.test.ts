import http from 'http';
import { AddressInfo } from 'net';
import { mockServices } from '@backstage/backend-test-utils';
import { MAX_MANIFEST_BYTES } from '@internal/backstage-plugin-orch-common';
import { FakeGitHub } from '@internal/backstage-plugin-orch-node/testUtils';
import { manifest } from '../__testUtils__/projectFixtures';
import {
  GitHubProjectReader,
  GitHubRateLimitedError,
  globToRegExp,
  sortTags,
  splitRepository,
} from '@internal/backstage-plugin-orch-node';

// Real HTTP and files on a shared, loaded machine: Jest's 5 s is too tight.
jest.setTimeout(60_000);

describe('GitHubProjectReader', () => {
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());
  beforeEach(() => {
    github.requests.length = 0;
    github.rateLimitedUntil = undefined;
    github.repos = {
      'acme/shop': {
        tags: {
          'v1.2.0': { 'orch.yaml': manifest('shop') },
          'v1.10.0': { 'orch.yaml': manifest('shop', { title: 'Shop 10' }) },
          'v2.0.0-rc.1': { 'orch.yaml': manifest('shop') },
          nightly: { 'orch.yaml': manifest('shop') },
        },
      },
      'acme/bare': { tags: { 'v1.0.0': { 'README.md': '# no manifest' } } },
      'acme/old': { archived: true, tags: {} },
      'acme/huge': {
        tags: {
          'v1.0.0': { 'orch.yaml': `# ${'x'.repeat(MAX_MANIFEST_BYTES)}` },
        },
      },
      'acme/linked': {
        tags: { 'v1.0.0': { 'orch.yaml': { symlink: '../../etc/passwd' } } },
      },
      'other/secret': {
        tags: { 'v1.0.0': { 'orch.yaml': manifest('secret') } },
      },
    };
  });

  const reader = (now?: () => number) =>
    new GitHubProjectReader({
      token: 'ghp_test',
      baseUrl: github.url,
      logger: mockServices.logger.mock(),
      now,
    });

  it('lists an organisation (archived left out) and one repository, with the token', async () => {
    const r = reader();
    expect(await r.listRepositories({ org: 'acme', tags: 'v*' })).toEqual([
      'acme/bare',
      'acme/huge',
      'acme/linked',
      'acme/shop',
    ]);
    expect(
      await r.listRepositories({ repo: 'other/secret', tags: 'v*' }),
    ).toEqual(['other/secret']);
    expect(
      await r.listRepositories({ repo: 'other/missing', tags: 'v*' }),
    ).toEqual([]);
    expect(
      github.requests.map(q => `${q.url} ${q.status} ${q.authorization}`),
    ).toEqual([
      '/orgs/acme/repos?per_page=100&page=1 200 token ghp_test',
      '/repos/other/secret 200 token ghp_test',
      '/repos/other/missing 404 token ghp_test',
    ]);
  });

  it('pages through an organisation of 250 repositories and a repository of 150 tags', async () => {
    for (let i = 0; i < 250; i++) {
      github.repos[`big/r${String(i).padStart(3, '0')}`] = {
        archived: i === 7,
        tags: {},
      };
    }
    const tags: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 150; i++) {
      tags[`v1.${i}.0`] = { 'orch.yaml': manifest('many', { title: `T${i}` }) };
    }
    github.repos['big/r000'].tags = tags;
    const r = reader();
    const names = await r.listRepositories({ org: 'big', tags: 'v*' });
    expect(names).toHaveLength(249);
    expect(names).not.toContain('big/r007');
    expect([names[0], names[248]]).toEqual(['big/r000', 'big/r249']);
    // The newest tag is on the second page of GitHub's answer.
    expect(await r.readProject('big/r000', 'v*')).toMatchObject({
      status: 'ok',
      ref: 'v1.149.0',
      text: manifest('many', { title: 'T149' }),
    });
    expect(github.requests.map(q => q.url)).toEqual([
      '/orgs/big/repos?per_page=100&page=1',
      '/orgs/big/repos?per_page=100&page=2',
      '/orgs/big/repos?per_page=100&page=3',
      '/repos/big/r000/tags?per_page=100&page=1',
      '/repos/big/r000/tags?per_page=100&page=2',
      '/repos/big/r000/contents/orch.yaml?ref=v1.149.0',
    ]);
  });

  it('reads orch.yaml at the newest matching tag', async () => {
    const result = await reader().readProject('acme/shop', 'v*');
    expect(result).toEqual({
      status: 'ok',
      repository: 'acme/shop',
      ref: 'v2.0.0-rc.1',
      refs: ['v2.0.0-rc.1', 'v1.10.0', 'v1.2.0'],
      text: manifest('shop'),
      url: 'https://github.com/acme/shop/blob/v2.0.0-rc.1/orch.yaml',
    });
    const stable = await reader().readProject('acme/shop', 'v1.*');
    expect(stable).toMatchObject({
      ref: 'v1.10.0',
      text: manifest('shop', { title: 'Shop 10' }),
    });
    expect(github.requests.map(q => q.url)).toContain(
      '/repos/acme/shop/contents/orch.yaml?ref=v1.10.0',
    );
  });

  it('reuses its answers when GitHub says 304 Not Modified', async () => {
    const r = reader();
    const first = await r.readProject('acme/shop', 'v*');
    const second = await r.readProject('acme/shop', 'v*');
    expect(second).toEqual(first);
    expect(
      github.requests.map(q => `${q.url.split('?')[0]} ${q.status}`),
    ).toEqual([
      '/repos/acme/shop/tags 200',
      '/repos/acme/shop/contents/orch.yaml 200',
      '/repos/acme/shop/tags 304',
      '/repos/acme/shop/contents/orch.yaml 304',
    ]);
    // A new tag changes the list: a 200 again, and the new manifest.
    github.repos['acme/shop'].tags['v3.0.0'] = {
      'orch.yaml': manifest('shop', { title: 'Three' }),
    };
    const third = await r.readProject('acme/shop', 'v*');
    expect(third).toMatchObject({
      ref: 'v3.0.0',
      text: manifest('shop', { title: 'Three' }),
    });
  });

  it('refuses clearly: no matching tag, no manifest, too big, not a regular file', async () => {
    const r = reader();
    expect(await r.readProject('acme/shop', 'release-*')).toEqual({
      status: 'refused',
      repository: 'acme/shop',
      url: 'https://github.com/acme/shop',
      reason: 'no tag matches "release-*"',
    });
    expect(await r.readProject('acme/bare', 'v*')).toMatchObject({
      status: 'refused',
      ref: 'v1.0.0',
      reason: "no orch.yaml at the repository's root at v1.0.0",
    });
    expect(await r.readProject('acme/huge', 'v*')).toMatchObject({
      status: 'refused',
      reason: `orch.yaml at v1.0.0 is ${
        MAX_MANIFEST_BYTES + 2
      } bytes, more than the limit of ${MAX_MANIFEST_BYTES}`,
    });
    expect(await r.readProject('acme/linked', 'v*')).toMatchObject({
      status: 'refused',
      reason: 'orch.yaml at v1.0.0 is not a regular file',
    });
    // Only the root's orch.yaml was ever asked for.
    const contents = github.requests.filter(q => q.url.includes('/contents/'));
    expect(contents.map(q => q.url.split('?')[0])).toEqual([
      '/repos/acme/bare/contents/orch.yaml',
      '/repos/acme/huge/contents/orch.yaml',
      '/repos/acme/linked/contents/orch.yaml',
    ]);
  });

  it('stops asking until the reset when the rate limit is spent', async () => {
    let now = 1_800_000_000_000;
    const logger = mockServices.logger.mock();
    const r = new GitHubProjectReader({
      baseUrl: github.url,
      logger,
      now: () => now,
    });
    github.rateLimitedUntil = now / 1000 + 600;
    await expect(r.readProject('acme/shop', 'v*')).rejects.toBeInstanceOf(
      GitHubRateLimitedError,
    );
    expect(r.blockedUntil).toBe(now + 600_000);
    // Still blocked: nothing is sent.
    await expect(
      r.listRepositories({ org: 'acme', tags: '*' }),
    ).rejects.toThrow(
      'GitHub rate limit exhausted until 2027-01-15T08:10:00.000Z',
    );
    expect(github.requests).toHaveLength(1);
    expect(github.requests[0]).toMatchObject({
      status: 403,
      authorization: undefined,
    });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      'GitHub rate limit reached; no GitHub request until 2027-01-15T08:10:00.000Z',
    );
    // After the reset, GitHub is asked again.
    github.rateLimitedUntil = undefined;
    now += 601_000;
    expect(r.blockedUntil).toBe(0);
    expect(await r.readProject('acme/shop', 'v*')).toMatchObject({
      status: 'ok',
    });
  });

  it('honours retry-after on a secondary rate limit', async () => {
    const now = 1_800_000_000_000;
    // A 429 with retry-after, from a tiny server of its own.
    const server = http.createServer((_req, res) => {
      res.writeHead(429, {
        'retry-after': '30',
        'content-type': 'application/json',
      });
      res.end('{"message":"You have exceeded a secondary rate limit."}');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const limited = new GitHubProjectReader({
      baseUrl: `http://127.0.0.1:${port}`,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    await expect(
      limited.listRepositories({ org: 'acme', tags: '*' }),
    ).rejects.toBeInstanceOf(GitHubRateLimitedError);
    expect(limited.blockedUntil).toBe(now + 30_000);
    await new Promise(resolve => server.close(resolve));
  });
});

describe('helpers', () => {
  it('accepts owner/name only', () => {
    expect(splitRepository('acme/shop')).toEqual(['acme', 'shop']);
    for (const bad of [
      'acme',
      'acme/shop/x',
      '../shop',
      'acme/..',
      'acme/sh op',
      '/shop',
    ]) {
      expect(() => splitRepository(bad)).toThrow(/Invalid repository/);
    }
  });

  it('matches tag globs and sorts tags newest first', () => {
    expect(globToRegExp('v*').test('v1.0.0')).toBe(true);
    expect(globToRegExp('v*').test('release-1')).toBe(false);
    expect(globToRegExp('v1.?.*').test('v1.2.3')).toBe(true);
    expect(globToRegExp('v1.?.*').test('v1x2.3')).toBe(false);
    expect(globToRegExp('*').test('a/b')).toBe(false);
    expect(
      sortTags(['v1.2.0', 'nightly', 'v1.10.0', 'alpha', '2.0.0']),
    ).toEqual(['2.0.0', 'v1.10.0', 'v1.2.0', 'nightly', 'alpha']);
  });
});
