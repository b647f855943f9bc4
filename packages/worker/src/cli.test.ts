import { ConfigReader } from '@backstage/config';
import {
  DatabaseConnectionStore,
  DatabaseJobStore,
  SecretBox,
} from '@internal/backstage-plugin-orch-node';
import { spawnSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import knexFactory, { type Knex } from 'knex';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '../../..');

// `yarn orch keys rotate`, run for real against a SQLite file.
describe('yarn orch keys rotate', () => {
  let dir: string;
  let knex: Knex;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-cli-'));
  });
  afterEach(async () => {
    await knex?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  function setup() {
    const keyFile = join(dir, 'master.key');
    const oldKey = randomBytes(32);
    writeFileSync(keyFile, `${oldKey.toString('hex')}\n`, { mode: 0o600 });
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({
        backend: {
          baseUrl: 'http://localhost:7007',
          database: { client: 'better-sqlite3', connection: { directory: join(dir, 'db') } },
        },
        orch: { secrets: { keyFile } },
      }),
    );
    return { keyFile, oldBox: SecretBox.fromKeys([oldKey]), configFile };
  }

  async function open() {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'db', 'orch.sqlite') },
      useNullAsDefault: true,
    });
    const jobs = await DatabaseJobStore.fromKnex(knex);
    const connections = await DatabaseConnectionStore.fromKnex(knex);
    return { jobs, connections };
  }

  function rotate(configFile: string) {
    return spawnSync(process.execPath, [join(ROOT, 'script/orch.js'), 'keys', 'rotate', '--config', configFile], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }

  it('re-encrypts connections and pending job secrets under a new key; old rows read back', async () => {
    const { keyFile, oldBox, configFile } = setup();
    // The CLI creates the schema on first use; make the database first.
    const first = rotate(configFile);
    expect(first.status).toBe(0);
    const afterFirst = SecretBox.fromKeys(
      readFileSync(keyFile, 'utf8').trim().split('\n').map(l => Buffer.from(l, 'hex')),
    );
    const { jobs, connections } = await open();
    const id = randomUUID();
    await connections.create({
      id,
      type: 'generic',
      name: 'c1',
      environment: 'stage',
      config: {},
      encryptedPayload: afterFirst.seal({ values: { token: 'kept-secret' } }),
      keyId: afterFirst.keyId,
      createdBy: 'test',
    });
    const jobId = randomUUID();
    await jobs.createJob({
      id: jobId,
      runbookName: 'secret_echo',
      runbookVersion: '1',
      environment: 'stage',
      inputs: {},
      secretsEncrypted: oldBox.seal({ api_token: 'job-secret' }),
      createdBy: 'test',
    });

    const result = rotate(configFile);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/re-encrypted 1 connection\(s\) and 1 pending job secret/);

    const lines = readFileSync(keyFile, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const newest = SecretBox.fromKeys([Buffer.from(lines[0], 'hex')]);
    const row = (await connections.get(id))!;
    expect(row.keyId).toBe(newest.keyId);
    // Readable with the new key alone: nothing depends on the old ones.
    expect(newest.open(row.encryptedPayload)).toEqual({ values: { token: 'kept-secret' } });
    expect(newest.open((await jobs.getJobSecrets(jobId))!)).toEqual({ api_token: 'job-secret' });
    const audit = await knex('audit_log').where({ action: 'keys.rotate' });
    expect(audit.map(a => a.outcome)).toEqual(['success', 'success']);
  }, 120_000);

  it('refuses a tampered row loudly, naming it, and still rotates the others', async () => {
    const { configFile } = setup();
    expect(rotate(configFile).status).toBe(0);
    const { connections } = await open();
    const box = SecretBox.fromConfig(new ConfigReader({ orch: { secrets: { keyFile: join(dir, 'master.key') } } }));
    const good = randomUUID();
    const bad = randomUUID();
    for (const id of [good, bad]) {
      await connections.create({
        id,
        type: 'generic',
        name: id,
        environment: 'stage',
        config: {},
        encryptedPayload: box.seal({ values: { k: 'v' } }),
        keyId: box.keyId,
        createdBy: 'test',
      });
    }
    const sealed = (await connections.get(bad))!.encryptedPayload.split('.');
    sealed[4] = `${sealed[4].slice(0, -2)}AA`;
    await connections.replacePayload(bad, sealed.join('.'), box.keyId);

    const result = rotate(configFile);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(bad);
    expect(result.stderr).toContain('cannot be decrypted');
    expect((await connections.get(good))!.keyId).not.toBe(box.keyId);
  }, 120_000);
});
