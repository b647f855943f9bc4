import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import { permissionNamesFor } from '@internal/backstage-plugin-orch-common';
import type { Request, Router } from 'express';
import type { RouterOptions } from '../router';
import { clientOf } from '../service/AuditService';
import type { ClientInfo } from '../service/auth/AuthService';
import { DEVICE_COOKIE_PREFIX } from '../service/auth/LoginThrottle';
import { InputValidationError } from '../service/errors';

/** Where the device cookies go: only the sign-in and password calls see them. */
const DEVICE_COOKIE_PATH = '/api/orch/v1/auth';

/** The values of the device cookies a request carries (no cookie parser needed). */
function deviceCookies(req: Request): string[] {
  return (req.get('cookie') ?? '')
    .split(';')
    .map(c => c.trim())
    .filter(c => c.startsWith(DEVICE_COOKIE_PREFIX))
    .map(c => c.slice(c.indexOf('=') + 1))
    .filter(Boolean);
}

/**
 * The address a request came from. Behind `trustProxyHops` reverse proxies
 * (e.g. Traefik) it is the entry of X-Forwarded-For that the outermost
 * trusted proxy saw; a client cannot forge it by sending its own header.
 */
export function clientIp(req: Request, trustProxyHops: number): string {
  const socketIp = req.socket?.remoteAddress ?? 'unknown';
  if (trustProxyHops <= 0) {
    return socketIp;
  }
  const forwarded = (req.get('x-forwarded-for') ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustProxyHops] ?? forwarded[0] ?? socketIp;
}

/**
 * Sign-in, refresh, sign-out, password change and "who am I"; plus two
 * service-only calls for Orch's own auth provider and permission policy.
 */
export function authRoutes(router: Router, options: RouterOptions) {
  const { auth, principals, tokens, users, httpAuth, userInfo } = options;
  const client = (req: Request): ClientInfo => {
    const ip = clientIp(req, options.trustProxyHops);
    return { ip, description: clientOf(req, ip), devices: deviceCookies(req) };
  };
  // Secure when the browser spoke HTTPS (to Orch or to a trusted proxy).
  const secure = (req: Request) =>
    req.secure ||
    (options.trustProxyHops > 0 && /^https\b/i.test(req.get('x-forwarded-proto') ?? ''));

  // Open without credentials (plugin.ts adds the auth policies).
  router.post('/v1/auth/login', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const { tokens: answer, device } = await auth.login(req.body, client(req));
    res.cookie(device.name, device.value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(req),
      path: DEVICE_COOKIE_PATH,
      maxAge: device.maxAgeSeconds * 1000,
    });
    res.json(answer);
  });

  router.post('/v1/auth/refresh', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await auth.refresh(req.body, client(req)));
  });

  router.post('/v1/auth/logout', async (req, res) => {
    await auth.logout(req.body, client(req));
    res.status(204).end();
  });

  router.post('/v1/auth/password', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    await auth.changePassword(
      credentials.principal.userEntityRef,
      req.body,
      client(req),
    );
    res.status(204).end();
  });

  router.get('/v1/me', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const info = await userInfo.getUserInfo(credentials);
    const principal = await principals.resolve(
      info.userEntityRef,
      info.ownershipEntityRefs,
    );
    const user = principal.user;
    res.set('Cache-Control', 'no-store').json({
      id: user?.id,
      email: user?.email,
      displayName: user?.displayName,
      entityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      status: user?.status,
      roles: principal.roles,
      permissions: principal.active ? permissionNamesFor(principal.roles) : [],
      passwordChangeRequired: user?.mustChangePassword ?? false,
    });
  });

  // Service-only: the permission policy module asks for a user's roles.
  router.post('/v1/auth/principal', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const { userEntityRef, ownershipEntityRefs } = req.body ?? {};
    if (
      typeof userEntityRef !== 'string' ||
      (ownershipEntityRefs !== undefined &&
        (!Array.isArray(ownershipEntityRefs) ||
          !ownershipEntityRefs.every(r => typeof r === 'string')))
    ) {
      throw new InputValidationError('Invalid principal query', [
        { field: 'userEntityRef', message: 'must be an entity ref' },
      ]);
    }
    const p = await principals.resolve(userEntityRef, ownershipEntityRefs);
    res.json({ userEntityRef, active: p.active, roles: p.roles });
  });

  // Service-only, and only for the auth backend: Orch's auth provider module
  // redeems a sign-in ticket for the user it was issued to.
  router.post('/v1/auth/tickets/redeem', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    if (credentials.principal.subject !== 'plugin:auth') {
      throw new NotAllowedError('Only the auth backend redeems sign-in tickets');
    }
    const ticket = req.body?.ticket;
    const userId =
      typeof ticket === 'string' && ticket.length <= 100
        ? await tokens.redeem(ticket)
        : undefined;
    const user = userId ? await users.get(userId) : undefined;
    if (!user || user.status !== 'active') {
      throw new AuthenticationError('Invalid or expired sign-in ticket');
    }
    res.set('Cache-Control', 'no-store').json({
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      entityRef: user.entityRef,
    });
  });
}
