import type { SignInResolver } from '@backstage/plugin-auth-node';
import type { OrchTicketUser } from '@internal/backstage-plugin-orch-common';

/**
 * Signs an Orch user in as their entity ref. When the catalog has that User
 * (Orch's catalog module emits one per active user, and other providers may
 * add group memberships), ownership comes from the catalog; before the
 * catalog has caught up, the user still signs in, owning only themself.
 */
export const orchUserSignInResolver: SignInResolver<OrchTicketUser> = async (
  { result },
  ctx,
) =>
  ctx.signInWithCatalogUser(
    { entityRef: result.entityRef },
    { dangerousEntityRefFallback: { entityRef: result.entityRef } },
  );
