import { NotAllowedError } from '@backstage/errors';
import type { ConnectionType } from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import { clientOf } from '../service/AuditService';
import { principalOf } from '../service/JobService';

/**
 * Which backend plugin may read which connection types in clear. Nobody
 * else (no user, whatever their roles; no other plugin) reads a secret
 * through the API.
 */
const CREDENTIAL_READERS: Record<string, readonly ConnectionType[]> = {
  'plugin:portainer': ['portainer', 'docker'],
  // The catalog reads GitHub's token to ingest allowed repositories' orch.yaml.
  'plugin:catalog': ['github'],
};

/**
 * Service-to-service routes: other Orch backend plugins call them with
 * their own service token.
 */
export function internalRoutes(router: Router, options: RouterOptions) {
  const { connections, httpAuth, audit } = options;

  // The portainer plugin reads the API key of a portainer connection (or
  // the TLS material of a docker one) to talk to the endpoint itself; the
  // catalog reads the token of a github connection. `:id` may be a name.
  // Every read is audited, refusals included, with the connection as target.
  router.post('/v1/connections/:id/credentials', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const id = req.params.id;
    const record = (
      outcome: 'success' | 'failure' | 'denied',
      error?: Error,
      targetId = id,
    ) =>
      audit.record({
        actor: principalOf(credentials),
        action: 'connection.credentials.read',
        target: { type: 'connection', id: targetId },
        outcome,
        client: clientOf(req),
        metadata: error
          ? { error: `${error.name}: ${error.message}`.slice(0, 500) }
          : {},
      });

    const types = CREDENTIAL_READERS[credentials.principal.subject];
    if (!types) {
      const error = new NotAllowedError(
        'Only the portainer and catalog plugins read connection credentials',
      );
      await record('denied', error);
      throw error;
    }
    let resolved;
    try {
      resolved = await connections.readCredentials(id, types);
    } catch (e) {
      const error = e as Error;
      await record(
        error.name === 'NotAllowedError' ? 'denied' : 'failure',
        error,
      );
      throw e;
    }
    // Read by name: the audit names the connection by its id.
    await record('success', undefined, resolved.id);
    res.set('Cache-Control', 'no-store').json(resolved);
  });
}
