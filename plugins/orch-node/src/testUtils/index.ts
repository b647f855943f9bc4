/**
 * Test helpers for Orch packages: real Redis servers and real databases,
 * never stand-ins; a server-sent events reader.
 * @packageDocumentation
 */
export * from './redisServer';
export * from './databases';
export * from './dockerImages';
export * from './sse';
export * from './FakeGitHub';
