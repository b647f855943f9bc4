import { SECRET_KEYWORD } from './runbooks';

/**
 * The kinds of credentials a job can use.
 * @public
 */
export const CONNECTION_TYPES = [
  'ssh',
  'portainer',
  'cloudflare',
  'github',
  'docker',
  'generic',
] as const;

/**
 * One of {@link CONNECTION_TYPES}.
 * @public
 */
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

const secret = (schema: Record<string, unknown>) => ({
  ...schema,
  [SECRET_KEYWORD]: true,
});

const object = (
  properties: Record<string, unknown>,
  required: string[],
): Record<string, unknown> => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

/**
 * JSON Schema (draft 2020-12) of the values of each connection type. Secret
 * fields carry `x-orch-secret: true` ({@link SECRET_KEYWORD}); they are
 * encrypted at rest and only ever returned masked. For `generic`, the whole
 * `values` object is secret: every string in it is a secret.
 * @public
 */
export const connectionSchemas: Record<
  ConnectionType,
  Record<string, unknown>
> = {
  ssh: object(
    {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535, default: 22 },
      user: { type: 'string', minLength: 1 },
      private_key: secret({ type: 'string', minLength: 1 }),
      passphrase: secret({ type: 'string' }),
    },
    ['host', 'user', 'private_key'],
  ),
  portainer: object(
    {
      url: { type: 'string', format: 'uri' },
      api_key: secret({ type: 'string', minLength: 1 }),
      endpoint_id: { type: 'integer' },
    },
    ['url', 'api_key'],
  ),
  cloudflare: object(
    {
      api_token: secret({ type: 'string', minLength: 1 }),
      account_id: { type: 'string' },
    },
    ['api_token'],
  ),
  github: object(
    {
      token: secret({ type: 'string', minLength: 1 }),
      api_url: {
        type: 'string',
        format: 'uri',
        default: 'https://api.github.com',
      },
    },
    ['token'],
  ),
  docker: object(
    {
      host: {
        type: 'string',
        minLength: 1,
        description: 'tcp://host:2376 or unix:///var/run/docker.sock',
      },
      ca_cert: secret({ type: 'string' }),
      client_cert: secret({ type: 'string' }),
      client_key: secret({ type: 'string' }),
    },
    ['host'],
  ),
  generic: object(
    {
      values: secret({
        type: 'object',
        additionalProperties: { type: 'string' },
      }),
    },
    ['values'],
  ),
};

/**
 * The masked state of one secret field: it is set, and for secrets of at
 * least 12 characters, its last 4 characters.
 * @public
 */
export type MaskedSecret = { set: true; last4?: string };

/**
 * A connection as the API returns it. Secret values never appear: `config`
 * holds the non-secret fields, `secrets` the masked secret ones (for
 * `generic`, one entry per key of `values`).
 * @public
 */
export type Connection = {
  id: string;
  type: ConnectionType;
  name: string;
  environment: string;
  description?: string;
  /** The non-secret fields. */
  config: Record<string, unknown>;
  /** The secret fields, masked. */
  secrets: Record<string, MaskedSecret>;
  /** Id of the master key the secrets are encrypted with. */
  keyId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
};
