/**
 * Labels that name a container's stack: Swarm's stack namespace first, then
 * Compose's project.
 * @public
 */
export const STACK_LABELS = [
  'com.docker.stack.namespace',
  'com.docker.compose.project',
] as const;

/**
 * Labels that name a container's service: a Swarm service, else a Compose
 * service.
 * @public
 */
export const SERVICE_LABELS = [
  'com.docker.swarm.service.name',
  'com.docker.compose.service',
] as const;

/**
 * The label `swarm_deploy` puts on what it deploys: the id of the Orch job.
 * @public
 */
export const ORCH_JOB_LABEL = 'orch.job.id';

/**
 * The stack a set of labels names, if any.
 * @public
 */
export function stackOf(
  labels: Record<string, string> | undefined,
): string | undefined {
  for (const key of STACK_LABELS) {
    if (labels?.[key]) return labels[key];
  }
  return undefined;
}

/**
 * The service a set of labels names, if any.
 * @public
 */
export function serviceOf(
  labels: Record<string, string> | undefined,
): string | undefined {
  for (const key of SERVICE_LABELS) {
    if (labels?.[key]) return labels[key];
  }
  return undefined;
}
