import { mockServices } from '@backstage/backend-test-utils';
import {
  DatabaseAuditLog,
  DatabaseJobStore,
  Redactor,
} from '@internal/backstage-plugin-orch-node';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import type { Request } from 'express';
import {
  AUDIT_MASK,
  AUDIT_METADATA_MAX_BYTES,
  AuditService,
  clientOf,
} from './AuditService';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const CANARY = 'canary-7f3a9c1e';

describe.each(databases.eachSupportedId())('AuditService on %p', databaseId => {
  let knex: Awaited<ReturnType<typeof databases.init>>;
  let store: DatabaseAuditLog;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await DatabaseJobStore.fromKnex(knex);
    store = await DatabaseAuditLog.fromKnex(knex);
  });

  afterEach(async () => {
    await knex('audit_log').del();
  });

  const rawRows = () => knex('audit_log').select('*');

  it('never stores a secret, by key name or by known value', async () => {
    const service = new AuditService({
      store,
      logger: mockServices.logger.mock(),
    });
    const entry = await service.record(
      {
        actor: 'user:default/alice',
        action: 'connection.update',
        target: { type: 'connection', id: 'db' },
        outcome: 'success',
        client: `10.0.0.1 agent ${CANARY}`,
        metadata: {
          password: CANARY,
          api_token: { value: CANARY },
          request: { headers: { Authorization: `Bearer ${CANARY}` } },
          list: [`prefix ${CANARY} suffix`, { note: CANARY }],
          [`key-${CANARY}`]: 1,
          host: 'db.internal',
          port: 5432,
        },
      },
      new Redactor([CANARY]),
    );
    const rows = await rawRows();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(CANARY);
    expect(JSON.stringify(entry)).not.toContain(CANARY);
    expect(JSON.parse(rows[0].metadata_json)).toEqual({
      password: AUDIT_MASK,
      api_token: AUDIT_MASK,
      request: { headers: { Authorization: AUDIT_MASK } },
      list: [`prefix ${AUDIT_MASK} suffix`, { note: AUDIT_MASK }],
      [`key-${AUDIT_MASK}`]: 1,
      host: 'db.internal',
      port: 5432,
    });
    expect(rows[0].client).toBe(`10.0.0.1 agent ${AUDIT_MASK}`);
  });

  it('masks secret-named keys even without a redactor', async () => {
    const service = new AuditService({
      store,
      logger: mockServices.logger.mock(),
    });
    await service.record({
      actor: 'user:default/alice',
      action: 'user.reset-password',
      outcome: 'success',
      metadata: {
        newPassword: CANARY,
        PRIVATE_KEY: CANARY,
        cookie: CANARY,
        nested: [{ clientSecret: CANARY, passphrase: CANARY }],
      },
    });
    const [row] = await rawRows();
    expect(row.metadata_json).not.toContain(CANARY);
  });

  it('caps metadata at 8 KB with a marker', async () => {
    const service = new AuditService({
      store,
      logger: mockServices.logger.mock(),
    });
    const entry = await service.record({
      actor: 'user:default/alice',
      action: 'runbook.execute',
      outcome: 'success',
      metadata: { blob: '"é'.repeat(10_000), password: CANARY },
    });
    const [row] = await rawRows();
    expect(Buffer.byteLength(row.metadata_json)).toBeLessThanOrEqual(
      AUDIT_METADATA_MAX_BYTES,
    );
    expect(row.metadata_json).not.toContain(CANARY);
    expect(entry.metadata).toMatchObject({
      truncated: true,
      originalBytes: expect.any(Number),
      preview: expect.stringMatching(/^\{"blob":/),
    });
    const small = await service.record({
      actor: 'user:default/alice',
      action: 'runbook.execute',
      outcome: 'success',
      metadata: { jobId: 'j1' },
    });
    expect(small.metadata).toEqual({ jobId: 'j1' });
  });

  it('fails the action when the audit row cannot be written', async () => {
    const logger = mockServices.logger.mock();
    const broken = {
      append: jest.fn().mockRejectedValue(new Error('db down')),
    } as unknown as DatabaseAuditLog;
    const service = new AuditService({ store: broken, logger });
    await expect(
      service.record({
        actor: 'user:default/alice',
        action: 'job.cancel',
        outcome: 'success',
      }),
    ).rejects.toThrow('db down');
    expect(logger.error).toHaveBeenCalled();
  });

  it('forwards entries to the Backstage auditor', async () => {
    const success = jest.fn();
    const fail = jest.fn();
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn().mockResolvedValue({ success, fail }),
    });
    const service = new AuditService({
      store,
      logger: mockServices.logger.mock(),
      auditor,
    });
    await service.record(
      {
        actor: 'user:default/alice',
        action: 'job.cancel',
        target: { type: 'job', id: 'j1' },
        outcome: 'success',
        metadata: { token: CANARY },
      },
      new Redactor([CANARY]),
    );
    await service.record({
      actor: 'user:default/bob',
      action: 'job.cancel',
      outcome: 'denied',
    });
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'job.cancel',
        severityLevel: 'medium',
        meta: expect.objectContaining({ actor: 'user:default/alice' }),
      }),
    );
    expect(JSON.stringify(auditor.createEvent.mock.calls)).not.toContain(
      CANARY,
    );
    expect(success).toHaveBeenCalledTimes(1);
    expect(fail).toHaveBeenCalledWith({ error: expect.any(Error) });
  });

  it('lists through the store, and the store has no update or delete', async () => {
    const service = new AuditService({
      store,
      logger: mockServices.logger.mock(),
    });
    await service.record({
      actor: 'user:default/alice',
      action: 'auth.login',
      outcome: 'success',
    });
    const { items } = await service.list(
      { action: 'auth.login' },
      { limit: 5 },
    );
    expect(items.map(i => i.actor)).toEqual(['user:default/alice']);
    const methods = Object.getOwnPropertyNames(
      Object.getPrototypeOf(store),
    ).filter(name => name !== 'constructor');
    expect(methods.sort()).toEqual(['append', 'list']);
    expect(
      Object.getOwnPropertyNames(AuditService.prototype).filter(n =>
        /update|delete|remove|purge|edit/i.test(n),
      ),
    ).toEqual([]);
  });
});

describe('clientOf', () => {
  it('joins the ip and the first 80 characters of the user agent', () => {
    const req = {
      ip: '10.1.2.3',
      get: (name: string) =>
        name === 'user-agent' ? `Mozilla/5.0 ${'x'.repeat(200)}` : undefined,
    } as unknown as Request;
    const client = clientOf(req);
    expect(client.startsWith('10.1.2.3 Mozilla/5.0 ')).toBe(true);
    expect(client).toHaveLength('10.1.2.3 '.length + 80);
    const bare = { ip: '::1', get: () => undefined } as unknown as Request;
    expect(clientOf(bare)).toBe('::1');
  });
});
