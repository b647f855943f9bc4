import type { DockerEvent } from '../events/types';
import type { IncidentContext, IncidentSubject } from './types';

/**
 * A subject's state, as {@link IncidentEngine.resolveQuiet} needs it.
 *
 * - `healthy`: running (healthy, when it has a healthcheck) for at least
 *   the quiet period;
 * - `failing`: not running, restarting, unhealthy, or up for less than the
 *   quiet period;
 * - `gone`: the container or service no longer exists;
 * - `unknown`: the engine could not be asked.
 * @public
 */
export type SubjectState = 'healthy' | 'failing' | 'gone' | 'unknown';

/**
 * What the {@link IncidentEngine} asks of the Docker engine an event came
 * from. {@link DockerContextCollector} implements it with dockerode.
 * @public
 */
export interface ContextCollector {
  /**
   * Captures the context of a failure when its incident opens: last log
   * lines, spec with secrets redacted, stack, related job ids. Never throws:
   * what cannot be captured is listed in `errors`.
   */
  collect(request: {
    subject: IncidentSubject;
    event: DockerEvent;
  }): Promise<IncidentContext>;

  /**
   * Whether a container's last exit was an OOM kill. Docker sends no `oom`
   * event when the kill comes before it watches the container's memory
   * (a hog that fills its limit at once): the `die` (137) is then all there
   * is, and the container's state tells. Undefined when unknown.
   */
  wasOomKilled(containerId: string): Promise<boolean | undefined>;

  /** The subject's state now (see {@link SubjectState}). */
  probe(
    subject: IncidentSubject,
    options: { now: Date; quietPeriodMs: number },
  ): Promise<SubjectState>;
}
