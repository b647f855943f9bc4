import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'crypto';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { rotateKeyFile } from './rotateKeyFile';
import { SecretBox } from './SecretBox';

describe('rotateKeyFile', () => {
  let dir: string;
  let file: string;

  const boxOf = (path: string) =>
    SecretBox.fromConfig(
      new ConfigReader({ orch: { secrets: { keyFile: path } } }),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-keys-'));
    file = join(dir, 'master.key');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts a new key first and keeps the old ones for decryption', () => {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, {
      mode: 0o644,
    });
    const before = boxOf(file);
    const sealed = before.seal({ token: 'old' });

    const first = rotateKeyFile(file);
    expect(first.previousKeyIds).toEqual([before.keyId]);
    expect(first.newKeyId).not.toBe(before.keyId);

    const after = boxOf(file);
    expect(after.keyId).toBe(first.newKeyId);
    expect(after.open(sealed)).toEqual({ token: 'old' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);

    const second = rotateKeyFile(file);
    expect(second.previousKeyIds).toEqual([first.newKeyId, before.keyId]);
    expect(boxOf(file).open(sealed)).toEqual({ token: 'old' });
    // No temp file is left behind.
    expect(readdirSync(dir)).toEqual(['master.key']);
  });

  it('rewrites a raw 32-byte key file as hex lines', () => {
    const raw = randomBytes(32);
    writeFileSync(file, raw, { mode: 0o600 });
    const { previousKeyIds } = rotateKeyFile(file);
    expect(previousKeyIds).toEqual([SecretBox.fromKeys([raw]).keyId]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[1]).toBe(raw.toString('hex'));
  });

  it('refuses a malformed file and leaves it alone', () => {
    writeFileSync(file, 'not a key\n');
    expect(() => rotateKeyFile(file)).toThrow(/64 hex characters/);
    expect(readFileSync(file, 'utf8')).toBe('not a key\n');
  });
});
