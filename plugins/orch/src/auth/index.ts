export { OrchPasswordIdentity } from './OrchPasswordIdentity';
export type { OrchPasswordIdentityOptions } from './OrchPasswordIdentity';
export { OrchAuthError } from './OrchAuthClient';
export type { OrchAuthErrorReason } from './OrchAuthClient';
export type {
  OrchFieldError,
  OrchSessionUser,
  OrchTokenResponse,
} from './types';
