export type {
  OrchSessionUser,
  OrchTokenResponse,
} from '@internal/backstage-plugin-orch-common';

/** One input the server refused, from a 400 answer. @public */
export type OrchFieldError = { field: string; message: string };
