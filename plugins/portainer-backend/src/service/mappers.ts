import {
  CONTAINER_STATES,
  redactArgs,
  redactEnvEntry,
  redactLabels,
  serviceOf,
  stackOf,
  type ContainerDetail,
  type ContainerHealth,
  type ContainerState,
  type ContainerSummary,
  type Service,
} from '@internal/backstage-plugin-portainer-common';
import type {
  RawContainer,
  RawContainerInspect,
  RawService,
} from './docker/DockerApi';

// Docker writes the zero time for "never".
const ZERO_TIME = /^0001-01-01/;

function time(value: string | undefined): string | undefined {
  if (!value || ZERO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function state(value: string | undefined): ContainerState {
  const s = (value ?? '').toLowerCase();
  return (CONTAINER_STATES as readonly string[]).includes(s)
    ? (s as ContainerState)
    : 'dead';
}

/** Health from Docker's status text: `Up 2 minutes (healthy)`. */
function healthFromStatus(status: string | undefined): ContainerHealth {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status ?? '');
  if (!m) return 'none';
  return m[1] === 'health: starting' ? 'starting' : (m[1] as ContainerHealth);
}

function healthFromInspect(inspect: RawContainerInspect): ContainerHealth {
  const s = inspect.State?.Health?.Status;
  return s === 'healthy' || s === 'unhealthy' || s === 'starting' ? s : 'none';
}

/** A container of Docker's list, as Orch lists it. */
export function toSummary(c: RawContainer): ContainerSummary {
  const labels = c.Labels ?? {};
  const summary: ContainerSummary = {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    image: c.Image,
    state: state(c.State),
    status: c.Status ?? '',
    health: healthFromStatus(c.Status),
    labels: redactLabels(labels),
    ports: (c.Ports ?? []).map(p => ({
      privatePort: p.PrivatePort,
      ...(p.PublicPort ? { publicPort: p.PublicPort } : {}),
      type: p.Type,
      ...(p.IP ? { ip: p.IP } : {}),
    })),
    created: new Date((c.Created ?? 0) * 1000).toISOString(),
  };
  const stack = stackOf(labels);
  const service = serviceOf(labels);
  if (stack) summary.stack = stack;
  if (service) summary.service = service;
  return summary;
}

/** A listed container with what only inspecting it tells. */
export function withInspect(
  summary: ContainerSummary,
  inspect: RawContainerInspect,
): ContainerSummary {
  const detailed: ContainerSummary = {
    ...summary,
    health: healthFromInspect(inspect),
    restartCount: inspect.RestartCount ?? 0,
  };
  const started = time(inspect.State?.StartedAt);
  if (started) detailed.started = started;
  if (detailed.state === 'exited' || detailed.state === 'dead') {
    detailed.exitCode = inspect.State?.ExitCode;
  }
  return detailed;
}

function list(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

/** A container's spec and state, secrets redacted. */
export function toDetail(
  endpointId: string,
  inspect: RawContainerInspect,
): ContainerDetail {
  const config = inspect.Config ?? ({} as RawContainerInspect['Config']);
  const host = inspect.HostConfig ?? ({} as RawContainerInspect['HostConfig']);
  const st = inspect.State ?? ({} as RawContainerInspect['State']);
  const labels = config.Labels ?? {};
  const ports: ContainerDetail['ports'] = [];
  for (const [spec, bindings] of Object.entries(
    inspect.NetworkSettings?.Ports ?? {},
  )) {
    const [port, type] = spec.split('/');
    for (const b of bindings ?? [{ HostIp: '', HostPort: '' }]) {
      ports.push({
        privatePort: Number(port),
        ...(b.HostPort ? { publicPort: Number(b.HostPort) } : {}),
        type: type ?? 'tcp',
        ...(b.HostIp ? { ip: b.HostIp } : {}),
      });
    }
  }
  const base = withInspect(
    {
      id: inspect.Id,
      name: (inspect.Name ?? '').replace(/^\//, ''),
      image: config.Image ?? inspect.Image,
      state: state(st.Status),
      status: st.Status ?? '',
      health: 'none',
      labels: redactLabels(labels),
      ports,
      created: time(inspect.Created) ?? new Date(0).toISOString(),
    },
    inspect,
  );
  const stack = stackOf(labels);
  const service = serviceOf(labels);
  if (stack) base.stack = stack;
  if (service) base.service = service;
  const healthcheck = config.Healthcheck as
    | { Test?: string[]; Interval?: number; Retries?: number }
    | undefined;
  const restart = host.RestartPolicy as
    | { Name?: string; MaximumRetryCount?: number }
    | undefined;
  return {
    ...base,
    endpointId,
    imageId: inspect.Image,
    command: redactArgs(list(config.Cmd)),
    entrypoint: redactArgs(list(config.Entrypoint)),
    env: (config.Env ?? []).map(redactEnvEntry),
    ...(config.WorkingDir ? { workingDir: config.WorkingDir } : {}),
    ...(config.User ? { user: config.User } : {}),
    ...(config.Hostname ? { hostname: config.Hostname } : {}),
    tty: Boolean(config.Tty),
    ...(restart?.Name
      ? {
          restartPolicy: {
            name: restart.Name,
            ...(restart.MaximumRetryCount
              ? { maximumRetryCount: restart.MaximumRetryCount }
              : {}),
          },
        }
      : {}),
    memoryLimit: host.Memory ?? 0,
    cpuLimit: (host.NanoCpus ?? 0) / 1e9,
    ...(healthcheck?.Test
      ? {
          healthcheck: {
            test: redactArgs(healthcheck.Test),
            ...(healthcheck.Interval
              ? { intervalNs: healthcheck.Interval }
              : {}),
            ...(healthcheck.Retries ? { retries: healthcheck.Retries } : {}),
          },
        }
      : {}),
    mounts: (inspect.Mounts ?? []).map(m => ({
      type: m.Type,
      ...(m.Source ? { source: m.Source } : {}),
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    networks: Object.keys(inspect.NetworkSettings?.Networks ?? {}),
    stateDetail: {
      running: Boolean(st.Running),
      paused: Boolean(st.Paused),
      restarting: Boolean(st.Restarting),
      oomKilled: Boolean(st.OOMKilled),
      dead: Boolean(st.Dead),
      pid: st.Pid ?? 0,
      exitCode: st.ExitCode ?? 0,
      ...(st.Error ? { error: st.Error } : {}),
      ...(time(st.StartedAt) ? { startedAt: time(st.StartedAt) } : {}),
      ...(time(st.FinishedAt) ? { finishedAt: time(st.FinishedAt) } : {}),
      ...(st.Health?.Log
        ? {
            healthLog: st.Health.Log.slice(-5).map(l => ({
              exitCode: l.ExitCode,
              output: l.Output.slice(0, 4096),
              ...(time(l.End) ? { end: time(l.End) } : {}),
            })),
          }
        : {}),
    },
  };
}

/** A Swarm service as Orch lists it. */
export function toService(s: RawService): Service {
  const spec = (s.Spec ?? {}) as NonNullable<RawService['Spec']>;
  const labels = spec.Labels ?? {};
  const mode = spec.Mode as
    | { Replicated?: { Replicas?: number }; Global?: object }
    | undefined;
  const image = String(
    (spec.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined)
      ?.ContainerSpec?.Image ?? '',
  ).split('@')[0];
  let kind: Service['mode'] = 'other';
  if (mode?.Replicated) kind = 'replicated';
  else if (mode?.Global) kind = 'global';
  const service: Service = {
    id: s.ID,
    name: spec.Name ?? s.ID,
    image,
    mode: kind,
    labels: redactLabels(labels),
  };
  if (mode?.Replicated?.Replicas !== undefined) {
    service.replicas = mode.Replicated.Replicas;
  }
  if (s.ServiceStatus) {
    service.runningTasks = s.ServiceStatus.RunningTasks;
    service.desiredTasks = s.ServiceStatus.DesiredTasks;
  }
  const stack = labels['com.docker.stack.namespace'];
  if (stack) service.stack = stack;
  const createdAt = time(s.CreatedAt);
  const updatedAt = time(s.UpdatedAt);
  if (createdAt) service.createdAt = createdAt;
  if (updatedAt) service.updatedAt = updatedAt;
  if (s.UpdateStatus?.State) service.updateState = s.UpdateStatus.State;
  return service;
}
