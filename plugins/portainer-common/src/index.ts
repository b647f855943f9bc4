/**
 * Types, permissions and helpers shared by the portainer plugins: Docker
 * endpoints, containers, logs, stacks, services and incidents.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
export * from './labels';
export * from './redaction';
export * from './incidents';
