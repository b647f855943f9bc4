import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogService,
} from '@backstage/plugin-catalog-node';
import type { ManifestError } from '@internal/backstage-plugin-orch-common';
import {
  ORCH_MANIFEST_ERRORS_ANNOTATION,
  ORCH_MANIFEST_LOCATION_ANNOTATION,
  formatManifestError,
} from '../projects/projectEntities';

/** How often, and how many times, a project let through is looked for. */
const REFRESH_POLL_MS = 1000;
const REFRESH_ATTEMPTS = 60;

/**
 * Turns the errors of an invalid `orch.yaml`, which its project's
 * `Component` carries in the `orch.io/manifest-errors` annotation, into a
 * catalog processing error: an `InputError` naming the path and rule of
 * each problem, thrown from `preProcessEntity`. The catalog records it,
 * logs it and shows it in the entity page's processing-errors panel.
 *
 * The catalog only shows an entity that was processed without error at
 * least once (it never stitches one that was not), so a project that is
 * new to the catalog is let through once, annotation and all, and the
 * error is thrown from the next processing on: the broken project is
 * visible, and so is its error. That next processing is not left to the
 * catalog's processing interval (minutes): as soon as the catalog serves
 * the project, the processor asks for its refresh.
 * @public
 */
export class OrchProjectManifestProcessor implements CatalogProcessor {
  readonly #logger: LoggerService;
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  /** Projects let through once, waiting to be served so they can be refreshed. */
  readonly #awaitingRefresh = new Set<string>();

  constructor(options: {
    logger: LoggerService;
    catalog: CatalogService;
    auth: AuthService;
  }) {
    this.#logger = options.logger;
    this.#catalog = options.catalog;
    this.#auth = options.auth;
  }

  getProcessorName(): string {
    return 'OrchProjectManifestProcessor';
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    const raw = entity.metadata.annotations?.[ORCH_MANIFEST_ERRORS_ANNOTATION];
    if (entity.kind !== 'Component' || raw === undefined) {
      return entity;
    }
    const error = manifestInputError(entity, raw);
    const ref = stringifyEntityRef(entity);
    let shown: Entity | undefined;
    try {
      shown = await this.#catalog.getEntityByRef(ref, {
        credentials: await this.#auth.getOwnServiceCredentials(),
      });
    } catch (e) {
      // Cannot tell: let it through (its annotation carries the errors).
      this.#logger.warn(`Invalid project ${ref}: ${error.message}`);
      return entity;
    }
    if (!shown) {
      this.#logger.warn(
        `Invalid project ${ref} (shown once before its processing error): ${error.message}`,
      );
      this.#refreshWhenServed(ref);
      return entity;
    }
    throw error;
  }

  /**
   * Once the catalog serves `ref` (stitching follows this processing, and no
   * event says when it is done), asks for its refresh, so the error is
   * thrown from a processing seconds away instead of one interval away. It
   * looks every second for a minute, then leaves it to the interval.
   */
  #refreshWhenServed(ref: string): void {
    if (this.#awaitingRefresh.has(ref)) {
      return;
    }
    this.#awaitingRefresh.add(ref);
    const attempt = async (left: number) => {
      try {
        const credentials = await this.#auth.getOwnServiceCredentials();
        if (await this.#catalog.getEntityByRef(ref, { credentials })) {
          await this.#catalog.refreshEntity(ref, { credentials });
          this.#awaitingRefresh.delete(ref);
          return;
        }
      } catch (e) {
        this.#logger.debug(`Refresh of invalid project ${ref} failed: ${e}`);
      }
      if (left <= 1) {
        this.#awaitingRefresh.delete(ref);
        return;
      }
      setTimeout(() => void attempt(left - 1), REFRESH_POLL_MS).unref();
    };
    setTimeout(() => void attempt(REFRESH_ATTEMPTS), REFRESH_POLL_MS).unref();
  }
}

/** The `InputError` of a project whose manifest is invalid. */
export function manifestInputError(entity: Entity, raw: string): InputError {
  const where =
    entity.metadata.annotations?.[ORCH_MANIFEST_LOCATION_ANNOTATION] ??
    'orch.yaml';
  let errors: unknown;
  try {
    errors = JSON.parse(raw);
  } catch {
    errors = [{ path: '', rule: 'annotation', message: raw }];
  }
  const list = (Array.isArray(errors) ? errors : []) as ManifestError[];
  return new InputError(
    `Invalid orch.yaml at ${where}: ${list
      .map(formatManifestError)
      .join('; ')}`,
  );
}
