import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendPlugin,
  type AuthService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import orchPlugin from '@internal/backstage-plugin-orch-backend';
import { testRedis } from '@internal/backstage-plugin-orch-node/testUtils';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { databaseServiceFactory } from './database';
import {
  principalRecordingHttpAuthServiceFactory,
  requestLoggingRootHttpRouterServiceFactory,
} from './requestLogging';
import { capturingRootLogger } from './__testUtils__/capture';
import { REPO, testDatabaseConfig } from './__testUtils__/testEnv';

jest.setTimeout(120_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * The real backend (createBackend) with its own root router and httpAuth
 * (index.ts), the orch plugin on
 * SQLite and Redis, and a `probe` plugin that calls orch with its own service
 * token, as the portainer and catalog plugins' polls do.
 */
describe('request logging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-reqlog-'));
  const lines: string[] = [];
  let baseUrl = '';
  let probeAuth: AuthService;
  let redisEnv: Awaited<ReturnType<typeof testRedis>>;
  let backend: ReturnType<typeof createBackend> | undefined;

  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(env) {
      env.registerInit({
        deps: { auth: coreServices.auth },
        async init({ auth }) {
          probeAuth = auth;
        },
      });
    },
  });

  beforeAll(async () => {
    redisEnv = await testRedis();
    const keyFile = join(dir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const port = await freePort();
    backend = createBackend();
    for (const feature of [
      orchPlugin,
      probe,
      databaseServiceFactory,
      requestLoggingRootHttpRouterServiceFactory,
      principalRecordingHttpAuthServiceFactory,
      // Mock tokens (mockCredentials), checked for real by httpAuth.
      mockServices.auth.factory(),
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: `http://localhost:${port}`,
            listen: { host: '127.0.0.1', port },
            database: testDatabaseConfig('sqlite', dir, 'orch_reqlog'),
          },
          orch: {
            redis: { url: redisEnv.url, prefix: redisEnv.prefix },
            runbooks: { dir: join(REPO, 'runbooks') },
            stacks: { dir: join(REPO, 'stacks') },
            artifacts: { dir: join(dir, 'artifacts') },
            secrets: { keyFile },
          },
        },
      }),
      capturingRootLogger(lines),
    ]) {
      backend.add(feature);
    }
    await backend.start();
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await backend?.stop();
    await redisEnv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Calls orch with `token`; returns the status and the request's log record. */
  async function call(path: string, token: string) {
    const agent = `reqlog-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`${baseUrl}/api/orch${path}`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': agent },
    });
    await response.text();
    // The line is written on the response's `finish`, just after the reply.
    for (let i = 0; i < 50; i++) {
      const record = lines
        .map(line => JSON.parse(line))
        .find(r => r.type === 'incomingRequest' && r.userAgent === agent);
      if (record) return { status: response.status, record };
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    throw new Error(`no request log line for ${path}`);
  }

  async function serviceToken() {
    const { token } = await probeAuth.getPluginRequestToken({
      onBehalfOf: await probeAuth.getOwnServiceCredentials(),
      targetPluginId: 'orch',
    });
    return token;
  }

  it("logs another plugin's successful poll at debug, in Backstage's format", async () => {
    const { status, record } = await call('/v1/users', await serviceToken());
    expect(status).toBe(200);
    expect(record).toMatchObject({
      level: 'debug',
      service: 'rootHttpRouter',
      method: 'GET',
      url: '/api/orch/v1/users',
      status: 200,
    });
    expect(record.message).toMatch(
      /^\[[^\]]+\] "GET \/api\/orch\/v1\/users HTTP\/1\.1" 200 \d+ "-" "reqlog-[0-9a-f]+"$/,
    );
  });

  it("logs a user's request at info", async () => {
    const { status, record } = await call(
      '/v1/users',
      mockCredentials.user.token(),
    );
    expect(status).toBe(200);
    expect(record).toMatchObject({
      level: 'info',
      url: '/api/orch/v1/users',
      status: 200,
    });
  });

  it("keeps a plugin's failed request at info", async () => {
    const { status, record } = await call(
      '/v1/users/no-such-user',
      await serviceToken(),
    );
    expect(status).toBe(404);
    expect(record).toMatchObject({ level: 'info', status: 404 });
  });

  it('keeps a request with a token that only looks like a service token at info', async () => {
    const { status, record } = await call(
      '/v1/users',
      'eyJhbGciOiJFUzI1NiJ9.forged.service',
    );
    expect(status).toBe(401);
    expect(record).toMatchObject({ level: 'info', status: 401 });
  });
});
