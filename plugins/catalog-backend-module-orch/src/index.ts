/**
 * The orch module for @backstage/plugin-catalog-backend: entity providers fed
 * by the orch plugin (its users as `User` entities).
 *
 * @packageDocumentation
 */

export { catalogModuleOrch as default } from './module';
export {
  OrchUserEntityProvider,
  ORCH_USER_ID_ANNOTATION,
  type OrchUserEntityProviderOptions,
  type OrchUserRecord,
} from './providers/OrchUserEntityProvider';
