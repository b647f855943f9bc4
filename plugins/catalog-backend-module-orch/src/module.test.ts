import {
  SchedulerService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import request from 'supertest';
import { FakeOrchUsersBackend } from './__testUtils__/FakeOrchUsersBackend';
import { catalogModuleOrch } from './module';
import type { OrchUserRecord } from './providers/OrchUserEntityProvider';

jest.setTimeout(120_000);

const TASK_ID = 'OrchUserEntityProvider:refresh';

// The catalog's scheduler (the mock scheduler: one instance for every
// plugin, whose triggerTask runs the task and resolves when it is done).
function captureCatalogScheduler() {
  const captured: { scheduler?: SchedulerService } = {};
  const feature = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-scheduler',
    register(reg) {
      reg.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          captured.scheduler = scheduler;
        },
      });
    },
  });
  return {
    feature,
    triggerTask: (id: string) => captured.scheduler!.triggerTask(id),
  };
}

const user = (
  name: string,
  status: OrchUserRecord['status'] = 'active',
): OrchUserRecord => ({
  id: `00000000-0000-4000-8000-${name.padStart(12, '0')}`,
  email: `${name}@example.com`,
  displayName: `${name[0].toUpperCase()}${name.slice(1)}`,
  entityRef: `user:default/${name}`,
  status,
});

describe('catalogModuleOrch', () => {
  const databases = orchTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('mirrors active Orch users as User entities, drops removed ones and keeps them when the orch API fails', async () => {
      const knex = await databases.init(databaseId);
      const orch = new FakeOrchUsersBackend();
      // Three active users over two pages of two; carol is disabled.
      orch.users = [
        user('ada'),
        user('bob'),
        user('carol', 'disabled'),
        user('dave'),
      ];
      const scheduler = captureCatalogScheduler();
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleOrch,
          orch.plugin,
          // Runs happen only when the test triggers the provider's task.
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          scheduler.feature,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              // app-config.yaml's global rules, which do not allow User:
              // they apply to entities read from locations, not to those an
              // entity provider hands over.
              catalog: {
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Resource',
                      'Location',
                      'Domain',
                    ],
                  },
                ],
              },
            },
          }),
        ],
      });

      const getUser = (name: string) =>
        request(server)
          .get(`/api/catalog/entities/by-name/user/default/${name}`)
          .set('Authorization', mockCredentials.user.header());
      // The catalog processes and stitches new entities in its own loop;
      // each probe is the event we wait on, bounded by a deadline.
      const waitForStatus = async (name: string, status: number) => {
        const deadline = Date.now() + 30_000;
        let res = await getUser(name);
        while (res.status !== status && Date.now() < deadline) {
          res = await getUser(name);
        }
        return res;
      };

      await scheduler.triggerTask(TASK_ID);

      expect(orch.requests).toEqual([
        {
          subject: 'plugin:catalog',
          query: { status: 'active', limit: '500' },
          status: 200,
        },
        {
          subject: 'plugin:catalog',
          query: { status: 'active', limit: '500', cursor: '2' },
          status: 200,
        },
      ]);
      const ada = await waitForStatus('ada', 200);
      expect(ada.status).toBe(200);
      expect(ada.body).toMatchObject({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: {
          name: 'ada',
          namespace: 'default',
          annotations: {
            'orch.dev/user-id': user('ada').id,
            'backstage.io/managed-by-location': 'orch:users',
            'backstage.io/managed-by-origin-location': 'orch:users',
          },
        },
        spec: {
          profile: { email: 'ada@example.com', displayName: 'Ada' },
          memberOf: [],
        },
      });
      expect((await waitForStatus('bob', 200)).status).toBe(200);
      // dave came from the second page.
      expect((await waitForStatus('dave', 200)).status).toBe(200);
      expect((await getUser('carol')).status).toBe(404);

      // bob is deleted, dave disabled: both leave the catalog with the next
      // run. The full mutation deletes them before the run returns.
      orch.users = [
        user('ada'),
        user('carol', 'disabled'),
        user('dave', 'disabled'),
      ];
      await scheduler.triggerTask(TASK_ID);
      expect((await getUser('bob')).status).toBe(404);
      expect((await getUser('dave')).status).toBe(404);
      expect((await getUser('ada')).status).toBe(200);

      // ada is gone from Orch, but the reads fail (on the second page, then
      // on the first): the catalog keeps what it had.
      orch.users = [user('erin'), user('frank'), user('grace')];
      orch.requests.length = 0;
      orch.failPage = 1;
      await scheduler.triggerTask(TASK_ID);
      orch.failPage = 0;
      await scheduler.triggerTask(TASK_ID);
      expect(orch.requests.map(r => [r.query.cursor, r.status])).toEqual([
        [undefined, 200],
        ['2', 500],
        [undefined, 500],
      ]);
      expect((await getUser('ada')).status).toBe(200);
      expect((await getUser('erin')).status).toBe(404);

      // The API recovers: the next run replaces ada with the new users.
      orch.failPage = undefined;
      await scheduler.triggerTask(TASK_ID);
      expect((await getUser('ada')).status).toBe(404);
      for (const name of ['erin', 'frank', 'grace']) {
        expect((await waitForStatus(name, 200)).status).toBe(200);
      }
    });
  });
});
