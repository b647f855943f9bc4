import type { Job, Runbook } from '@internal/backstage-plugin-orch-common';

const SCHEMA = 'https://json-schema.org/draft/2020-12/schema';

/** Runbooks as `GET /v1/runbooks` lists them, after the real descriptors. */
export const hello: Runbook = {
  name: 'hello',
  version: '1.0.0',
  title: 'Hello',
  description: 'Prints a message a few times and returns it.',
  category: 'demo',
  risk: 'low',
  playbook: 'playbooks/hello.yml',
  connections: [],
  environments: ['prod', 'stage'],
  timeoutSeconds: 60,
  enabled: true,
  inputs: {
    $schema: SCHEMA,
    type: 'object',
    title: 'Hello',
    additionalProperties: false,
    required: ['message'],
    properties: {
      message: {
        type: 'string',
        title: 'Message',
        description: 'The text to print.',
        minLength: 1,
        maxLength: 1000,
      },
      count: {
        type: 'integer',
        title: 'Count',
        description: 'How many times to print it.',
        minimum: 1,
        maximum: 10,
        default: 1,
      },
    },
  },
};

export const secretEcho: Runbook = {
  ...hello,
  name: 'secret_echo',
  title: 'Secret echo',
  description: 'Takes a secret token and prints its length.',
  inputs: {
    $schema: SCHEMA,
    type: 'object',
    additionalProperties: false,
    required: ['api_token'],
    properties: {
      display_name: { type: 'string', title: 'Name', maxLength: 200 },
      api_token: {
        type: 'string',
        title: 'API token',
        minLength: 1,
        maxLength: 4096,
        'x-orch-secret': true,
      },
    },
  },
};

export const swarmDeploy: Runbook = {
  ...hello,
  name: 'swarm_deploy',
  title: 'Deploy a Swarm stack',
  description: 'Deploys (or updates) a Docker Swarm stack.',
  category: 'swarm',
  risk: 'medium',
  connections: ['docker'],
  timeoutSeconds: 600,
  inputs: {
    $schema: SCHEMA,
    type: 'object',
    additionalProperties: false,
    required: ['stack_name'],
    properties: {
      stack_name: {
        type: 'string',
        title: 'Stack name',
        pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
      },
      compose: {
        type: 'string',
        title: 'Compose YAML',
        minLength: 1,
        maxLength: 200000,
      },
    },
  },
};

export const swarmRemove: Runbook = {
  ...swarmDeploy,
  name: 'swarm_remove',
  title: 'Remove a Swarm stack',
  description: 'Removes a stack and its services.',
  risk: 'high',
  environments: ['prod'],
  enabled: false,
};

let sequence = 0;

/** A job as `GET /v1/jobs` lists it. */
export function job(overrides: Partial<Job> = {}): Job {
  sequence += 1;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    runbookName: 'hello',
    runbookVersion: '1.0.0',
    status: 'SUCCESS',
    environment: 'stage',
    inputs: {},
    createdBy: 'user:default/ada',
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    startedAt: new Date(Date.now() - 59_000).toISOString(),
    finishedAt: new Date(Date.now() - 50_000).toISOString(),
    attempt: 1,
    connections: [],
    cancelRequested: false,
    ...overrides,
  };
}
