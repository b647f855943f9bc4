/*
 * Placeholder types for incidents, to be completed by the events → incidents
 * work (plugins/portainer-node). Routes and screens build on these names.
 */

/**
 * Why an incident was opened.
 * @public
 */
export type IncidentReason = 'die' | 'oom' | 'unhealthy';

/**
 * Where an incident is in its life.
 * @public
 */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/**
 * An incident: one per container or service and reason while it is open;
 * repeats increment `count`. Placeholder shape.
 * @public
 */
export type Incident = {
  id: string;
  endpointId: string;
  reason: IncidentReason;
  status: IncidentStatus;
  containerId?: string;
  containerName?: string;
  service?: string;
  stack?: string;
  /** How many times the failure happened while the incident was open. */
  count: number;
  /** Exit code of the `die` that opened it. */
  exitCode?: number;
  openedAt: string;
  lastSeenAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
};
