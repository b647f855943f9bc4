/**
 * Backend library shared by Orch's backend plugins and its worker: Redis
 * connections, the queue name and worker presence. Only this package talks
 * to BullMQ and the Redis streams.
 *
 * @packageDocumentation
 */
export * from './config';
export * from './redis';
export * from './queue';
export * from './WorkerRegistry';
export * from './Redactor';
