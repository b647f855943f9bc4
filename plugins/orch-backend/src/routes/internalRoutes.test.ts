import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  startTestRedisServer,
  type TestRedisServer,
} from '@internal/backstage-plugin-orch-node/testUtils';
import request from 'supertest';
import { orchPlugin } from '../plugin';

jest.setTimeout(60_000);

const CANARY = 'portainer-api-key-canary-4b1d';

const asPlugin = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'orch',
  });

describe('POST /v1/connections/:id/credentials', () => {
  let redisServer: TestRedisServer;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: typeof backend.server;

  beforeAll(async () => {
    redisServer = await startTestRedisServer();
    backend = await startTestBackend({
      features: [
        orchPlugin,
        mockServices.rootConfig.factory({
          data: {
            orch: { redis: { url: redisServer.url, prefix: 'credentials' } },
          },
        }),
      ],
    });
    server = backend.server;
  });
  afterAll(async () => {
    await backend.stop();
    await redisServer.stop();
  });

  const create = async (
    type: string,
    values: object,
    environment = 'stage',
  ) => {
    const r = await request(server)
      .post('/api/orch/v1/connections')
      .send({ type, name: `c-${type}`, environment, values });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  it('answers the portainer plugin for portainer and docker connections, the catalog for github ones, and audits every read', async () => {
    const portainer = await create('portainer', {
      url: 'http://portainer.test:9000',
      api_key: CANARY,
    });
    const github = await create('github', { token: CANARY });
    const path = (id: string) => `/api/orch/v1/connections/${id}/credentials`;

    const ok = await request(server)
      .post(path(portainer))
      .set('Authorization', asPlugin('plugin:portainer'));
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.body).toMatchObject({
      id: portainer,
      type: 'portainer',
      name: 'c-portainer',
      config: { url: 'http://portainer.test:9000' },
      secrets: { api_key: CANARY },
    });

    const otherPlugin = await request(server)
      .post(path(portainer))
      .set('Authorization', asPlugin('plugin:catalog'));
    expect(otherPlugin.status).toBe(403);
    const user = await request(server)
      .post(path(portainer))
      .set('Authorization', mockCredentials.user.header());
    expect(user.status).toBe(403);
    const anonymous = await request(server)
      .post(path(portainer))
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const wrongType = await request(server)
      .post(path(github))
      .set('Authorization', asPlugin('plugin:portainer'));
    expect(wrongType.status).toBe(403);
    const missing = await request(server)
      .post(path('00000000-0000-4000-8000-000000000000'))
      .set('Authorization', asPlugin('plugin:portainer'));
    expect(missing.status).toBe(404);

    // The catalog reads a github connection's token, by id or by name.
    const catalogById = await request(server)
      .post(path(github))
      .set('Authorization', asPlugin('plugin:catalog'));
    expect(catalogById.status).toBe(200);
    expect(catalogById.body).toMatchObject({
      id: github,
      type: 'github',
      config: { api_url: 'https://api.github.com' },
      secrets: { token: CANARY },
    });
    const catalogByName = await request(server)
      .post(path('c-github'))
      .set('Authorization', asPlugin('plugin:catalog'));
    expect(catalogByName.status).toBe(200);
    expect(catalogByName.body.id).toBe(github);
    // A name the portainer plugin may not read is refused like the id.
    const portainerByName = await request(server)
      .post(path('c-github'))
      .set('Authorization', asPlugin('plugin:portainer'));
    expect(portainerByName.status).toBe(404);
    const otherGithub = await create('github', { token: 'other' }, 'prod');
    expect(otherGithub).not.toBe(github);
    const ambiguous = await request(server)
      .post(path('c-github'))
      .set('Authorization', asPlugin('plugin:catalog'));
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toBe(
      '2 connections are named "c-github" (one per environment); use the id',
    );

    for (const r of [
      otherPlugin,
      user,
      anonymous,
      wrongType,
      missing,
      portainerByName,
      ambiguous,
    ]) {
      expect(r.text).not.toContain(CANARY);
    }

    const audit = await request(server).get(
      '/api/orch/v1/audit?action=connection.credentials.read&limit=50',
    );
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).not.toContain(CANARY);
    const entries = (audit.body.items as any[])
      .filter(e => e.action === 'connection.credentials.read')
      .map(e => `${e.actor} ${e.outcome} ${e.targetId}`)
      .sort();
    expect(entries).toEqual(
      [
        `service:plugin:catalog denied ${portainer}`,
        `service:plugin:portainer denied ${github}`,
        `service:plugin:portainer failure 00000000-0000-4000-8000-000000000000`,
        `service:plugin:portainer success ${portainer}`,
        `service:plugin:catalog success ${github}`,
        `service:plugin:catalog success ${github}`,
        `service:plugin:portainer failure c-github`,
        `service:plugin:catalog failure c-github`,
      ].sort(),
    );
  });
});
