/**
 * The orch module for the scaffolder backend: template actions that run
 * Orch runbooks and install Orch projects as the template's user.
 *
 * @packageDocumentation
 */
export { scaffolderModuleOrch as default } from './module';
export { createOrchRunbookExecuteAction } from './actions/runbookExecute';
export { createOrchProjectInstallAction } from './actions/projectInstall';
export { OrchClient } from './actions/OrchClient';
