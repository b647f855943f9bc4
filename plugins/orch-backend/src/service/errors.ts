// One class for the backend and the worker-side job factory, so the router
// recognises field errors from both.
export {
  InputValidationError,
  type FieldError,
} from '@internal/backstage-plugin-orch-node';

/**
 * A 429: too many attempts. The router answers it with `Retry-After`.
 */
export class TooManyRequestsError extends Error {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = 'TooManyRequestsError';
  }
}
