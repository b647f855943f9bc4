/** The signed-in user as the sign-in API describes them. @public */
export type OrchSessionUser = {
  id: string;
  email: string;
  displayName: string;
  entityRef: string;
  roles: string[];
};

/**
 * What `POST /v1/auth/login` and `POST /v1/auth/refresh` answer.
 *
 * @public
 */
export type OrchTokenResponse = {
  /** A Backstage user token (`sub` = user entity ref, `ent` = ownership refs). */
  accessToken: string;
  /** Single use: every refresh answers a new one. */
  refreshToken: string;
  /** ISO-8601: when `accessToken` expires. */
  expiresAt: string;
  /** ISO-8601: when the session ends and a password is needed again. */
  refreshExpiresAt: string;
  remember: boolean;
  passwordChangeRequired: boolean;
  user: OrchSessionUser;
};

/** One input the server refused, from a 400 answer. @public */
export type OrchFieldError = { field: string; message: string };
