/**
 * Isomorphic types, statuses and permissions shared by the Orch frontend,
 * backend plugins and the worker.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './jobs';
export * from './projectJobs';
export * from './health';
export * from './runbooks';
export * from './runbookDescriptorSchema';
export * from './connections';
export * from './audit';
export * from './rbac';
export * from './auth';
export * from './project';
