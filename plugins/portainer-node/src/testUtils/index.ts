/**
 * Test helpers for the portainer plugins: a Docker socket proxy that a test
 * can cut, labelled test containers, bounded polling.
 * @packageDocumentation
 */
export * from './DockerSocketProxy';
export * from './containers';
