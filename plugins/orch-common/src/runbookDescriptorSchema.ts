/** A non-empty list of Orch roles. */
const ROLE_LIST = {
  type: 'array',
  items: { type: 'string', enum: ['admin', 'operator', 'viewer'] },
  minItems: 1,
  uniqueItems: true,
} as const;

/**
 * JSON Schema (draft 2020-12) of a runbook descriptor, the
 * `runbooks/playbooks/<name>.runbook.yaml` file beside each playbook. It
 * describes the {@link RunbookDescriptor} type field for field; the loader
 * validates every descriptor against it and skips those that fail.
 *
 * `inputs` is only checked to be an object schema here: the loader compiles
 * it on its own to prove it is a valid JSON Schema. Secret inputs carry the
 * `x-orch-secret: true` keyword ({@link SECRET_KEYWORD}).
 *
 * @public
 */
export const runbookDescriptorSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Orch runbook descriptor',
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'version',
    'title',
    'description',
    'category',
    'risk',
    'playbook',
    'environments',
    'timeoutSeconds',
    'inputs',
  ],
  properties: {
    name: {
      type: 'string',
      description:
        'Unique name: lower case letters, digits and underscores, starting with a letter.',
      pattern: '^[a-z][a-z0-9_]{1,62}$',
    },
    version: {
      type: 'string',
      description:
        'Version of the runbook, semver-like (`1.2.3`, `1.0.0-rc.1`).',
      pattern:
        '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$',
    },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', minLength: 1, maxLength: 4000 },
    category: { type: 'string', minLength: 1, maxLength: 63 },
    risk: { type: 'string', enum: ['low', 'medium', 'high'] },
    playbook: {
      type: 'string',
      description:
        'Playbook path relative to the runbooks root, e.g. `playbooks/hello.yml`.',
      pattern: '^playbooks/[A-Za-z0-9_./-]+\\.ya?ml$',
      not: { pattern: '\\.\\.' },
    },
    connections: {
      type: 'array',
      description: 'Connection types the runbook needs.',
      items: {
        type: 'string',
        enum: ['ssh', 'portainer', 'cloudflare', 'github', 'docker', 'generic'],
      },
      uniqueItems: true,
      default: [],
    },
    environments: {
      type: 'array',
      description: 'Environments the runbook may run in.',
      items: { type: 'string', minLength: 1, maxLength: 63 },
      minItems: 1,
      uniqueItems: true,
    },
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 86400 },
    inputs: {
      type: 'object',
      description:
        'JSON Schema (draft 2020-12) of the inputs; secret fields carry `x-orch-secret: true`.',
      required: ['type'],
      properties: { type: { const: 'object' } },
    },
    retryOnWorkerLost: { type: 'boolean' },
    access: {
      type: 'object',
      description:
        'Narrows who may execute and relaunch the runbook (admins always may).',
      additionalProperties: false,
      properties: {
        roles: ROLE_LIST,
        environments: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              roles: ROLE_LIST,
              groups: {
                type: 'array',
                items: { type: 'string', pattern: '^group:[^/]+/.+$' },
                minItems: 1,
                uniqueItems: true,
              },
            },
          },
        },
      },
    },
  },
} as const;
