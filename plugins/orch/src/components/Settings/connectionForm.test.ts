import type { Connection } from '@internal/backstage-plugin-orch-common';
import {
  connectionFormSchema,
  initialValues,
  parseKeyValues,
  secretFields,
  valuesToSend,
} from './connectionForm';

const stored: Connection = {
  id: 'c-1',
  type: 'ssh',
  name: 'bastion',
  environment: 'prod',
  config: { host: 'bastion.example', port: 2222, user: 'deploy' },
  secrets: { private_key: { set: true, last4: 'KEY-' } },
  keyId: 'k1',
  createdBy: 'user:default/ada',
  createdAt: '2026-11-26T00:00:00Z',
  updatedAt: '2026-11-26T00:00:00Z',
};

describe('connectionFormSchema', () => {
  it('renders the secrets of the type as password or multi-line inputs', () => {
    const { schema, uiSchema } = connectionFormSchema('portainer');
    expect(secretFields('portainer')).toEqual(['api_key']);
    expect(uiSchema.api_key['ui:widget']).toBe('password');
    expect(schema.required).toEqual(['url', 'api_key']);
    expect(schema.$schema).toBeUndefined();
    expect(JSON.stringify(schema)).not.toContain('x-orch-secret');
    expect(connectionFormSchema('ssh').uiSchema.private_key['ui:widget']).toBe(
      'textarea',
    );
  });

  it('no longer requires a stored secret when editing, and says it is set', () => {
    const { schema, uiSchema } = connectionFormSchema('ssh', stored);
    expect(schema.required).toEqual(['host', 'user']);
    expect(uiSchema.private_key['ui:help']).toBe(
      'Set, ends in KEY-. Leave empty to keep the stored value.',
    );
  });

  it('fills defaults for new connections only', () => {
    const fresh = connectionFormSchema('ssh').schema.properties as any;
    expect(fresh.port.default).toBe(22);
    const editing = connectionFormSchema('ssh', stored).schema
      .properties as any;
    expect(editing.port.default).toBeUndefined();
  });
});

describe('initialValues', () => {
  it('starts from the stored config and never from a secret', () => {
    expect(initialValues(stored)).toEqual({
      host: 'bastion.example',
      port: 2222,
      user: 'deploy',
    });
    expect(initialValues()).toEqual({});
  });
});

describe('valuesToSend', () => {
  it('leaves an empty secret out so that the stored one is kept', () => {
    expect(
      valuesToSend(
        'ssh',
        {
          host: 'bastion.example',
          port: 2222,
          user: 'deploy',
          private_key: '',
        },
        stored,
      ),
    ).toEqual({ host: 'bastion.example', port: 2222, user: 'deploy' });
  });

  it('sends a new secret, and null for a cleared optional field', () => {
    expect(
      valuesToSend(
        'ssh',
        { host: 'h', user: 'deploy', passphrase: 'new one' },
        stored,
      ),
    ).toEqual({ host: 'h', user: 'deploy', passphrase: 'new one', port: null });
  });
});

describe('parseKeyValues', () => {
  it('reads KEY=value lines and reports the others', () => {
    expect(parseKeyValues('A=1\n\nB = two=2\nnope\n')).toEqual({
      values: { A: '1', B: ' two=2' },
      invalid: ['nope'],
    });
  });
});
