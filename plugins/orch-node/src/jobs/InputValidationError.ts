import { InputError } from '@backstage/errors';

/**
 * One input that failed validation.
 * @public
 */
export type FieldError = { field: string; message: string };

/**
 * A 400 that names each failing field. The orch router answers it with the
 * standard Backstage error body plus `fields`.
 * @public
 */
export class InputValidationError extends InputError {
  constructor(message: string, readonly fields: FieldError[]) {
    super(
      `${message}: ${fields.map(f => `${f.field} ${f.message}`).join('; ')}`,
    );
    this.name = 'InputError';
  }
}
