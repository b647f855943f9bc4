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
 * A 429: too many attempts. The router answers it with `Retry-After`.
 */
export class TooManyRequestsError extends Error {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}
