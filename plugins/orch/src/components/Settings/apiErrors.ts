import { ResponseError } from '@backstage/errors';

/** A 400's failing fields, as Orch's API lists them. */
export type FieldError = { field: string; message: string };

/** The server's message of a failed call, else the error's own. */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return (error as Error)?.message ?? String(error);
}

/** The failing fields of a 400 answer, if any. */
export function fieldErrors(error: unknown): FieldError[] {
  if (error instanceof ResponseError) {
    const fields = (error.body as { fields?: unknown }).fields;
    return Array.isArray(fields) ? (fields as FieldError[]) : [];
  }
  return [];
}

/** `?a=1&b=2` from the defined entries only. */
export function queryString(params: Record<string, string | undefined>) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') {
      search.set(key, value);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
