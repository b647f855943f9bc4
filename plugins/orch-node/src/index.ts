/**
 * Backend library shared by Orch's backend plugins and its worker: Redis
 * connections, the job queue, live event streams, the job store, secret
 * encryption and redaction. Only this package talks to BullMQ and the Redis
 * streams.
 *
 * @packageDocumentation
 */
export * from './config';
export * from './redis';
export * from './queue';
export * from './queue/JobQueue';
export * from './events/JobEventStream';
export * from './events/CancelSignals';
export * from './crypto/SecretBox';
export * from './WorkerRegistry';
export * from './Redactor';
export * from './database/DatabaseJobStore';
export * from './database/DatabaseAuditLog';
export * from './database/types';
export * from './runbooks';
export * from './database/DatabaseConnectionStore';
export * from './database/sqlite';
export * from './crypto/rotateKeyFile';
export * from './crypto/ConnectionVault';
export * from './auth/DatabaseSessionStore';
export * from './auth/DatabaseUserStore';
export * from './auth/passwords';
export * from './jobs/InputValidationError';
export * from './jobs/RunbookJobFactory';
export * from './projects/GitHubManifestSource';
