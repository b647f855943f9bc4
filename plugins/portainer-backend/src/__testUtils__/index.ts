/**
 * Test helpers for the portainer plugin: a local fake of Portainer's API
 * that forwards Docker calls to a real Docker socket, and test containers.
 * @packageDocumentation
 */
export * from './fakePortainer';
export * from './testContainers';
export * from './sse';
