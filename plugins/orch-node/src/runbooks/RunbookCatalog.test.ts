import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { RunbookCatalog, secretFields } from './RunbookCatalog';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** A valid descriptor as YAML, with fields overridden or added. */
function descriptor(fields: Record<string, unknown>): string {
  const base: Record<string, unknown> = {
    name: 'good',
    version: '1.0.0',
    title: 'Good',
    description: 'A good runbook.',
    category: 'demo',
    risk: 'low',
    playbook: 'playbooks/good.yml',
    environments: ['prod'],
    timeoutSeconds: 60,
    inputs: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['message'],
      properties: {
        message: { type: 'string', minLength: 1 },
        count: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        tags: { type: 'array', items: { type: 'string' } },
        target: {
          type: 'object',
          properties: { host: { type: 'string' }, port: { type: 'integer' } },
        },
      },
    },
  };
  // JSON is valid YAML.
  return JSON.stringify({ ...base, ...fields }, null, 2);
}

describe('RunbookCatalog', () => {
  let root: string;
  let outside: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-catalog-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-outside-'));
    const playbooks = path.join(root, 'playbooks');
    await fs.mkdir(playbooks);
    const write = (name: string, text: string) =>
      fs.writeFile(path.join(playbooks, name), text);
    await write('good.yml', '- hosts: local\n  tasks: []\n');
    await write('secret.yml', '- hosts: local\n  tasks: []\n');
    await fs.writeFile(
      path.join(outside, 'evil.yml'),
      '- hosts: all\n  tasks: []\n',
    );
    await fs.symlink(
      path.join(outside, 'evil.yml'),
      path.join(playbooks, 'linked.yml'),
    );

    await write('good.runbook.yaml', descriptor({}));
    await write(
      'secret.runbook.yaml',
      descriptor({
        name: 'secret',
        playbook: 'playbooks/secret.yml',
        connections: ['ssh', 'github'],
        retryOnWorkerLost: true,
        inputs: {
          type: 'object',
          required: ['token'],
          properties: {
            user: { type: 'string' },
            token: { type: 'string', 'x-orch-secret': true },
          },
        },
      }),
    );
    await write(
      'bad_field.runbook.yaml',
      descriptor({ name: 'bad_field', risk: 'extreme' }),
    );
    await write(
      'escape.runbook.yaml',
      descriptor({
        name: 'escape',
        playbook: 'playbooks/../../etc/passwd.yml',
      }),
    );
    await write(
      'invalid_yaml.runbook.yaml',
      'name: invalid_yaml\ninputs: {type: object\n  risk: [low\n',
    );
    await write(
      'linked.runbook.yaml',
      descriptor({ name: 'linked', playbook: 'playbooks/linked.yml' }),
    );
    await write(
      'missing_playbook.runbook.yaml',
      descriptor({ name: 'missing_playbook', playbook: 'playbooks/nope.yml' }),
    );
    await write(
      'bad_inputs.runbook.yaml',
      descriptor({
        name: 'bad_inputs',
        inputs: {
          type: 'object',
          properties: { a: { type: 'string', colour: 'red' } },
        },
      }),
    );
    await write(
      'bad_input_names.runbook.yaml',
      descriptor({
        name: 'bad_input_names',
        inputs: {
          type: 'object',
          properties: {
            'my-field': { type: 'string' },
            ansible_connection: { type: 'string' },
            nested: {
              type: 'object',
              properties: { key: { type: 'string', 'x-orch-secret': true } },
            },
          },
        },
      }),
    );
    // Sorted after good.runbook.yaml: the first one wins.
    await write(
      'zz_duplicate.runbook.yaml',
      descriptor({ title: 'Second good' }),
    );
    await write(
      'many_errors.runbook.yaml',
      descriptor({
        name: 'Many Errors',
        extra: 1,
        version: 2,
        environments: [],
      }),
    );
    await write('notes.txt', 'not a descriptor');
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  async function load() {
    const logger = mockServices.logger.mock();
    const catalog = await RunbookCatalog.load({ rootDir: root, logger });
    return { catalog, logger };
  }

  function problem(catalog: RunbookCatalog, file: string) {
    const found = catalog.problems.find(p => p.file === `playbooks/${file}`);
    expect(found).toBeDefined();
    return found!.errors.join('\n');
  }

  it('loads the good descriptors, sorted, with defaults filled', async () => {
    const { catalog } = await load();
    expect(catalog.list().map(r => r.name)).toEqual(['good', 'secret']);
    const good = catalog.get('good')!;
    expect(good).toMatchObject({
      name: 'good',
      risk: 'low',
      connections: [],
      timeoutSeconds: 60,
    });
    expect(good.title).toBe('Good');
    expect(catalog.get('secret')).toMatchObject({
      connections: ['ssh', 'github'],
      retryOnWorkerLost: true,
    });
    expect(catalog.get('nope')).toBeUndefined();
    expect(catalog.rootDir).toBe(path.resolve(root));
  });

  it('reports each broken descriptor by file and field, without throwing', async () => {
    const { catalog, logger } = await load();
    expect(catalog.problems.map(p => p.file).sort()).toEqual(
      [
        'bad_field',
        'bad_input_names',
        'bad_inputs',
        'escape',
        'invalid_yaml',
        'linked',
        'many_errors',
        'missing_playbook',
        'zz_duplicate',
      ].map(n => `playbooks/${n}.runbook.yaml`),
    );

    expect(problem(catalog, 'bad_field.runbook.yaml')).toMatch(
      /^\/risk: must be equal to one of the allowed values: low, medium, high$/,
    );
    const escape = problem(catalog, 'escape.runbook.yaml');
    expect(escape).toContain('/playbook: must not contain ".."');
    expect(escape).toContain(
      '/playbook: playbooks/../../etc/passwd.yml resolves outside the runbooks root',
    );
    expect(problem(catalog, 'invalid_yaml.runbook.yaml')).toMatch(
      /^\/: invalid YAML/,
    );
    expect(problem(catalog, 'linked.runbook.yaml')).toBe(
      '/playbook: playbooks/linked.yml links outside the runbooks root',
    );
    expect(problem(catalog, 'missing_playbook.runbook.yaml')).toBe(
      '/playbook: playbooks/nope.yml does not exist',
    );
    expect(problem(catalog, 'bad_inputs.runbook.yaml')).toMatch(
      /^\/inputs: not a valid JSON Schema: strict mode: unknown keyword: "colour"$/,
    );
    const names = problem(catalog, 'bad_input_names.runbook.yaml');
    expect(names).toContain(
      '/inputs/properties/my-field: must be a valid Ansible variable name',
    );
    expect(names).toContain(
      '/inputs/properties/ansible_connection: names starting with ansible_ or orch_ are reserved',
    );
    expect(names).toContain(
      '/inputs/properties/nested/properties/key: x-orch-secret is only supported on top-level properties',
    );
    expect(problem(catalog, 'zz_duplicate.runbook.yaml')).toBe(
      '/name: "good" is already defined by playbooks/good.runbook.yaml',
    );
    const many = problem(catalog, 'many_errors.runbook.yaml').split('\n');
    expect(many).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/name: must match pattern/),
        expect.stringMatching(/^\/version: must be string$/),
        expect.stringMatching(
          /^\/environments: must NOT have fewer than 1 items$/,
        ),
        '/: must NOT have additional properties: extra',
      ]),
    );

    // One warning per skipped file, naming the file, the runbook and the fields.
    expect(logger.warn).toHaveBeenCalledTimes(catalog.problems.length);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Skipped runbook descriptor playbooks\/bad_field\.runbook\.yaml \(runbook "bad_field"\): \/risk: /,
      ),
      expect.objectContaining({
        file: 'playbooks/bad_field.runbook.yaml',
        runbook: 'bad_field',
      }),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Skipped runbook descriptor playbooks\/invalid_yaml\.runbook\.yaml: /,
      ),
      expect.objectContaining({ runbook: null }),
    );
  });

  it('reports a missing playbooks folder without throwing', async () => {
    const logger = mockServices.logger.mock();
    const catalog = await RunbookCatalog.load({
      rootDir: path.join(root, 'nowhere'),
      logger,
    });
    expect(catalog.list()).toEqual([]);
    expect(catalog.problems).toEqual([
      {
        file: 'playbooks',
        errors: [expect.stringContaining('cannot read the runbooks folder')],
      },
    ]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  describe('validateInputs', () => {
    let catalog: RunbookCatalog;
    beforeAll(async () => {
      catalog = (await load()).catalog;
    });

    it('fills defaults into a copy', () => {
      const inputs = { message: 'hi' };
      expect(catalog.validateInputs('good', inputs)).toEqual({
        valid: true,
        value: { message: 'hi', count: 1 },
      });
      expect(inputs).toEqual({ message: 'hi' });
    });

    it('never coerces types and names the failing fields', () => {
      const result = catalog.validateInputs('good', {
        count: '3',
        tags: ['a', 2],
        target: { port: 'x' },
        extra: true,
      });
      expect(result.valid).toBe(false);
      expect(!result.valid && result.errors).toEqual(
        expect.arrayContaining([
          { field: 'message', message: 'is required' },
          { field: 'count', message: 'must be integer' },
          { field: 'tags.1', message: 'must be string' },
          { field: 'target.port', message: 'must be integer' },
          { field: 'extra', message: 'is not an allowed property' },
        ]),
      );
      expect(!result.valid && result.errors).toHaveLength(5);
    });

    it('checks ranges and lengths', () => {
      expect(
        catalog.validateInputs('good', { message: '', count: 11 }),
      ).toEqual({
        valid: false,
        errors: [
          {
            field: 'message',
            message: 'must NOT have fewer than 1 characters',
          },
          { field: 'count', message: 'must be <= 10' },
        ],
      });
    });

    it('accepts unknown properties unless the schema forbids them', () => {
      expect(
        catalog.validateInputs('secret', { token: 't', other: 1 }),
      ).toEqual({
        valid: true,
        value: { token: 't', other: 1 },
      });
    });

    it('refuses inputs that are not an object', () => {
      expect(catalog.validateInputs('good', ['x'])).toEqual({
        valid: false,
        errors: [{ field: '', message: 'must be object' }],
      });
    });

    it('throws NotFoundError for an unknown runbook', () => {
      expect(() => catalog.validateInputs('nope', {})).toThrow(NotFoundError);
    });
  });

  it('lists the top-level secret fields of a schema', async () => {
    const { catalog } = await load();
    expect(secretFields(catalog.get('secret')!.inputs)).toEqual(['token']);
    expect(secretFields(catalog.get('good')!.inputs)).toEqual([]);
    expect(secretFields({ type: 'object' })).toEqual([]);
    expect(
      secretFields({
        properties: {
          a: { 'x-orch-secret': false },
          b: { 'x-orch-secret': true },
          c: null,
        },
      }),
    ).toEqual(['b']);
  });

  describe('the runbooks of this repository', () => {
    it('all load, with no problems', async () => {
      const rootDir = path.join(REPO_ROOT, 'runbooks');
      const logger = mockServices.logger.mock();
      const catalog = await RunbookCatalog.load({ rootDir, logger });
      expect(catalog.problems).toEqual([]);
      expect(logger.warn).not.toHaveBeenCalled();

      // Every descriptor file is a runbook of the same name...
      const files = (await fs.readdir(path.join(rootDir, 'playbooks')))
        .filter(f => f.endsWith('.runbook.yaml'))
        .map(f => f.slice(0, -'.runbook.yaml'.length))
        .sort();
      expect(catalog.list().map(r => r.name)).toEqual(files);
      // ...and these are among them.
      expect(files).toEqual(
        expect.arrayContaining([
          'fail_on_purpose',
          'hello',
          'secret_echo',
          'swarm_deploy',
          'swarm_remove',
          'system_facts',
        ]),
      );

      for (const runbook of catalog.list()) {
        expect(runbook.inputs).toMatchObject({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          additionalProperties: false,
        });
      }
      expect(secretFields(catalog.get('secret_echo')!.inputs)).toEqual([
        'api_token',
      ]);
      expect(catalog.get('swarm_deploy')).toMatchObject({
        category: 'swarm',
        risk: 'medium',
        timeoutSeconds: 600,
      });
      expect(catalog.get('swarm_remove')).toMatchObject({
        category: 'swarm',
        risk: 'high',
      });

      expect(catalog.validateInputs('hello', { message: 'hi' })).toEqual({
        valid: true,
        value: { message: 'hi', count: 1 },
      });
      const deploy = (inputs: Record<string, unknown>) =>
        catalog.validateInputs('swarm_deploy', {
          stack_name: 'demo',
          ...inputs,
        }).valid;
      expect(deploy({ compose: 'services: {}' })).toBe(true);
      expect(deploy({ stack_file: 'demo-sleeper.yml' })).toBe(true);
      expect(deploy({})).toBe(false);
      expect(
        deploy({ compose: 'services: {}', stack_file: 'demo-sleeper.yml' }),
      ).toBe(false);
      expect(deploy({ stack_file: '../etc/passwd.yml' })).toBe(false);
      expect(
        catalog.validateInputs('swarm_remove', { stack_name: 'Bad Name' }),
      ).toEqual({
        valid: false,
        errors: [
          {
            field: 'stack_name',
            message: 'must match pattern "^[a-z0-9][a-z0-9_-]{0,62}$"',
          },
        ],
      });
    });
  });
});
