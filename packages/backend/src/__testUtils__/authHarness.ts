import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import orchAuthProvider from '@internal/backstage-plugin-auth-backend-module-orch-provider';
import orchPlugin from '@internal/backstage-plugin-orch-backend';
import orchPolicy from '@internal/backstage-plugin-permission-backend-module-orch-policy';
import { testRedis } from '@internal/backstage-plugin-orch-node/testUtils';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { Redis } from 'ioredis';
import { tmpdir } from 'os';
import { join } from 'path';
import { databaseServiceFactory } from '../database';
import { capturingRootLogger, dumpPluginDatabase } from './capture';
import { REPO, testDatabaseConfig, type Engine } from './testEnv';

export const ADMIN_EMAIL = 'admin@orch.test';
export const ADMIN_PASSWORD = 'first admin canary 7Qx!';

export type Reply = {
  status: number;
  body: any;
  headers: Headers;
  text: string;
};

/**
 * Orch's whole identity path on real parts: the auth backend with Orch's
 * password provider, the permission backend with Orch's policy, the catalog,
 * and the orch plugin, with Backstage's real auth, httpAuth, userInfo and
 * permissions services (no mock credentials), on a real database and Redis.
 */
export class AuthHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'orch-auth-'));
  baseUrl = '';
  redis!: Redis;
  /** Every line the backend logged, at debug level. */
  readonly logs: string[] = [];
  private database: any;
  private backend?: Awaited<ReturnType<typeof startTestBackend>>;
  private redisEnv!: Awaited<ReturnType<typeof testRedis>>;

  constructor(readonly engine: Engine) {}

  /**
   * `maxFailures`: the throttle's limit (benchmarks lift it to time failures).
   * `features`, `config`: more plugins and their config (e.g. portainer).
   */
  async start(
    options: {
      maxFailures?: number;
      features?: any[];
      config?: Record<string, unknown>;
    } = {},
  ) {
    this.redisEnv = await testRedis();
    this.redis = new Redis(this.redisEnv.url);
    const keyFile = join(this.dir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const database = testDatabaseConfig(this.engine, this.dir, 'orch_auth');
    this.database = database;
    const config = {
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007', database },
      auth: { providers: { orch: {} } },
      permission: { enabled: true },
      catalog: { locations: [] },
      orch: {
        redis: { url: this.redisEnv.url, prefix: this.redisEnv.prefix },
        runbooks: { dir: join(REPO, 'runbooks') },
        stacks: { dir: join(REPO, 'stacks') },
        artifacts: { dir: join(this.dir, 'artifacts') },
        secrets: { keyFile },
        // Each test plays several clients through X-Forwarded-For.
        auth: {
          trustProxyHops: 1,
          rateLimit: { maxFailures: options.maxFailures ?? 5 },
        },
        // No cache: a role change shows on the very next request.
        rbac: { cacheSeconds: 0 },
      },
    };
    process.env.ORCH_ADMIN_EMAIL = ADMIN_EMAIL;
    process.env.ORCH_ADMIN_PASSWORD = ADMIN_PASSWORD;
    try {
      this.backend = await startTestBackend({
        features: [
          orchPlugin,
          authPlugin,
          orchAuthProvider,
          permissionPlugin,
          orchPolicy,
          catalogPlugin,
          databaseServiceFactory,
          authServiceFactory,
          httpAuthServiceFactory,
          httpRouterServiceFactory,
          userInfoServiceFactory,
          permissionsServiceFactory,
          permissionsRegistryServiceFactory,
          mockServices.rootConfig.factory({
            data: { ...config, ...options.config },
          }),
          capturingRootLogger(this.logs),
          ...(options.features ?? []),
        ],
      });
    } finally {
      delete process.env.ORCH_ADMIN_EMAIL;
      delete process.env.ORCH_ADMIN_PASSWORD;
    }
    const address = this.backend.server.address() as { port: number };
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  async stop() {
    await this.backend?.stop();
    this.redis?.disconnect();
    await this.redisEnv?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every row of the orch plugin's tables, as JSON text. */
  dumpDatabase(): Promise<string> {
    return dumpPluginDatabase(this.database, 'orch', join(this.dir, 'db'));
  }

  /** A request to the orch plugin (`path` below /api/orch). */
  api(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; client?: string; signal?: AbortSignal } = {},
  ): Promise<Reply> {
    return this.raw(method, `/api/orch${path}`, options);
  }

  async raw(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; client?: string; signal?: AbortSignal } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.client) headers['x-forwarded-for'] = options.client;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (response.headers.get('content-type')?.includes('text/event-stream')) {
      // A live stream: its status is the answer; do not wait for its end.
      await response.body?.cancel();
      return { status: response.status, body: undefined, headers: response.headers, text: '' };
    }
    const text = await response.text();
    let body: any = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, headers: response.headers, text };
  }

  async login(email: string, password: string, client = '10.0.0.1', remember = false) {
    return this.api('POST', '/v1/auth/login', {
      body: { email, password, remember },
      client,
    });
  }

  /** Signs in and returns the token pair; fails the test on anything else. */
  async session(email: string, password: string, client = '10.0.0.1') {
    const r = await this.login(email, password, client);
    if (r.status !== 200) {
      throw new Error(`sign-in of ${email} answered ${r.status}: ${r.text}`);
    }
    return r.body as { accessToken: string; refreshToken: string; user: any };
  }

  /**
   * Creates a user as the admin, then signs in as them and replaces the
   * one-time password, as a real user would. Returns a live session.
   */
  async createUser(adminToken: string, email: string, roles: string[]) {
    const initial = `initial ${randomBytes(6).toString('hex')} pass`;
    const created = await this.api('POST', '/v1/users', {
      token: adminToken,
      body: { email, roles, password: initial },
    });
    if (created.status !== 201) {
      throw new Error(`creating ${email} answered ${created.status}: ${created.text}`);
    }
    const first = await this.session(email, initial);
    const password = `chosen ${randomBytes(6).toString('hex')} pass`;
    const changed = await this.api('POST', '/v1/auth/password', {
      token: first.accessToken,
      body: { currentPassword: initial, newPassword: password },
    });
    if (changed.status !== 204) {
      throw new Error(`password change of ${email} answered ${changed.status}: ${changed.text}`);
    }
    const s = await this.session(email, password);
    return { ...s, id: created.body.id as string, email, password };
  }
}
