/**
 * Runs one playbook with ansible-runner: private data dir, live events,
 * cancel/timeout of the whole process tree, artifacts.
 */
export { executeRunbook } from './executeRunbook';
export type {
  ExecuteRequest,
  ExecuteResult,
  RunnerEvent,
} from './executeRunbook';
export { toUnsafeYaml, writeExtravars } from './writeExtravars';
