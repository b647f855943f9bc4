import { InputValidationError } from '../service/errors';

/** A non-negative integer query parameter, at most `max`; 400 otherwise. */
export function intParam(
  value: unknown,
  name: string,
  def: number,
  max: number,
): number {
  if (value === undefined || value === '') return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new InputValidationError('Invalid query', [
      { field: name, message: `must be an integer from 0 to ${max}` },
    ]);
  }
  return n;
}

/** A single short string query parameter; 400 for arrays or long values. */
export function stringParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 200) {
    throw new InputValidationError('Invalid query', [
      { field: name, message: 'must be a single short string' },
    ]);
  }
  return value || undefined;
}
