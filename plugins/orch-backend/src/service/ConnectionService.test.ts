import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  DatabaseConnectionStore,
  DatabaseJobStore,
  SecretBox,
} from '@internal/backstage-plugin-orch-node';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import { randomBytes } from 'crypto';
import type { Knex } from 'knex';
import { ConnectionService } from './ConnectionService';
import { InputValidationError } from './errors';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const CANARY = 'CANARY-s3cr3t-9f8e7d6c5b4a';
const ACTOR = 'user:default/alice';

const valid = {
  ssh: { host: 'h.example', user: 'deploy', private_key: CANARY },
  portainer: {
    url: 'https://portainer.example',
    api_key: CANARY,
    endpoint_id: 2,
  },
  cloudflare: { api_token: CANARY, account_id: 'acc' },
  github: { token: CANARY },
  docker: { host: 'tcp://d.example:2376', ca_cert: CANARY },
  generic: { values: { A: CANARY, B: 'short' } },
} as const;

async function fieldsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(InputValidationError);
  return (error as InputValidationError).fields.map(f => f.field).sort();
}

describe.each(databases.eachSupportedId())('ConnectionService (%s)', id => {
  let knex: Knex;
  let store: DatabaseConnectionStore;
  let keyA: Buffer;
  let service: ConnectionService;

  beforeAll(async () => {
    knex = await databases.init(id);
    await DatabaseJobStore.fromKnex(knex);
    store = await DatabaseConnectionStore.fromKnex(knex);
  });

  beforeEach(() => {
    keyA = randomBytes(32);
    service = new ConnectionService({
      store,
      secretBox: SecretBox.fromKeys([keyA]),
    });
  });

  afterEach(async () => {
    await knex('connections').del();
  });

  const create = (type: keyof typeof valid, extra: object = {}) =>
    service.create(
      {
        type,
        name: `c-${type}`,
        environment: 'prod',
        values: valid[type],
        ...extra,
      },
      ACTOR,
    );

  it('creates each type, masked, and never leaks a secret', async () => {
    const returned: unknown[] = [];
    for (const type of Object.keys(valid) as (keyof typeof valid)[]) {
      returned.push(await create(type));
    }
    const ssh = await service.get((returned[0] as { id: string }).id);
    expect(ssh).toMatchObject({
      type: 'ssh',
      name: 'c-ssh',
      environment: 'prod',
      config: { host: 'h.example', user: 'deploy', port: 22 },
      secrets: { private_key: { set: true, last4: CANARY.slice(-4) } },
      createdBy: ACTOR,
    });
    expect(ssh).not.toHaveProperty('encryptedPayload');
    const generic = returned[5] as { secrets: object; config: object };
    expect(generic.secrets).toEqual({
      A: { set: true, last4: CANARY.slice(-4) },
      B: { set: true },
    });
    expect(generic.config).toEqual({});
    expect((returned[3] as { config: object }).config).toEqual({
      api_url: 'https://api.github.com',
    });
    returned.push(await service.list(), await service.list({ type: 'ssh' }));
    returned.push(await service.update(ssh.id, { description: 'x' }, ACTOR));

    expect(JSON.stringify(returned)).not.toContain(CANARY);
    const rows = await knex('connections').select('*');
    expect(rows).toHaveLength(6);
    expect(JSON.stringify(rows)).not.toContain(CANARY);
    expect(rows.every(r => r.encrypted_payload.startsWith('v1.'))).toBe(true);
  });

  it('names every invalid field', async () => {
    expect(
      await fieldsOf(
        service.create(
          { type: 'nope', name: '-bad', environment: '', values: 3 },
          ACTOR,
        ),
      ),
    ).toEqual(['environment', 'name', 'type', 'values']);
    expect(
      await fieldsOf(
        service.create(
          {
            type: 'ssh',
            name: 'a',
            environment: 'prod',
            values: { host: 'h', port: 70000, extra: 1 },
          },
          ACTOR,
        ),
      ),
    ).toEqual([
      'values.extra',
      'values.port',
      'values.private_key',
      'values.user',
    ]);
    expect(
      await fieldsOf(
        service.create(
          {
            type: 'portainer',
            name: 'a',
            environment: 'prod',
            values: { url: 'not a uri', api_key: 'k' },
          },
          ACTOR,
        ),
      ),
    ).toEqual(['values.url']);
    expect(
      await fieldsOf(
        service.create(
          {
            type: 'generic',
            name: 'a',
            environment: 'prod',
            values: { values: { A: 1 } },
          },
          ACTOR,
        ),
      ),
    ).toEqual(['values.values.A']);
  });

  it('refuses a duplicate name in one environment', async () => {
    await create('ssh');
    await expect(create('github')).resolves.toBeDefined();
    await expect(
      service.create(
        {
          type: 'github',
          name: 'c-ssh',
          environment: 'prod',
          values: valid.github,
        },
        ACTOR,
      ),
    ).rejects.toThrow(ConflictError);
    await expect(
      create('ssh', { environment: 'stage' }),
    ).resolves.toBeDefined();
  });

  it('merges updates: absent secrets kept, null removes', async () => {
    const ssh = await create('ssh', {
      values: { ...valid.ssh, passphrase: 'pass-phrase-1234' },
    });
    const updated = await service.update(
      ssh.id,
      { values: { host: 'new.example' } },
      ACTOR,
    );
    expect(updated.config.host).toBe('new.example');
    expect(Object.keys(updated.secrets).sort()).toEqual([
      'passphrase',
      'private_key',
    ]);
    let [resolved] = await service.resolveForJob([ssh.id], ['ssh']);
    expect(resolved.secrets).toEqual({
      private_key: CANARY,
      passphrase: 'pass-phrase-1234',
    });
    expect(resolved.config).toEqual({
      host: 'new.example',
      port: 22,
      user: 'deploy',
    });

    const removed = await service.update(
      ssh.id,
      { values: { passphrase: null } },
      ACTOR,
    );
    expect(Object.keys(removed.secrets)).toEqual(['private_key']);
    [resolved] = await service.resolveForJob([ssh.id], ['ssh']);
    expect(resolved.secrets).toEqual({ private_key: CANARY });

    expect(
      await fieldsOf(
        service.update(ssh.id, { values: { private_key: null } }, ACTOR),
      ),
    ).toEqual(['values.private_key']);

    const generic = await create('generic');
    await service.update(
      generic.id,
      { values: { values: { B: null, C: 'c' } } },
      ACTOR,
    );
    [resolved] = await service.resolveForJob([generic.id], ['generic']);
    expect(resolved.secrets).toEqual({ A: CANARY, C: 'c' });

    await expect(service.update('nope', {}, ACTOR)).rejects.toThrow(
      NotFoundError,
    );
    await service.delete(generic.id);
    await expect(service.get(generic.id)).rejects.toThrow(NotFoundError);
    await expect(service.delete(generic.id)).rejects.toThrow(NotFoundError);
  });

  it('resolves only declared types for a job', async () => {
    const ssh = await create('ssh');
    const gh = await create('github');
    expect(
      await fieldsOf(service.resolveForJob([ssh.id, gh.id], ['ssh'])),
    ).toEqual(['connections']);
    await expect(service.resolveForJob(['nope'], ['ssh'])).rejects.toThrow(
      NotFoundError,
    );
    const resolved = await service.resolveForJob(
      [ssh.id, gh.id],
      ['ssh', 'github'],
    );
    expect(resolved.map(r => r.secrets)).toEqual([
      { private_key: CANARY },
      { token: CANARY },
    ]);
  });

  it('reads the credentials of the allowed types only', async () => {
    const portainer = await create('portainer');
    const gh = await create('github');
    expect(
      await service.readCredentials(portainer.id, ['portainer', 'docker']),
    ).toMatchObject({
      id: portainer.id,
      type: 'portainer',
      config: { url: 'https://portainer.example', endpoint_id: 2 },
      secrets: { api_key: CANARY },
    });
    await expect(
      service.readCredentials(gh.id, ['portainer', 'docker']),
    ).rejects.toThrow(NotAllowedError);
    await expect(
      service.readCredentials('nope', ['portainer']),
    ).rejects.toThrow(NotFoundError);
  });

  it('rotates keys and reports rows it cannot decrypt', async () => {
    const ssh = await create('ssh');
    const gh = await create('github');
    const keyB = randomBytes(32);
    const boxBA = SecretBox.fromKeys([keyB, keyA]);
    const boxB = SecretBox.fromKeys([keyB]);

    expect(await service.rotateKeys(boxBA)).toEqual({ rotated: 2 });
    for (const box of [boxBA, boxB]) {
      const after = new ConnectionService({ store, secretBox: box });
      const resolved = await after.resolveForJob(
        [ssh.id, gh.id],
        ['ssh', 'github'],
      );
      expect(resolved.map(r => r.secrets)).toEqual([
        { private_key: CANARY },
        { token: CANARY },
      ]);
      expect((await after.get(ssh.id)).keyId).toBe(boxB.keyId);
    }

    // Tamper with one row; the other still rotates, then the error names it.
    const row = await knex('connections').where('id', gh.id).first();
    const parts = row.encrypted_payload.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    await knex('connections')
      .where('id', gh.id)
      .update({ encrypted_payload: parts.join('.') });
    const keyC = randomBytes(32);
    const boxC = SecretBox.fromKeys([keyC]);
    const current = new ConnectionService({ store, secretBox: boxBA });
    await expect(current.rotateKeys(boxC)).rejects.toThrow(
      new RegExp(`${gh.id}.*cannot be decrypted`),
    );
    const withC = new ConnectionService({ store, secretBox: boxC });
    expect((await withC.resolveForJob([ssh.id], ['ssh']))[0].secrets).toEqual({
      private_key: CANARY,
    });
    expect((await store.get(gh.id))!.keyId).toBe(boxB.keyId);
  });
});
