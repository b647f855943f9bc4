/**
 * Orch's email + password sign-in as a Backstage auth provider (`orch`).
 *
 * @packageDocumentation
 */
export { authModuleOrchProvider as default } from './module';
