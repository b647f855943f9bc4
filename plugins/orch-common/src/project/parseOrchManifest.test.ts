import {
  MAX_MANIFEST_BYTES,
  formatManifestPath,
  parseOrchManifest,
} from './parseOrchManifest';

const VALID = `apiVersion: orch/v1
kind: Project
metadata:
  name: whoami-demo
  title: Whoami demo
  owner: group:platform-team
  tags: [demo, http]
  links:
    - url: https://example.com
      title: Home
spec:
  inputs:
    type: object
    required: [domain]
    properties:
      domain:
        type: string
        default: whoami.localhost
      replicas:
        type: integer
        default: 1
      api_token:
        type: string
        x-orch-secret: true
  dependencies:
    - runbook: swarm_deploy
      version: ^1.0.0
  steps:
    - id: deploy
      runbook: swarm_deploy
      inputs:
        stack: whoami
        replicas: \${{ inputs.replicas }}
        host: "whoami.\${{ inputs.domain }}"
        token: \${{ inputs.api_token }}
    - id: check
      name: Health check
      runbook: hello
      when: steps.deploy.status == 'SUCCESS'
      onFailure: rollback
      inputs:
        message: \${{ steps.deploy.outputs.url }}
  outputs:
    url: \${{ steps.deploy.outputs.url }}
  rollback:
    - id: remove
      runbook: swarm_remove
      inputs:
        stack: whoami
`;

const ROLLBACK_STACK =
  '      runbook: swarm_remove\n      inputs:\n        stack: whoami\n';

function replace(from: string, to: string): string {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
}

describe('parseOrchManifest', () => {
  it('accepts a valid manifest and fills the defaults', () => {
    const { manifest, errors } = parseOrchManifest(VALID);
    expect(errors).toEqual([]);
    expect(manifest?.metadata).toEqual({
      name: 'whoami-demo',
      title: 'Whoami demo',
      owner: 'group:platform-team',
      tags: ['demo', 'http'],
      links: [{ url: 'https://example.com', title: 'Home' }],
    });
    expect(manifest?.spec.steps[0].onFailure).toBe('stop');
    expect(manifest?.spec.steps[1]).toMatchObject({
      onFailure: 'rollback',
      name: 'Health check',
    });
    expect(manifest?.spec.rollback[0]).toMatchObject({
      id: 'remove',
      onFailure: 'stop',
    });
    expect(manifest?.spec.outputs).toEqual({
      url: '${{ steps.deploy.outputs.url }}',
    });
  });

  it('fills defaults of a minimal manifest', () => {
    const { manifest, errors } = parseOrchManifest(
      'apiVersion: orch/v1\nkind: Project\nmetadata: {name: a, owner: me}\nspec:\n  steps: [{id: s, runbook: hello}]\n',
    );
    expect(errors).toEqual([]);
    expect(manifest).toEqual({
      apiVersion: 'orch/v1',
      kind: 'Project',
      metadata: { name: 'a', owner: 'me', tags: [], links: [] },
      spec: {
        inputs: { type: 'object', properties: {} },
        dependencies: [],
        steps: [{ id: 's', runbook: 'hello', inputs: {}, onFailure: 'stop' }],
        outputs: {},
        rollback: [],
      },
    });
  });

  it('names the path, line and rule of a schema error', () => {
    const { manifest, errors } = parseOrchManifest(
      replace('      runbook: hello\n', '      runbook: Hello!\n'),
    );
    expect(manifest).toBeUndefined();
    expect(errors).toEqual([
      {
        path: 'spec.steps[1].runbook',
        line: 38,
        column: 7,
        rule: 'pattern',
        message: 'must match pattern "^[a-z][a-z0-9_]{1,62}$"',
      },
    ]);
  });

  it('reports missing and unknown properties and enums at their place', () => {
    const { errors } = parseOrchManifest(
      replace('  owner: group:platform-team\n', '  colour: blue\n').replace(
        'onFailure: rollback',
        'onFailure: retry',
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'metadata.owner',
          line: 3,
          rule: 'required',
          message: 'is required',
        }),
        expect.objectContaining({
          path: 'metadata.colour',
          line: 6,
          rule: 'additionalProperties',
        }),
        expect.objectContaining({
          path: 'spec.steps[1].onFailure',
          line: 40,
          rule: 'enum',
          message:
            'must be equal to one of the allowed values: stop, continue, rollback',
        }),
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it.each([
    [
      'apiVersion: orch/v1',
      'apiVersion: orch/v2',
      'apiVersion',
      'const',
      'must be "orch/v1"',
    ],
    [
      'name: whoami-demo',
      'name: Whoami_Demo',
      'metadata.name',
      'pattern',
      /must match/,
    ],
    [
      'name: whoami-demo',
      `name: ${'a'.repeat(56)}`,
      'metadata.name',
      'maxLength',
      /55/,
    ],
    [
      '    - runbook: swarm_deploy\n',
      '    - project: x\n      runbook: swarm_deploy\n',
      'spec.dependencies[0]',
      'oneOf',
      'must name exactly one of project or runbook',
    ],
    [
      '  steps:\n',
      '  steps: []\n  old_steps:\n',
      'spec.old_steps',
      'additionalProperties',
      /not an allowed/,
    ],
    [
      '      domain:\n',
      '      my-domain:\n',
      'spec.inputs.properties',
      'propertyNames',
      /invalid property name "my-domain"/,
    ],
  ])('refuses %s → %s', (from, to, path, rule, message) => {
    const { errors } = parseOrchManifest(replace(from, to));
    expect(errors).toContainEqual(
      expect.objectContaining({
        path,
        rule,
        message: expect.stringMatching(message),
      }),
    );
  });

  it('refuses invalid YAML with its line', () => {
    const { errors } = parseOrchManifest(
      'apiVersion: orch/v1\nkind: [Project\n',
    );
    expect(errors[0]).toMatchObject({
      path: '',
      rule: 'yaml',
      line: expect.any(Number),
    });
    expect(errors[0].message).toMatch(/^invalid YAML/);
  });

  it('refuses a document that is not an object', () => {
    expect(parseOrchManifest('- a\n').errors).toEqual([
      expect.objectContaining({
        path: '',
        rule: 'type',
        message: 'must be object',
        line: 1,
      }),
    ]);
  });

  it('refuses a manifest over the size limit', () => {
    const { errors } = parseOrchManifest(
      `${VALID}#${'x'.repeat(MAX_MANIFEST_BYTES)}\n`,
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: '',
        rule: 'size',
        message: expect.stringMatching(/more than the limit of 262144/),
      }),
    ]);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(
          97 + i,
        )} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    }
    const { errors } = parseOrchManifest(bomb.join('\n'));
    expect(errors[0]).toMatchObject({ rule: 'yaml' });
  });

  it('refuses duplicate step ids across steps and rollback', () => {
    const { errors } = parseOrchManifest(
      replace('    - id: remove', '    - id: deploy'),
    );
    expect(errors).toEqual([
      {
        path: 'spec.rollback[0].id',
        line: 46,
        column: 7,
        rule: 'duplicate-id',
        message: 'step id "deploy" is already used by spec.steps[0]',
      },
    ]);
  });

  it('refuses a template that does not parse', () => {
    const { errors } = parseOrchManifest(
      replace(
        'stack: whoami\n        replicas',
        'stack: ${{ inputs.domain + 1 }}\n        replicas',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.steps[0].inputs.stack',
        line: 32,
        column: 9,
        rule: 'template',
        message: expect.stringMatching(/unexpected character "\+"/),
      }),
    ]);
  });

  it('refuses a when that does not parse', () => {
    const { errors } = parseOrchManifest(
      replace(
        "when: steps.deploy.status == 'SUCCESS'",
        'when: steps.deploy.status =',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({ path: 'spec.steps[1].when', rule: 'template' }),
    ]);
  });

  it('refuses a step reading a later or unknown step', () => {
    const later = parseOrchManifest(
      replace(
        'replicas: ${{ inputs.replicas }}',
        'replicas: ${{ steps.check.outputs.n }}',
      ),
    );
    expect(later.errors).toEqual([
      expect.objectContaining({
        path: 'spec.steps[0].inputs.replicas',
        rule: 'later-step',
        message:
          '"steps.check.outputs.n" reads step "check", which has not run yet at this point',
      }),
    ]);
    const self = parseOrchManifest(
      replace(
        "when: steps.deploy.status == 'SUCCESS'",
        "when: steps.check.status == 'SUCCESS'",
      ),
    );
    expect(self.errors).toEqual([
      expect.objectContaining({
        path: 'spec.steps[1].when',
        rule: 'later-step',
      }),
    ]);
    const unknown = parseOrchManifest(
      replace(
        'url: ${{ steps.deploy.outputs.url }}',
        'url: ${{ steps.nope.outputs.url }}',
      ),
    );
    expect(unknown.errors).toEqual([
      expect.objectContaining({
        path: 'spec.outputs.url',
        rule: 'unknown-step',
        message: expect.stringMatching(/does not exist/),
      }),
    ]);
  });

  it('lets outputs and rollback steps read any step', () => {
    const { errors } = parseOrchManifest(
      replace(
        ROLLBACK_STACK,
        ROLLBACK_STACK.replace('whoami', '${{ steps.check.outputs.stack }}'),
      ).replace(
        'url: ${{ steps.deploy.outputs.url }}',
        'url: ${{ steps.check.status }}',
      ),
    );
    expect(errors).toEqual([]);
  });

  it('refuses a rollback step reading a later rollback step', () => {
    const { errors } = parseOrchManifest(
      `${VALID}    - id: after\n      runbook: hello\n`.replace(
        ROLLBACK_STACK,
        ROLLBACK_STACK.replace('whoami', '${{ steps.after.status }}'),
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.rollback[0].inputs.stack',
        rule: 'later-step',
      }),
    ]);
  });

  it('refuses undeclared inputs', () => {
    const { errors } = parseOrchManifest(
      replace(
        'replicas: ${{ inputs.replicas }}',
        'replicas: ${{ inputs.replica }}',
      ),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.steps[0].inputs.replicas',
        line: 33,
        rule: 'unknown-input',
        message:
          '"inputs.replica" reads an input that spec.inputs does not declare',
      }),
    ]);
  });

  it.each([
    [
      '  outputs:\n    url: ${{ steps.deploy.outputs.url }}',
      '  outputs:\n    url: "t=${{ inputs.api_token }}"',
      'spec.outputs.url',
    ],
    [
      "when: steps.deploy.status == 'SUCCESS'",
      "when: inputs.api_token == 'x'",
      'spec.steps[1].when',
    ],
    [
      '      runbook: hello\n',
      '      runbook: hello\n      environment: ${{ inputs.api_token }}\n',
      'spec.steps[1].environment',
    ],
    [
      '      runbook: hello\n',
      '      runbook: hello\n      connections: ["${{ inputs.api_token }}"]\n',
      'spec.steps[1].connections[0]',
    ],
  ])('keeps secrets out of %s', (from, to, path) => {
    const { errors } = parseOrchManifest(replace(from, to));
    expect(errors).toEqual([
      expect.objectContaining({
        path,
        rule: 'secret-output',
        message:
          '"inputs.api_token" is a secret input; secrets may only be passed into step inputs',
      }),
    ]);
  });

  it('refuses dependency versions that are not semver ranges', () => {
    const { errors } = parseOrchManifest(
      replace('version: ^1.0.0', 'version: latest'),
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.dependencies[0].version',
        rule: 'semver-range',
        message: '"latest" is not a semver range',
      }),
    ]);
  });

  it('parses the same manifest again (compiled input schemas are not kept)', () => {
    const text = replace(
      '    type: object\n    required: [domain]',
      '    $id: https://example.com/inputs\n    type: object\n    required: [domain]',
    );
    expect(parseOrchManifest(text).errors).toEqual([]);
    expect(parseOrchManifest(text).errors).toEqual([]);
  });

  it('refuses inputs that are not a valid JSON Schema', () => {
    const { errors } = parseOrchManifest(
      replace('        type: integer\n', '        type: integr\n'),
    );
    expect(errors).toEqual([
      expect.objectContaining({ path: 'spec.inputs', rule: 'input-schema' }),
    ]);
  });

  describe('with the runbooks at hand', () => {
    const runbooks = {
      swarm_deploy: {
        inputs: {
          type: 'object',
          properties: {
            token: { type: 'string', 'x-orch-secret': true },
            host: { type: 'string' },
          },
        },
      },
      swarm_remove: { inputs: { type: 'object' } },
      hello: { inputs: { type: 'object' } },
    };

    it('accepts a secret passed whole into a secret runbook input', () => {
      expect(parseOrchManifest(VALID, { runbooks }).errors).toEqual([]);
    });

    it('refuses an unknown runbook', () => {
      const { errors } = parseOrchManifest(VALID, {
        runbooks: { ...runbooks, hello: undefined as never },
      });
      expect(errors).toEqual([
        expect.objectContaining({
          path: 'spec.steps[1].runbook',
          rule: 'unknown-runbook',
          message: 'no runbook named "hello"',
        }),
      ]);
    });

    it.each([
      [
        'token: ${{ inputs.api_token }}',
        'host: ${{ inputs.api_token }}',
        'spec.steps[0].inputs.host',
      ],
      [
        'token: ${{ inputs.api_token }}',
        'token: "Bearer ${{ inputs.api_token }}"',
        'spec.steps[0].inputs.token',
      ],
    ])('refuses %s → %s', (from, to, path) => {
      const { errors } = parseOrchManifest(
        replace(from, to).replace(
          'host: "whoami.${{ inputs.domain }}"',
          'other: x',
        ),
        { runbooks },
      );
      expect(errors).toEqual([
        expect.objectContaining({ path, rule: 'secret-flow' }),
      ]);
    });
  });
});

describe('formatManifestPath', () => {
  it('writes dotted paths with indexes and quotes odd keys', () => {
    expect(formatManifestPath(['spec', 'steps', 1, 'runbook'])).toBe(
      'spec.steps[1].runbook',
    );
    expect(formatManifestPath(['spec', 'outputs', 'a b'])).toBe(
      'spec.outputs["a b"]',
    );
    expect(formatManifestPath([])).toBe('');
  });
});
