import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { DEFAULT_EVENT_FILTERS, type DockerEvent } from '../events/types';
import type { IncidentEngineOutcome } from '../incidents/IncidentEngine';
import { TEST_CONTAINER_LABEL } from '../testUtils';

/** What the engine did with one event, as the tests observe it. */
export type Handled = { event: DockerEvent; outcome: IncidentEngineOutcome };

type Waiter = {
  match: (h: Handled) => boolean;
  resolve: (h: Handled) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

/**
 * Every outcome of the engine, in order, and promises on the ones to come:
 * tests await the event they expect instead of sleeping.
 */
export class OutcomeLog {
  readonly items: Handled[] = [];
  private waiters: Waiter[] = [];

  push(handled: Handled) {
    this.items.push(handled);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(handled)) {
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter(w => w !== waiter);
        waiter.resolve(handled);
      }
    }
  }

  /** The first outcome (past or future) that matches. */
  next(
    match: (h: Handled) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<Handled> {
    const past = this.items.find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.timer !== timer);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push({ match, resolve, reject, timer });
    });
  }
}

/** Matches the handling of `action` on the container or service `name`. */
export function on(
  name: string,
  action: string,
  kind?: IncidentEngineOutcome['kind'],
): (h: Handled) => boolean {
  return h =>
    (h.event.containerName === name || h.event.serviceName === name) &&
    h.event.action === action &&
    (kind === undefined || h.outcome.kind === kind);
}

/** A run id, the label that marks this run's containers, and the filters. */
export function testRun() {
  const run = randomBytes(4).toString('hex');
  const label = `${TEST_CONTAINER_LABEL}=${run}`;
  return {
    run,
    labels: { [TEST_CONTAINER_LABEL]: run },
    // Only this run's containers: the engine is shared with other work.
    filters: { ...DEFAULT_EVENT_FILTERS, label: [label] },
  };
}

/**
 * Creates and starts a busybox container; `name` gets the run id appended
 * so that parallel runs never collide.
 */
export async function runContainer(
  docker: Docker,
  options: {
    name: string;
    labels: Record<string, string>;
    cmd: string[];
    env?: string[];
    hostConfig?: Docker.HostConfig;
    healthcheck?: Docker.ContainerCreateOptions['Healthcheck'];
  },
): Promise<Docker.Container> {
  const image = await ensureBusyboxImage();
  const container = await docker.createContainer({
    name: options.name,
    Image: image,
    Cmd: options.cmd,
    Env: options.env,
    Labels: options.labels,
    HostConfig: options.hostConfig,
    Healthcheck: options.healthcheck,
  });
  await container.start();
  return container;
}
