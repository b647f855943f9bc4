/** Runbook names, as in the runbook descriptor schema. */
const RUNBOOK_NAME = '^[a-z][a-z0-9_]{1,62}$';
/** Project names are DNS labels short enough for `install-<name>` (63). */
const PROJECT_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const STEP = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'runbook'],
  properties: {
    id: {
      type: 'string',
      description:
        'Unique among steps and rollback steps; later steps read `steps.<id>`.',
      pattern: '^[a-z][a-z0-9_-]{0,62}$',
    },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    runbook: { type: 'string', pattern: RUNBOOK_NAME },
    inputs: {
      type: 'object',
      description: "The runbook's inputs; strings may hold `${{ }}` templates.",
      default: {},
    },
    when: {
      type: 'string',
      description:
        'Condition (bare or as one `${{ }}`); the step is skipped when false.',
      minLength: 1,
      maxLength: 4096,
    },
    onFailure: {
      type: 'string',
      enum: ['stop', 'continue', 'rollback'],
      default: 'stop',
    },
    environment: { type: 'string', minLength: 1, maxLength: 200 },
    connections: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 200 },
      uniqueItems: true,
    },
  },
} as const;

/**
 * JSON Schema (draft 2020-12) of an `orch.yaml` project manifest
 * (`apiVersion: orch/v1`, `kind: Project`). {@link parseOrchManifest}
 * validates against it, fills its defaults, then checks what a schema cannot
 * say (unique step ids, templates, references, secrets).
 * @public
 */
export const orchProjectManifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://orch.io/schemas/orch-project-v1.json',
  title: 'Orch project manifest (orch.yaml)',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'orch/v1' },
    kind: { const: 'Project' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'owner'],
      properties: {
        name: {
          type: 'string',
          description:
            'DNS label (lower case letters, digits, dashes); at most 55 characters so that `install-<name>` is a valid entity name.',
          pattern: PROJECT_NAME,
          minLength: 1,
          maxLength: 55,
        },
        title: { type: 'string', minLength: 1, maxLength: 200 },
        description: { type: 'string', maxLength: 4000 },
        owner: {
          type: 'string',
          description:
            'Catalog entity ref of the owner, e.g. `group:platform-team`.',
          pattern: '^([a-z]+:)?([A-Za-z0-9._-]+/)?[A-Za-z0-9._-]+$',
          maxLength: 253,
        },
        tags: {
          type: 'array',
          items: {
            type: 'string',
            pattern: '^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$',
            maxLength: 63,
          },
          uniqueItems: true,
          default: [],
        },
        links: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              url: { type: 'string', pattern: '^https?://', maxLength: 2048 },
              title: { type: 'string', maxLength: 200 },
            },
          },
          default: [],
        },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['steps'],
      properties: {
        inputs: {
          type: 'object',
          description:
            "JSON Schema (draft 2020-12) of the inputs, as a runbook descriptor's; secret fields carry `x-orch-secret: true`.",
          required: ['type'],
          properties: {
            type: { const: 'object' },
            properties: {
              type: 'object',
              propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' },
            },
          },
          default: { type: 'object', properties: {} },
        },
        dependencies: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['version'],
            oneOf: [{ required: ['project'] }, { required: ['runbook'] }],
            properties: {
              project: { type: 'string', pattern: PROJECT_NAME, maxLength: 55 },
              runbook: { type: 'string', pattern: RUNBOOK_NAME },
              version: {
                type: 'string',
                description: 'A semver range (`^1.2.0`, `>=1 <3`, `*`).',
                minLength: 1,
                maxLength: 200,
              },
            },
          },
          default: [],
        },
        steps: { type: 'array', items: STEP, minItems: 1, maxItems: 100 },
        outputs: {
          type: 'object',
          description: 'Output name → template reading step outputs.',
          propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,62}$' },
          additionalProperties: { type: 'string', maxLength: 4096 },
          default: {},
        },
        rollback: { type: 'array', items: STEP, maxItems: 100, default: [] },
      },
    },
  },
} as const;
