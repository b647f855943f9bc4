import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { orchApiRef, type OrchMe } from '../api/OrchClient';

/**
 * The signed-in user and what they may do. `can(permission)` is false while
 * loading and on error: buttons a user may not use are never shown.
 * @public
 */
export function useOrchMe(): {
  me?: OrchMe;
  loading: boolean;
  error?: Error;
  can: (permission: string) => boolean;
} {
  const api = useApi(orchApiRef);
  const { value, loading, error } = useAsync(() => api.getMe(), [api]);
  return {
    me: value,
    loading,
    error,
    can: permission => value?.permissions.includes(permission) ?? false,
  };
}
