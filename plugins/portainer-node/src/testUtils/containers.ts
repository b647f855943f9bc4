import Docker from 'dockerode';

/**
 * The label every container a test creates carries, so that the test (or
 * the next run) can find and remove them.
 * @public
 */
export const TEST_CONTAINER_LABEL = 'orch-test.portainer-node';

/**
 * Removes (forcibly) every container carrying {@link TEST_CONTAINER_LABEL}
 * with the given value, or any value when none is given.
 * @public
 */
export async function removeTestContainers(
  docker: Docker,
  run?: string,
): Promise<number> {
  const containers = await docker.listContainers({
    all: true,
    filters: JSON.stringify({
      label: [run ? `${TEST_CONTAINER_LABEL}=${run}` : TEST_CONTAINER_LABEL],
    }),
  });
  await Promise.all(
    containers.map(c =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  return containers.length;
}

/**
 * Polls `condition` until it returns a value other than undefined/false, at
 * most `timeoutMs`. For conditions that no event announces (a row in a
 * table); never as a plain sleep.
 * @public
 */
export async function waitFor<T>(
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  options?: { timeoutMs?: number; intervalMs?: number; what?: string },
): Promise<T> {
  const deadline = Date.now() + (options?.timeoutMs ?? 20_000);
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${options?.what ?? 'a condition'}`,
      );
    }
    await new Promise(r => setTimeout(r, options?.intervalMs ?? 50));
  }
}
