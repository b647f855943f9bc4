/**
 * The orch module for @backstage/plugin-catalog-backend: entity providers fed
 * by the orch plugin (its users as `User` entities), Orch projects
 * (`orch.yaml`, local and from allowed GitHub repositories) as `Component`
 * and install `Template` entities, and runbooks as `Resource` entities.
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
export {
  OrchProjectEntityProvider,
  type OrchProjectEntityProviderOptions,
} from './providers/OrchProjectEntityProvider';
export { OrchProjectManifestProcessor } from './processors/OrchProjectManifestProcessor';
export {
  ORCH_MANIFEST_ERRORS_ANNOTATION,
  ORCH_MANIFEST_LOCATION_ANNOTATION,
  ORCH_PROJECT_ANNOTATION,
  ORCH_REF_ANNOTATION,
  ORCH_REPOSITORY_ANNOTATION,
  ORCH_RUNBOOK_ANNOTATION,
} from './projects/projectEntities';
