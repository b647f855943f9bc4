import fs from 'fs/promises';
import path from 'path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import { FakeGitHub } from '@internal/backstage-plugin-orch-node/testUtils';
import { FakeOrchUsersBackend } from './__testUtils__/FakeOrchUsersBackend';
import {
  captureCatalogScheduler,
  catalogClient,
  relationTargets,
} from './__testUtils__/catalogBackend';
import { manifest, writeRunbooksRoot } from './__testUtils__/projectFixtures';
import { catalogModuleOrch } from './module';

jest.setTimeout(180_000);

const LOCAL_TASK = 'OrchProjectEntityProvider:refresh';
const GITHUB_TASK = 'OrchProjectEntityProvider:github:refresh';

const BROKEN = `apiVersion: orch/v1
kind: Project
metadata:
  name: broken
  owner: group:default/platform-team
spec:
  steps:
    - id: one
      runbook: hello
    - id: two
      runbook: Not A Runbook
`;

const statusMessages = (entity: Entity) =>
  (
    (
      entity as {
        status?: {
          items?: Array<{ type: string; level: string; message: string }>;
        };
      }
    ).status?.items ?? []
  ).map(i => `${i.type} ${i.level} ${i.message}`);

describe('catalogModuleOrch projects', () => {
  const databases = orchTestDatabases();
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('turns local and GitHub manifests into components, install templates and runbook resources; a broken manifest shows its error without stopping the others', async () => {
      const knex = await databases.init(databaseId);
      const runbooks = await writeRunbooksRoot({
        web: manifest('web', {
          runbooks: ['swarm_deploy', 'hello'],
          dependsOnProject: 'db',
        }),
        db: manifest('db', { title: 'Database' }),
        broken: BROKEN,
      });
      github.requests.length = 0;
      github.repos = {
        'acme/shop': {
          tags: {
            'v1.0.0': { 'orch.yaml': manifest('shop') },
            'v1.1.0': { 'orch.yaml': manifest('shop', { title: 'Shop' }) },
            'dev-build': { 'orch.yaml': manifest('shop') },
          },
        },
        'acme/nomanifest': { tags: { 'v1.0.0': { 'README.md': 'hi' } } },
        'acme/bad': {
          tags: {
            'v2.0.0': { 'orch.yaml': 'apiVersion: orch/v1\nkind: Project\n' },
          },
        },
        'evil/outside': {
          tags: { 'v1.0.0': { 'orch.yaml': manifest('outside') } },
        },
      };
      const orch = new FakeOrchUsersBackend();
      orch.connections = [
        {
          id: '5f0c4b8e-0000-4000-8000-000000000001',
          name: 'github-main',
          type: 'github',
          config: { api_url: github.url },
          secrets: { token: 'ghp_canary_token' },
        },
      ];
      const scheduler = captureCatalogScheduler();
      const backend = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleScaffolderEntityModel,
          catalogModuleOrch,
          orch.plugin,
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          scheduler.feature,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://orch.test' },
              catalog: {
                // No processing comes round again during the test: a broken
                // project's error, thrown from its second processing on, must
                // come from the refresh its processor asks for.
                processingInterval: { hours: 1 },
                rules: [
                  { allow: ['Component', 'Resource', 'Template', 'Location'] },
                ],
              },
              orch: {
                runbooks: { dir: runbooks.root },
                catalog: {
                  github: {
                    allow: [{ org: 'acme', tags: 'v*' }],
                    connection: 'github-main',
                  },
                },
              },
            },
          }),
        ],
      });
      try {
        const catalog = catalogClient(backend.server);
        await scheduler.triggerTask(LOCAL_TASK);
        await scheduler.triggerTask(GITHUB_TASK);

        // The project component depends on its runbooks and on the db project.
        const web = await catalog.entity(
          'component',
          'web',
          e => relationTargets(e, 'dependsOn').length === 3,
        );
        expect(web).toMatchObject({
          metadata: {
            name: 'web',
            title: 'web',
            description: 'The web project.',
            tags: ['demo'],
            annotations: {
              'orch.io/manifest-location': `file:${runbooks.manifestsDir}/web/orch.yaml`,
              'backstage.io/managed-by-location': `file:${runbooks.manifestsDir}/web/orch.yaml`,
            },
          },
          spec: {
            type: 'orch-project',
            lifecycle: 'production',
            owner: 'group:default/platform-team',
            dependsOn: [
              'component:default/db',
              'resource:default/hello',
              'resource:default/swarm_deploy',
            ],
          },
        });
        expect(relationTargets(web, 'dependsOn')).toEqual([
          'component:default/db',
          'resource:default/hello',
          'resource:default/swarm_deploy',
        ]);
        expect(relationTargets(web, 'ownedBy')).toEqual([
          'group:default/platform-team',
        ]);

        // Runbooks are resources that know who uses them.
        const hello = await catalog.entity(
          'resource',
          'hello',
          e => relationTargets(e, 'dependencyOf').length === 3,
        );
        expect(hello).toMatchObject({
          metadata: {
            title: 'Hello',
            description: 'Prints a message.',
            tags: ['runbook', 'demo', 'risk-low'],
            annotations: { 'orch.io/runbook': 'hello' },
            links: [
              {
                url: 'http://orch.test/runbooks/hello/execute',
                title: 'Run it',
              },
            ],
          },
          spec: { type: 'runbook', owner: 'group:default/platform-team' },
        });
        expect(relationTargets(hello, 'dependencyOf')).toEqual([
          'component:default/db',
          'component:default/shop',
          'component:default/web',
        ]);
        const deploy = await catalog.entity('resource', 'swarm_deploy');
        expect(deploy.spec).toEqual({
          type: 'runbook',
          owner: 'group:default/platform-team',
        });

        // The install template: the manifest's inputs as the form, secrets
        // through the Secret field, one orch:project:install step.
        const install = await catalog.entity('template', 'install-web');
        expect(install.apiVersion).toBe('scaffolder.backstage.io/v1beta3');
        expect(install.metadata.annotations).toMatchObject({
          'orch.io/project': 'web',
        });
        expect(install.spec).toEqual({
          owner: 'group:default/platform-team',
          type: 'orch-project',
          parameters: [
            {
              title: 'web',
              required: ['stack'],
              properties: {
                stack: { type: 'string', title: 'Stack', default: 'web' },
                replicas: { type: 'integer', minimum: 1, default: 2 },
                token: {
                  type: 'string',
                  title: 'Registry token',
                  'ui:field': 'Secret',
                  'ui:widget': 'password',
                },
              },
            },
            {
              title: 'Where',
              required: ['environment'],
              properties: {
                environment: {
                  title: 'Environment',
                  type: 'string',
                  enum: ['prod', 'stage'],
                  default: 'stage',
                },
              },
            },
          ],
          steps: [
            {
              id: 'install',
              name: 'Install web',
              action: 'orch:project:install',
              input: {
                project: 'web',
                inputs: {
                  stack: '${{ parameters.stack }}',
                  replicas: '${{ parameters.replicas }}',
                  token: '${{ secrets.token }}',
                },
                environment: '${{ parameters.environment }}',
              },
            },
          ],
          output: {
            links: [
              {
                title: 'Install job',
                url: '/jobs/${{ steps.install.output.jobId }}',
              },
            ],
          },
        });
        expect(relationTargets(install, 'ownedBy')).toEqual([
          'group:default/platform-team',
        ]);

        // The broken manifest: a component carrying its errors, and a
        // catalog processing error (InputError) naming path and rule.
        const broken = await catalog.entity(
          'component',
          'broken',
          e => statusMessages(e).length > 0,
        );
        expect(
          JSON.parse(broken.metadata.annotations!['orch.io/manifest-errors']),
        ).toEqual([
          {
            path: 'spec.steps[1].runbook',
            line: 11,
            column: 7,
            rule: 'pattern',
            message: 'must match pattern "^[a-z][a-z0-9_]{1,62}$"',
          },
        ]);
        expect(statusMessages(broken)).toEqual([
          `backstage.io/catalog-processing error InputError: Processor OrchProjectManifestProcessor threw an error while preprocessing; caused by InputError: Invalid orch.yaml at file:${runbooks.manifestsDir}/broken/orch.yaml: spec.steps[1].runbook (line 11): pattern: must match pattern "^[a-z][a-z0-9_]{1,62}$"`,
        ]);
        expect(
          (
            await catalog.get(
              '/entities/by-name/template/default/install-broken',
            )
          ).status,
        ).toBe(404);

        // From GitHub: the newest v* tag of acme/shop, installable at any v* tag.
        const shop = await catalog.entity('component', 'shop');
        expect(shop.metadata.annotations).toMatchObject({
          'orch.io/repository': 'acme/shop',
          'orch.io/ref': 'v1.1.0',
          'orch.io/manifest-location':
            'https://github.com/acme/shop/blob/v1.1.0/orch.yaml',
          'backstage.io/managed-by-location':
            'url:https://github.com/acme/shop/blob/v1.1.0/orch.yaml',
        });
        expect(shop.metadata.title).toBe('Shop');
        const installShop = await catalog.entity('template', 'install-shop');
        expect(installShop.spec?.parameters).toContainEqual(
          expect.objectContaining({
            required: ['environment', 'ref'],
            properties: expect.objectContaining({
              ref: {
                title: 'Version (tag)',
                type: 'string',
                enum: ['v1.1.0', 'v1.0.0'],
                default: 'v1.1.0',
              },
            }),
          }),
        );
        expect((installShop.spec?.steps as any[])[0].input).toMatchObject({
          project: 'shop',
          repository: 'acme/shop',
          ref: '${{ parameters.ref }}',
        });
        // acme/bad has an invalid manifest: a component named after the repository.
        const bad = await catalog.entity(
          'component',
          'bad',
          e => statusMessages(e).length > 0,
        );
        expect(bad.metadata.annotations?.['orch.io/repository']).toBe(
          'acme/bad',
        );
        expect(statusMessages(bad)[0]).toContain(
          'metadata (line 1): required: is required',
        );

        // No manifest: refused, no entity. Outside the allowlist: never asked.
        expect(github.requests.map(r => `${r.url} ${r.status}`)).toContain(
          '/repos/acme/nomanifest/contents/orch.yaml?ref=v1.0.0 404',
        );
        expect(github.requests.filter(r => r.url.includes('evil'))).toEqual([]);
        expect(new Set(github.requests.map(r => r.authorization))).toEqual(
          new Set(['token ghp_canary_token']),
        );
        expect(orch.credentialReads).toEqual([
          { subject: 'plugin:catalog', id: 'github-main' },
        ]);

        // Everything: 3 local projects + shop + bad components, 3 templates
        // (web, db, shop), 2 runbooks.
        expect(
          await catalog.count('kind=component,spec.type=orch-project'),
        ).toBe(5);
        expect(
          await catalog.count('kind=template,spec.type=orch-project'),
        ).toBe(3);
        expect(await catalog.count('kind=resource,spec.type=runbook')).toBe(2);

        // Fixing the manifest clears the error with the next run.
        await fs.writeFile(
          path.join(runbooks.manifestsDir, 'broken', 'orch.yaml'),
          manifest('broken'),
        );
        await scheduler.triggerTask(LOCAL_TASK);
        await catalog.entity('template', 'install-broken');
        const fixed = await catalog.entity(
          'component',
          'broken',
          e => statusMessages(e).length === 0,
        );
        expect(
          fixed.metadata.annotations?.['orch.io/manifest-errors'],
        ).toBeUndefined();
        expect(relationTargets(fixed, 'dependsOn')).toEqual([
          'resource:default/hello',
        ]);
      } finally {
        await backend.stop();
        await runbooks.remove();
      }
    });
  });
});
