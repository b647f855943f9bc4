import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { FakeGitHub } from '@internal/backstage-plugin-orch-node/testUtils';
import { manifest, writeRunbooksRoot } from '../__testUtils__/projectFixtures';
import { OrchProjectEntityProvider } from './OrchProjectEntityProvider';

// Real HTTP and files on a shared, loaded machine: Jest's 5 s is too tight.
jest.setTimeout(60_000);

/** The provider for a config, connected to a connection that records mutations. */
async function connect(data: object) {
  const logger = mockServices.logger.mock();
  logger.child.mockReturnValue(logger);
  const scheduler = mockServices.scheduler.mock();
  // Runs happen when the test calls refresh().
  scheduler.createScheduledTaskRunner.mockReturnValue({ run: jest.fn() });
  const providers = OrchProjectEntityProvider.fromConfig(
    new ConfigReader(data),
    {
      logger,
      scheduler,
      auth: mockServices.auth(),
      discovery: mockServices.discovery(),
    },
  );
  const mutations: EntityProviderMutation[][] = providers.map(() => []);
  for (const [i, provider] of providers.entries()) {
    await provider.connect({
      applyMutation: async m => {
        mutations[i].push(m);
      },
      refresh: async () => {},
    });
  }
  return { providers, mutations, logger, scheduler };
}

const names = (mutation: EntityProviderMutation) =>
  mutation.type === 'full'
    ? mutation.entities
        .map(e => `${e.entity.kind}:${e.entity.metadata.name}`)
        .sort()
    : [];

describe('OrchProjectEntityProvider', () => {
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());

  it('creates one provider with its own schedule, and a GitHub one when configured', async () => {
    const { providers, scheduler } = await connect({
      orch: {
        catalog: {
          projects: {
            schedule: { frequency: { seconds: 10 }, timeout: { seconds: 5 } },
          },
          github: {
            allow: [{ org: 'acme' }],
            schedule: { frequency: { hours: 1 }, timeout: { minutes: 5 } },
          },
        },
      },
    });
    expect(providers.map(p => p.getProviderName())).toEqual([
      'OrchProjectEntityProvider',
      'OrchProjectEntityProvider:github',
    ]);
    expect(scheduler.createScheduledTaskRunner.mock.calls).toEqual([
      [
        {
          frequency: { seconds: 10 },
          timeout: { seconds: 5 },
          scope: 'global',
        },
      ],
      [{ frequency: { hours: 1 }, timeout: { minutes: 5 }, scope: 'global' }],
    ]);
  });

  it.each([
    [{ tags: 'v*' }, /exactly one of org or repo/],
    [{ org: 'a', repo: 'a/b' }, /exactly one of org or repo/],
    [{ repo: '../etc' }, /Invalid repository/],
  ])('refuses the allow rule %j', async (rule, message) => {
    await expect(
      connect({ orch: { catalog: { github: { allow: [rule] } } } }),
    ).rejects.toThrow(message);
  });

  it('keeps the GitHub projects through a rate limit, refuses a repository without a manifest once, never asks outside the allowlist', async () => {
    const runbooks = await writeRunbooksRoot({});
    try {
      github.requests.length = 0;
      github.rateLimitedUntil = undefined;
      github.repos = {
        'acme/shop': { tags: { 'v1.0.0': { 'orch.yaml': manifest('shop') } } },
        'acme/empty': { tags: { 'v1.0.0': { 'README.md': 'no manifest' } } },
        'solo/tool': { tags: { 'v0.1.0': { 'orch.yaml': manifest('tool') } } },
        'solo/other': {
          tags: { 'v0.1.0': { 'orch.yaml': manifest('other') } },
        },
      };
      const { providers, mutations, logger } = await connect({
        orch: {
          runbooks: { dir: runbooks.root },
          catalog: {
            github: {
              apiUrl: github.url,
              allow: [
                { org: 'acme', tags: 'v*' },
                { repo: 'solo/tool', tags: 'v*' },
              ],
            },
          },
        },
      });
      const gh = providers[1];

      await gh.refresh();
      expect(mutations[1].map(names)).toEqual([
        [
          'Component:shop',
          'Component:tool',
          'Template:install-shop',
          'Template:install-tool',
        ],
      ]);
      expect(logger.warn).toHaveBeenCalledWith(
        "Refused GitHub project acme/empty@v1.0.0: no orch.yaml at the repository's root at v1.0.0",
      );

      // Unchanged: every answer is a 304, the refusal is not said again.
      github.requests.length = 0;
      logger.warn.mockClear();
      await gh.refresh();
      expect(new Set(github.requests.map(r => r.status))).toEqual(
        new Set([304, 404]),
      );
      expect(mutations[1][1]).toEqual(mutations[1][0]);
      expect(logger.warn).not.toHaveBeenCalled();

      // Rate limited: no mutation at all, so the catalog keeps the projects.
      github.rateLimitedUntil = Math.floor(Date.now() / 1000) + 3600;
      await gh.refresh();
      await gh.refresh();
      expect(mutations[1]).toHaveLength(2);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn.mock.calls[0][0]).toMatch(
        /^GitHub rate limit reached; no GitHub request until /,
      );
      expect(github.requests.filter(r => r.status === 403)).toHaveLength(1);

      expect(github.requests.filter(r => r.url.includes('solo/other'))).toEqual(
        [],
      );
    } finally {
      await runbooks.remove();
    }
  });

  it('keeps the local entities when the manifests folder is missing', async () => {
    const runbooks = await writeRunbooksRoot({ app: manifest('app') });
    try {
      const { providers, mutations, logger } = await connect({
        orch: { runbooks: { dir: runbooks.root } },
      });
      await providers[0].refresh();
      expect(mutations[0].map(names)).toEqual([
        [
          'Component:app',
          'Resource:hello',
          'Resource:swarm_deploy',
          'Template:install-app',
        ],
      ]);
      await runbooks.remove();
      await providers[0].refresh();
      expect(mutations[0]).toHaveLength(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Cannot read the manifests folder .*; keeping the current entities$/,
        ),
        expect.anything(),
      );
    } finally {
      await runbooks.remove();
    }
  });
});
