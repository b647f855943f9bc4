import {
  ORCH_JOB_LABEL,
  redactArgs,
  type LogLine,
} from '@internal/backstage-plugin-portainer-common';
import type Docker from 'dockerode';
import type { DockerEvent } from '../events/types';
import { parseDockerLogs } from '../logs/LogDecoder';
import type { ContextCollector, SubjectState } from './ContextCollector';
import { maskSecrets, redactEnv, redactLabelValues } from './redaction';
import type {
  CapturedContainer,
  CapturedService,
  IncidentContext,
  IncidentSubject,
} from './types';
import { withTimeout } from './withTimeout';

/**
 * Options of {@link DockerContextCollector}.
 * @public
 */
export type DockerContextCollectorOptions = {
  /** The engine the events come from. */
  docker: Docker;
  /**
   * How many log lines an incident captures.
   * @defaultValue 100
   */
  logLines?: number;
  /**
   * Labels whose values are Orch job ids.
   * @defaultValue `['orch.job.id', 'orch.job-id']`
   */
  jobLabels?: string[];
  /**
   * Bound on each call to the engine.
   * @defaultValue 5000
   */
  timeoutMs?: number;
};

const SWARM_SERVICE_ID_LABEL = 'com.docker.swarm.service.id';

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

function message(error: unknown): string {
  const e = error as { statusCode?: number; json?: { message?: string } };
  return e?.json?.message ?? (error as Error)?.message ?? String(error);
}

// Docker gives Cmd and Entrypoint as a list, or a string in old specs.
function asArgs(value: string | string[] | undefined | null): string[] {
  if (Array.isArray(value)) return value;
  return value ? [String(value)] : [];
}

function optionalTime(value: string | undefined): string | undefined {
  // Docker's zero time means "never".
  return value && !value.startsWith('0001-') ? value : undefined;
}

/**
 * {@link ContextCollector} on a Docker engine through dockerode: the last log
 * lines (multiplexed frames demuxed), the container's inspect output reduced
 * to a spec with secret-looking env values, labels and arguments redacted,
 * its Swarm service when it is a task, and the Orch job ids its labels name.
 * Secret values found in the environment are also masked in the log lines.
 * @public
 */
export class DockerContextCollector implements ContextCollector {
  private readonly docker: Docker;
  private readonly logLines: number;
  private readonly jobLabels: string[];
  private readonly timeoutMs: number;

  constructor(options: DockerContextCollectorOptions) {
    this.docker = options.docker;
    this.logLines = options.logLines ?? 100;
    this.jobLabels = options.jobLabels ?? [ORCH_JOB_LABEL, 'orch.job-id'];
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async collect(request: {
    subject: IncidentSubject;
    event: DockerEvent;
  }): Promise<IncidentContext> {
    const { subject, event } = request;
    const errors: string[] = [];
    const secrets: string[] = [];
    const jobIds = new Set<string>();
    const addJobIds = (labels: Record<string, string> | undefined) => {
      for (const key of this.jobLabels) {
        if (labels?.[key]) jobIds.add(labels[key]);
      }
    };
    addJobIds(event.labels);

    const containerId = event.containerId ?? subject.containerId;
    let container: CapturedContainer | undefined;
    let tty = false;
    let serviceId: string | undefined = event.labels[SWARM_SERVICE_ID_LABEL];
    if (containerId) {
      try {
        const info = await withTimeout(
          this.docker.getContainer(containerId).inspect(),
          this.timeoutMs,
          'container inspect',
        );
        const captured = this.captureContainer(info);
        container = captured.container;
        secrets.push(...captured.secrets);
        tty = Boolean(info.Config?.Tty);
        addJobIds(info.Config?.Labels ?? undefined);
        serviceId = serviceId ?? info.Config?.Labels?.[SWARM_SERVICE_ID_LABEL];
      } catch (error) {
        errors.push(`container ${containerId}: ${message(error)}`);
      }
    }

    let service: CapturedService | undefined;
    const serviceRef = serviceId ?? subject.service;
    if (serviceRef) {
      try {
        const info = await withTimeout(
          this.docker.getService(serviceRef).inspect(),
          this.timeoutMs,
          'service inspect',
        );
        const captured = this.captureService(info);
        service = captured.service;
        secrets.push(...captured.secrets);
        addJobIds(info.Spec?.Labels);
        addJobIds(info.Spec?.TaskTemplate?.ContainerSpec?.Labels);
      } catch (error) {
        errors.push(`service ${serviceRef}: ${message(error)}`);
      }
    }

    let logs: LogLine[] = [];
    if (containerId && this.logLines > 0) {
      try {
        const output = (await withTimeout(
          this.docker.getContainer(containerId).logs({
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: this.logLines,
            follow: false,
          }),
          this.timeoutMs,
          'container logs',
        )) as unknown as Buffer;
        logs = parseDockerLogs(Buffer.from(output), { tty, timestamps: true })
          .slice(-this.logLines)
          .map(line => ({ ...line, line: maskSecrets(line.line, secrets) }));
      } catch (error) {
        errors.push(`logs of ${containerId}: ${message(error)}`);
      }
    }

    const context: IncidentContext = {
      capturedAt: new Date().toISOString(),
      logs,
      relatedJobIds: [...jobIds],
    };
    if (container) context.container = container;
    if (service) context.service = service;
    const stack = subject.stack ?? event.stack;
    if (stack) context.stack = stack;
    if (errors.length > 0) context.errors = errors;
    return context;
  }

  async wasOomKilled(containerId: string): Promise<boolean | undefined> {
    try {
      const info = await withTimeout(
        this.docker.getContainer(containerId).inspect(),
        this.timeoutMs,
        'container inspect',
      );
      return Boolean(info.State?.OOMKilled);
    } catch {
      return undefined;
    }
  }

  async probe(
    subject: IncidentSubject,
    options: { now: Date; quietPeriodMs: number },
  ): Promise<SubjectState> {
    const settledBefore = options.now.getTime() - options.quietPeriodMs;
    try {
      if (subject.kind === 'container') {
        const info = await withTimeout(
          this.docker.getContainer(subject.name).inspect(),
          this.timeoutMs,
          'container inspect',
        );
        const state = info.State;
        const health = (state as { Health?: { Status?: string } }).Health
          ?.Status;
        const up =
          state.Running &&
          !state.Restarting &&
          (health === undefined || health === 'healthy');
        const startedAt = Date.parse(state.StartedAt);
        return up && startedAt <= settledBefore ? 'healthy' : 'failing';
      }
      const service = await withTimeout(
        this.docker.getService(subject.name).inspect(),
        this.timeoutMs,
        'service inspect',
      );
      const tasks: any[] = await withTimeout(
        this.docker.listTasks({
          filters: JSON.stringify({
            service: [subject.name],
            'desired-state': ['running'],
          }),
        }),
        this.timeoutMs,
        'task list',
      );
      const replicas = service.Spec?.Mode?.Replicated?.Replicas;
      const desired = replicas ?? tasks.length;
      const settled = tasks.filter(
        t =>
          t.Status?.State === 'running' &&
          Date.parse(t.Status?.Timestamp) <= settledBefore,
      ).length;
      return settled >= desired ? 'healthy' : 'failing';
    } catch (error) {
      return isNotFound(error) ? 'gone' : 'unknown';
    }
  }

  private captureContainer(info: Docker.ContainerInspectInfo): {
    container: CapturedContainer;
    secrets: string[];
  } {
    const { env, secrets } = redactEnv(info.Config?.Env);
    const state = info.State as Docker.ContainerInspectInfo['State'] & {
      Health?: {
        Status?: string;
        Log?: Array<{ ExitCode: number; Output: string; End?: string }>;
      };
    };
    const healthcheck = (info.Config as { Healthcheck?: any })?.Healthcheck;
    const container: CapturedContainer = {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config?.Image ?? info.Image,
      imageId: info.Image,
      command: redactArgs(asArgs(info.Config?.Cmd)),
      entrypoint: redactArgs(asArgs(info.Config?.Entrypoint)),
      labels: redactLabelValues(info.Config?.Labels),
      env,
      restartCount: info.RestartCount ?? 0,
      memoryLimit: info.HostConfig?.Memory ?? 0,
      state: {
        status: state.Status,
        exitCode: state.ExitCode,
        oomKilled: Boolean(state.OOMKilled),
      },
    };
    const policy = info.HostConfig?.RestartPolicy;
    if (policy?.Name) {
      container.restartPolicy = { name: policy.Name };
      if (policy.MaximumRetryCount) {
        container.restartPolicy.maximumRetryCount = policy.MaximumRetryCount;
      }
    }
    if (healthcheck?.Test) {
      container.healthcheck = {
        test: redactArgs(healthcheck.Test),
        ...(healthcheck.Interval ? { intervalNs: healthcheck.Interval } : {}),
        ...(healthcheck.Retries ? { retries: healthcheck.Retries } : {}),
      };
    }
    if (state.Error) container.state.error = state.Error;
    const startedAt = optionalTime(state.StartedAt);
    if (startedAt) container.state.startedAt = startedAt;
    const finishedAt = optionalTime(state.FinishedAt);
    if (finishedAt) container.state.finishedAt = finishedAt;
    if (state.Health?.Status) {
      container.state.health = state.Health.Status;
      container.state.healthLog = (state.Health.Log ?? []).map(entry => ({
        exitCode: entry.ExitCode,
        output: maskSecrets(entry.Output ?? '', secrets).slice(0, 4096),
        ...(entry.End ? { end: entry.End } : {}),
      }));
    }
    return { container, secrets };
  }

  private captureService(info: any): {
    service: CapturedService;
    secrets: string[];
  } {
    const spec = info.Spec ?? {};
    const containerSpec = spec.TaskTemplate?.ContainerSpec ?? {};
    const { env, secrets } = redactEnv(containerSpec.Env);
    let mode: CapturedService['mode'] = 'other';
    if (spec.Mode?.Replicated) mode = 'replicated';
    else if (spec.Mode?.Global) mode = 'global';
    const service: CapturedService = {
      id: info.ID,
      name: spec.Name,
      image: containerSpec.Image ?? '',
      labels: redactLabelValues(spec.Labels),
      env,
      mode,
    };
    if (spec.Mode?.Replicated?.Replicas !== undefined) {
      service.replicas = spec.Mode.Replicated.Replicas;
    }
    if (info.UpdatedAt) service.updatedAt = info.UpdatedAt;
    return { service, secrets };
  }
}
