import { stackOf } from '@internal/backstage-plugin-portainer-common';
import type { DockerEvent } from './types';

// Attributes Docker adds to an event beside the object's labels.
const ENGINE_ATTRIBUTES = new Set([
  'name',
  'image',
  'exitCode',
  'signal',
  'execID',
  'execDuration',
  'container',
]);
const ENGINE_ATTRIBUTE_PREFIXES = ['updatestate.', 'replicas.', 'image.'];

/** The label Swarm puts on a task's container. @public */
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';

const HEALTH = new Set(['healthy', 'unhealthy', 'starting']);

// Read before JSON.parse: timeNano (~1.8e18) does not survive as a Number.
const TIME_NANO = /"timeNano"\s*:\s*(\d+)/;

/**
 * Nanoseconds since the epoch as ISO-8601 UTC with nine fraction digits.
 * @public
 */
export function nanoToIso(timeNano: string): string {
  const nano = BigInt(timeNano);
  const ms = Number(nano / 1_000_000n);
  const fraction = (nano % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
}

/**
 * Nanoseconds since the epoch as Docker's `since` parameter
 * (`seconds.nanoseconds`).
 * @public
 */
export function nanoToDockerSince(timeNano: string): string {
  const nano = BigInt(timeNano);
  const seconds = nano / 1_000_000_000n;
  const fraction = (nano % 1_000_000_000n).toString().padStart(9, '0');
  return `${seconds}.${fraction}`;
}

/**
 * The key that identifies one event across re-deliveries: Docker has no event
 * id, and replays after `since` repeat the events at the boundary.
 * @public
 */
export function dockerEventKey(
  event: Pick<DockerEvent, 'timeNano' | 'actorId' | 'rawAction'>,
): string {
  return `${event.timeNano}|${event.actorId}|${event.rawAction}`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Parses one line of Docker's `/events` stream (one JSON object). Returns
 * undefined for events of other types (network, volume, …); throws on a
 * line that is not a Docker event.
 * @public
 */
export function parseDockerEvent(
  line: string,
  endpointId: string,
): DockerEvent | undefined {
  let raw;
  try {
    raw = JSON.parse(line);
  } catch {
    // JSON.parse quotes the text in its message: never pass that on.
    throw new Error('line is not JSON');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('event is not an object');
  }
  const type = raw.Type ?? raw.type;
  if (type !== 'container' && type !== 'service') {
    return undefined;
  }
  const rawAction = text(raw.Action) ?? text(raw.status);
  const actorId = text(raw.Actor?.ID) ?? text(raw.id);
  if (!rawAction || !actorId) {
    throw new Error('event has no action or actor');
  }
  let timeNano = TIME_NANO.exec(line)?.[1];
  if (!timeNano) {
    if (typeof raw.time !== 'number') throw new Error('event has no time');
    timeNano = (BigInt(Math.trunc(raw.time)) * 1_000_000_000n).toString();
  }

  const attributes: Record<string, unknown> = raw.Actor?.Attributes ?? {};
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (
      typeof value === 'string' &&
      !ENGINE_ATTRIBUTES.has(key) &&
      !ENGINE_ATTRIBUTE_PREFIXES.some(p => key.startsWith(p))
    ) {
      labels[key] = value;
    }
  }

  // `health_status: unhealthy`, `exec_start: sh -c …`: action, then detail.
  const colon = rawAction.indexOf(':');
  const action = colon < 0 ? rawAction : rawAction.slice(0, colon).trim();
  const detail = colon < 0 ? undefined : rawAction.slice(colon + 1).trim();

  const event: DockerEvent = {
    endpointId,
    time: nanoToIso(timeNano),
    timeNano,
    type,
    action,
    rawAction,
    actorId,
    labels,
  };
  const name = text(attributes.name);
  if (type === 'container') {
    event.containerId = actorId;
    if (name) event.containerName = name.replace(/^\//, '');
    // Compose services are not Swarm services: only Swarm's label counts.
    const service = labels[SWARM_SERVICE_LABEL];
    if (service) event.serviceName = service;
  } else if (name) {
    event.serviceName = name;
  }
  const stack = stackOf(labels);
  if (stack) event.stack = stack;
  const image = text(attributes.image);
  if (image) event.image = image;
  const exitCode = text(attributes.exitCode);
  if (exitCode !== undefined && /^-?\d+$/.test(exitCode)) {
    event.exitCode = Number(exitCode);
  }
  const signal = text(attributes.signal);
  if (signal) event.signal = signal;
  if (action === 'health_status' && detail && HEALTH.has(detail)) {
    event.health = detail as DockerEvent['health'];
  }
  return event;
}
