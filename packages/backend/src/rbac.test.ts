import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthHarness } from './__testUtils__/authHarness';
import { engines } from './__testUtils__/orchHarness';

jest.setTimeout(300_000);

type Who = 'anonymous' | 'viewer' | 'operator' | 'admin';
const WHO: Who[] = ['anonymous', 'viewer', 'operator', 'admin'];

/** The ids a route needs, created once by the admin. */
type Fixtures = {
  jobId: string;
  connectionId: () => Promise<string>;
  userId: string;
};

type Route = {
  method: string;
  path: string;
  /** Who passes. `open`: everyone, with the status `open` gives. */
  allowed: Who[] | 'service';
  open?: number[];
  request: (f: Fixtures, who: Who) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
};

const ROLES_USER: Who[] = ['viewer', 'operator', 'admin'];
const READERS: Who[] = ['viewer', 'operator', 'admin'];
const OPERATORS: Who[] = ['operator', 'admin'];
const ADMINS: Who[] = ['admin'];
let seq = 0;

/**
 * Every route of the orch plugin with who may call it. A route missing from
 * this table fails the completeness test below, so a new route cannot ship
 * without its row.
 */
const ROUTES: Route[] = [
  { method: 'GET', path: '/health', allowed: [...WHO], open: [200, 503], request: () => ({ path: '/health' }) },
  // Sign-in calls are open; they answer on their own terms.
  { method: 'POST', path: '/v1/auth/login', allowed: [...WHO], open: [400], request: () => ({ path: '/v1/auth/login', body: {} }) },
  { method: 'POST', path: '/v1/auth/refresh', allowed: [...WHO], open: [401], request: () => ({ path: '/v1/auth/refresh', body: { refreshToken: 'orch_rt_unknown' } }) },
  { method: 'POST', path: '/v1/auth/logout', allowed: [...WHO], open: [204], request: () => ({ path: '/v1/auth/logout', body: { refreshToken: 'orch_rt_unknown' } }) },
  { method: 'POST', path: '/v1/auth/password', allowed: ROLES_USER, request: () => ({ path: '/v1/auth/password', body: {} }) },
  { method: 'GET', path: '/v1/me', allowed: ROLES_USER, request: () => ({ path: '/v1/me' }) },
  // Service-to-service only: no user passes.
  { method: 'POST', path: '/v1/auth/principal', allowed: 'service', request: () => ({ path: '/v1/auth/principal', body: { userEntityRef: 'user:default/admin' } }) },
  { method: 'POST', path: '/v1/auth/tickets/redeem', allowed: 'service', request: () => ({ path: '/v1/auth/tickets/redeem', body: { ticket: 'x' } }) },

  { method: 'GET', path: '/v1/runbooks', allowed: READERS, request: () => ({ path: '/v1/runbooks' }) },
  { method: 'GET', path: '/v1/runbooks/:name', allowed: READERS, request: () => ({ path: '/v1/runbooks/hello' }) },
  { method: 'POST', path: '/v1/runbooks/:name/enabled', allowed: ADMINS, request: () => ({ path: '/v1/runbooks/hello/enabled', body: { enabled: true } }) },
  { method: 'POST', path: '/v1/runbooks/:name/execute', allowed: OPERATORS, request: () => ({ path: '/v1/runbooks/hello/execute', body: { environment: 'stage', inputs: { message: 'matrix' } } }) },
  { method: 'POST', path: '/v1/projects/install', allowed: OPERATORS, request: () => ({ path: '/v1/projects/install', body: { project: 'sleeper-demo', environment: 'stage', dryRun: true } }) },

  { method: 'GET', path: '/v1/jobs', allowed: READERS, request: () => ({ path: '/v1/jobs' }) },
  { method: 'GET', path: '/v1/jobs/:id', allowed: READERS, request: f => ({ path: `/v1/jobs/${f.jobId}` }) },
  { method: 'GET', path: '/v1/jobs/:id/events', allowed: READERS, request: f => ({ path: `/v1/jobs/${f.jobId}/events` }) },
  { method: 'GET', path: '/v1/jobs/:id/logs/stream', allowed: READERS, request: f => ({ path: `/v1/jobs/${f.jobId}/logs/stream` }) },
  { method: 'POST', path: '/v1/jobs/:id/cancel', allowed: OPERATORS, request: f => ({ path: `/v1/jobs/${f.jobId}/cancel`, body: {} }) },
  { method: 'POST', path: '/v1/jobs/:id/relaunch', allowed: OPERATORS, request: f => ({ path: `/v1/jobs/${f.jobId}/relaunch`, body: {} }) },
  { method: 'GET', path: '/v1/jobs/:id/artifacts/:name', allowed: READERS, request: f => ({ path: `/v1/jobs/${f.jobId}/artifacts/output.json` }) },

  { method: 'GET', path: '/v1/connections', allowed: OPERATORS, request: () => ({ path: '/v1/connections' }) },
  { method: 'GET', path: '/v1/connections/:id', allowed: OPERATORS, request: async f => ({ path: `/v1/connections/${await f.connectionId()}` }) },
  {
    method: 'POST',
    path: '/v1/connections',
    allowed: ADMINS,
    request: () => ({
      path: '/v1/connections',
      body: { type: 'generic', name: `matrix-${seq++}`, environment: 'stage', values: { values: { k: 'v' } } },
    }),
  },
  { method: 'PATCH', path: '/v1/connections/:id', allowed: ADMINS, request: async f => ({ path: `/v1/connections/${await f.connectionId()}`, body: { description: 'matrix' } }) },
  { method: 'DELETE', path: '/v1/connections/:id', allowed: ADMINS, request: async f => ({ path: `/v1/connections/${await f.connectionId()}` }) },
  // Service-to-service, and only for the portainer plugin: no user reads a secret.
  { method: 'POST', path: '/v1/connections/:id/credentials', allowed: 'service', request: async f => ({ path: `/v1/connections/${await f.connectionId()}/credentials`, body: {} }) },

  { method: 'GET', path: '/v1/audit', allowed: ADMINS, request: () => ({ path: '/v1/audit' }) },

  { method: 'GET', path: '/v1/users', allowed: ADMINS, request: () => ({ path: '/v1/users' }) },
  { method: 'GET', path: '/v1/users/:id', allowed: ADMINS, request: f => ({ path: `/v1/users/${f.userId}` }) },
  {
    method: 'POST',
    path: '/v1/users',
    allowed: ADMINS,
    request: () => ({ path: '/v1/users', body: { email: `matrix${seq++}@orch.test`, roles: [], password: 'matrix long password' } }),
  },
  { method: 'PATCH', path: '/v1/users/:id', allowed: ADMINS, request: f => ({ path: `/v1/users/${f.userId}`, body: { displayName: 'Matrix' } }) },
  { method: 'POST', path: '/v1/users/:id/reset-password', allowed: ADMINS, request: f => ({ path: `/v1/users/${f.userId}/reset-password`, body: { password: 'matrix reset password' } }) },
];

/** What a status means for the matrix. */
function verdict(status: number, open?: number[]): string {
  if (open) return open.includes(status) ? 'open' : `unexpected ${status}`;
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status >= 500) return `error ${status}`;
  // Allowed: any answer but a refusal or a crash (a 400 for an empty body
  // or a 409 for a second cancel is the route's own business).
  return 'allowed';
}

function expectedVerdict(route: Route, who: Who): string {
  if (route.open) return 'open';
  if (who === 'anonymous') return 'unauthenticated';
  if (route.allowed === 'service' || !route.allowed.includes(who)) return 'forbidden';
  return 'allowed';
}

/** The routes the orch plugin's source declares: `router.<method>('<path>'`. */
function declaredRoutes(): string[] {
  const dir = join(__dirname, '../../../plugins/orch-backend/src');
  const files = [join(dir, 'router.ts'), ...readdirSync(join(dir, 'routes')).map(f => join(dir, 'routes', f))];
  const found: string[] = [];
  for (const file of files.filter(f => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      found.push(`${m[1].toUpperCase()} ${m[2]}`);
    }
  }
  return found.sort();
}

it('the matrix names every route of the orch plugin, once', () => {
  expect(ROUTES.map(r => `${r.method} ${r.path}`).sort()).toEqual(declaredRoutes());
});

describe.each(engines())('every route × {anonymous, viewer, operator, admin} on %s', engine => {
  const h = new AuthHarness(engine);
  const tokens: Partial<Record<Who, string>> = {};
  let fixtures: Fixtures;

  beforeAll(async () => {
    await h.start();
    const admin = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
    tokens.admin = admin.accessToken;
    tokens.viewer = (await h.createUser(admin.accessToken, 'viewer@orch.test', ['viewer'])).accessToken;
    tokens.operator = (await h.createUser(admin.accessToken, 'operator@orch.test', ['operator'])).accessToken;
    const job = await h.api('POST', '/v1/runbooks/hello/execute', {
      token: admin.accessToken,
      body: { environment: 'stage', inputs: { message: 'fixture' } },
    });
    if (job.status !== 202) throw new Error(`fixture job: ${job.status} ${job.text}`);
    const target = await h.api('POST', '/v1/users', {
      token: admin.accessToken,
      body: { email: 'target@orch.test', roles: ['viewer'], password: 'target long password' },
    });
    if (target.status !== 201) throw new Error(`fixture user: ${target.status} ${target.text}`);
    fixtures = {
      jobId: job.body.jobId,
      userId: target.body.id,
      // A fresh connection per request: DELETE must find one to delete.
      connectionId: async () => {
        const c = await h.api('POST', '/v1/connections', {
          token: admin.accessToken,
          body: { type: 'generic', name: `fixture-${seq++}`, environment: 'stage', values: { values: { k: 'v' } } },
        });
        if (c.status !== 201) throw new Error(`fixture connection: ${c.status} ${c.text}`);
        return c.body.id;
      },
    };
  });
  afterAll(() => h.stop());

  const cases = ROUTES.flatMap(route => WHO.map(who => [route, who] as const));

  it.each(cases.map(([r, who]) => [`${r.method} ${r.path}`, who, r] as const))(
    '%s as %s',
    async (_name, who, route) => {
      const { path, body } = await route.request(fixtures, who);
      const r = await h.api(route.method, path, { token: tokens[who], body });
      expect(verdict(r.status, route.open)).toBe(expectedVerdict(route, who));
    },
  );
});
