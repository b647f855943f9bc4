import { InputError } from '@backstage/errors';

/** One input that failed validation. */
export type FieldError = { field: string; message: string };

/**
 * A 400 that names each failing field. The router answers it with the
 * standard Backstage error body plus `fields`.
 */
export class InputValidationError extends InputError {
  constructor(message: string, readonly fields: FieldError[]) {
    super(
      `${message}: ${fields.map(f => `${f.field} ${f.message}`).join('; ')}`,
    );
    this.name = 'InputError';
  }
}

/**
 * An endpoint could not serve a request: 503 when it cannot be reached or
 * does not answer in time, 502 when it (or Portainer in front of it)
 * answered with an error of its own, such as a refused API key. The message
 * names the endpoint; the router adds it to the body.
 */
export class EndpointUnavailableError extends Error {
  constructor(
    message: string,
    readonly endpoint: { id: string; name: string },
    readonly statusCode: 502 | 503,
  ) {
    super(message);
    this.name = 'EndpointUnavailableError';
  }
}
