import { executeFieldErrors, formSchemaFor, uiSchemaFor } from './schemaForm';

describe('uiSchemaFor', () => {
  it('makes secrets password fields and long strings text areas, nested too', () => {
    expect(
      uiSchemaFor({
        type: 'object',
        properties: {
          token: { type: 'string', 'x-orch-secret': true },
          compose: { type: 'string', maxLength: 200000 },
          message: { type: 'string', maxLength: 1000 },
          servers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                password: { type: 'string', 'x-orch-secret': true },
              },
            },
          },
        },
      }),
    ).toEqual({
      token: { 'ui:widget': 'password', 'ui:autocomplete': 'new-password' },
      compose: { 'ui:widget': 'textarea', 'ui:options': { rows: 8 } },
      servers: {
        items: {
          password: {
            'ui:widget': 'password',
            'ui:autocomplete': 'new-password',
          },
        },
      },
    });
  });
});

describe('formSchemaFor', () => {
  it('drops $schema and the root title, keeps the rest', () => {
    expect(
      formSchemaFor({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        title: 'Hello',
        description: 'Say hello',
        properties: {},
      }),
    ).toEqual({ type: 'object', description: 'Say hello', properties: {} });
  });
});

describe('executeFieldErrors', () => {
  it('puts each server field where it belongs', () => {
    expect(
      executeFieldErrors([
        { field: 'count', message: 'must be <= 10' },
        { field: 'inputs.message', message: 'is required' },
        { field: 'servers.0.host', message: 'is required' },
        { field: 'count', message: 'must be odd' },
        { field: 'environment', message: 'must be one of prod, stage' },
        { field: 'connections', message: 'c1 belongs to prod, not stage' },
        { field: 'inputs', message: 'must be an object' },
        { field: '', message: 'too deep' },
      ]),
    ).toEqual({
      inputs: {
        count: { __errors: ['must be <= 10', 'must be odd'] },
        message: { __errors: ['is required'] },
        servers: { 0: { host: { __errors: ['is required'] } } },
      },
      environment: 'must be one of prod, stage',
      connections: 'c1 belongs to prod, not stage',
      general: ['inputs must be an object', 'too deep'],
    });
  });
});
