/**
 * The engine that turns Docker events into incidents, for the portainer
 * plugin: a watcher per Docker engine, the rules, context capture and the
 * store of events and incidents.
 *
 * @packageDocumentation
 */
export * from './events/types';
export * from './events/parseDockerEvent';
export * from './events/DockerEventWatcher';
export * from './logs/LogDecoder';
export * from './incidents/types';
export * from './incidents/redaction';
export * from './incidents/ContextCollector';
export * from './incidents/DockerContextCollector';
export * from './incidents/IncidentEngine';
export * from './incidents/SwarmTaskScanner';
export * from './database/DatabaseIncidentStore';
export * from './config';
