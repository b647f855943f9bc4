import { DefaultHttpAuthService } from '@backstage/backend-defaults/httpAuth';
import {
  rootHttpRouterServiceFactory,
  type RootHttpRouterConfigureContext,
} from '@backstage/backend-defaults/rootHttpRouter';
import {
  coreServices,
  createServiceFactory,
  type AuthService,
  type BackstageCredentials,
  type BackstagePrincipalTypes,
  type HttpAuthService,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import type { IncomingMessage, ServerResponse } from 'http';

type Request = Parameters<HttpAuthService['credentials']>[0];
type Response = Parameters<HttpAuthService['issueUserCookie']>[0];

/**
 * Requests whose credentials a plugin verified as another plugin's service
 * token. Express hands the root router's request object down to every plugin
 * router, so the plugin's verdict is visible to the root's request log.
 */
const pluginServiceRequests = new WeakSet<object>();

/**
 * Backstage's httpAuth service, remembering which requests carried a verified
 * plugin-to-plugin service token. Only a token the auth service accepted
 * counts, so a caller cannot claim to be a service by the look of a header.
 */
class PrincipalRecordingHttpAuthService implements HttpAuthService {
  constructor(
    private readonly inner: HttpAuthService,
    private readonly auth: AuthService,
  ) {}

  async credentials<TAllowed extends keyof BackstagePrincipalTypes = 'unknown'>(
    req: Request,
    options?: { allow?: Array<TAllowed>; allowLimitedAccess?: boolean },
  ): Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>> {
    const credentials = await this.inner.credentials(req, options);
    if (
      this.auth.isPrincipal(credentials, 'service') &&
      // External access tokens (`external:<name>`) are callers from outside:
      // their requests stay at info.
      credentials.principal.subject.startsWith('plugin:')
    ) {
      pluginServiceRequests.add(req);
    }
    return credentials;
  }

  issueUserCookie(
    res: Response,
    options?: { credentials?: BackstageCredentials },
  ): Promise<{ expiresAt: Date }> {
    return this.inner.issueUserCookie(res, options);
  }
}

/** Backstage's default httpAuth service, with the principal recording above. */
export const principalRecordingHttpAuthServiceFactory = createServiceFactory({
  service: coreServices.httpAuth,
  deps: {
    auth: coreServices.auth,
    discovery: coreServices.discovery,
    plugin: coreServices.pluginMetadata,
  },
  async factory({ auth, discovery, plugin }) {
    return new PrincipalRecordingHttpAuthService(
      DefaultHttpAuthService.create({
        auth,
        discovery,
        pluginId: plugin.getId(),
      }),
      auth,
    );
  },
});

/**
 * Backstage's request log line (`MiddlewareFactory.logging()`, same message
 * and fields), at debug for a successful request from another plugin (the
 * 30 s polls between Orch's plugins) and at info for everything else. A
 * request that fails (4xx, 5xx) stays at info whoever made it.
 */
export function requestLogging(logger: LoggerService) {
  return (
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    next: () => void,
  ) => {
    res.on('finish', () => {
      const referrer = req.headers.referer ?? req.headers.referrer;
      const userAgent = req.headers['user-agent'];
      const contentLength = Number(res.getHeader('content-length'));
      const meta: Record<string, unknown> = {
        date: new Date().toISOString(),
        method: req.method,
        url: req.originalUrl ?? req.url,
        status: res.statusCode,
        httpVersion: `${req.httpVersionMajor}.${req.httpVersionMinor}`,
      };
      if (userAgent) meta.userAgent = userAgent;
      if (isFinite(contentLength)) meta.contentLength = contentLength;
      if (referrer) {
        meta.referrer = Array.isArray(referrer)
          ? referrer.join(', ')
          : referrer;
      }
      const quiet = res.statusCode < 400 && pluginServiceRequests.has(req);
      const message = `[${meta.date}] "${meta.method} ${meta.url} HTTP/${
        meta.httpVersion
      }" ${meta.status} ${meta.contentLength ?? 0} "${meta.referrer ?? '-'}" "${
        meta.userAgent ?? '-'
      }"`;
      const fields = { type: 'incomingRequest', ...meta };
      if (quiet) logger.debug(message, fields);
      else logger.info(message, fields);
    });
    next();
  };
}

/**
 * Backstage's default root router setup (backend-defaults 0.18
 * `applyDefaults`, same middleware order) with {@link requestLogging} in
 * place of `middleware.logging()`.
 */
export function configureRootHttpRouter({
  app,
  config,
  logger,
  middleware,
  healthRouter,
  routes,
}: RootHttpRouterConfigureContext) {
  if (process.env.NODE_ENV === 'development') {
    app.set('json spaces', 2);
  }
  const trustProxy = config.getOptional('backend.trustProxy');
  if (trustProxy !== undefined) {
    app.set('trust proxy', trustProxy);
  }
  if (config.has('backend.server')) {
    // The default setup's server timeouts; Orch sets none of them.
    logger.warn(
      "backend.server.* is not applied by Orch's root router (packages/backend/src/requestLogging.ts)",
    );
  }
  app.use(middleware.helmet());
  app.use(middleware.cors());
  app.use(middleware.compression());
  app.use(requestLogging(logger));
  app.use(middleware.rateLimit());
  app.use(healthRouter);
  app.use(routes);
  app.use(middleware.notFound());
  app.use(middleware.error());
}

/** The root HTTP router with {@link configureRootHttpRouter}. */
export const requestLoggingRootHttpRouterServiceFactory =
  rootHttpRouterServiceFactory({ configure: configureRootHttpRouter });
