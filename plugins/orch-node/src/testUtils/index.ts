/**
 * Test helpers for Orch packages: real Redis servers and real databases,
 * never stand-ins.
 * @packageDocumentation
 */
export * from './redisServer';
export * from './databases';
export * from './dockerImages';
