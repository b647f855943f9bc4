import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { Incident } from '@internal/backstage-plugin-portainer-common';

const REASON_TEXT: Record<Incident['reason'], string> = {
  die: 'exited',
  oom: 'was killed for lack of memory',
  unhealthy: 'is unhealthy',
  image_not_found: 'cannot start: image not found',
  no_suitable_node: 'cannot start: no suitable node',
  start_failed: 'cannot start its tasks',
  task_rejected: 'has its tasks rejected',
};

const TASK_REASONS = new Set<Incident['reason']>([
  'image_not_found',
  'no_suitable_node',
  'start_failed',
  'task_rejected',
]);

/**
 * The Backstage notification sent when an incident opens: one per incident
 * (its id is the scope), linking to the incident page.
 */
export function incidentNotification(
  incident: Incident,
): NotificationSendOptions {
  const where = incident.stack ? ` (stack ${incident.stack})` : '';
  const code =
    incident.reason === 'die' && incident.exitCode !== undefined
      ? ` with code ${incident.exitCode}`
      : '';
  return {
    recipients: { type: 'broadcast' },
    payload: {
      title: `${incident.subjectKind === 'service' ? 'Service' : 'Container'} ${
        incident.subject
      } ${REASON_TEXT[incident.reason]}${code}`,
      description: `Incident on endpoint ${incident.endpointId}${where}: ${
        TASK_REASONS.has(incident.reason)
          ? 'the task errors'
          : 'the last log lines'
      }, the spec and the related jobs were captured.`,
      link: `/incidents/${incident.id}`,
      severity: incident.reason === 'die' ? 'high' : 'critical',
      topic: 'orch-incident',
      scope: `incident:${incident.id}`,
    },
  };
}
