import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'crypto';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SecretBox } from './SecretBox';

describe('SecretBox', () => {
  const key = randomBytes(32);

  it('round-trips with a fresh nonce each time', () => {
    const box = SecretBox.fromKeys([key]);
    const a = box.seal({ token: 'canary-1' });
    const b = box.seal({ token: 'canary-1' });
    expect(a).not.toEqual(b);
    expect(a).not.toContain('canary-1');
    expect(box.open(a)).toEqual({ token: 'canary-1' });
  });

  it('refuses tampered ciphertext and unknown keys loudly', () => {
    const box = SecretBox.fromKeys([key]);
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4], 'base64url');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow(/authentication failed/);
    expect(() => SecretBox.fromKeys([randomBytes(32)]).decrypt(sealed)).toThrow(
      /is not loaded/,
    );
  });

  it('reads old ciphertexts after a new key is put first', () => {
    const old = SecretBox.fromKeys([key]);
    const sealed = old.encrypt('kept');
    const rotated = SecretBox.fromKeys([randomBytes(32), key]);
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(rotated.decrypt(sealed)).toBe('kept');
  });
});

describe('SecretBox key file', () => {
  it('picks up a rotated key file when it meets an unknown key id', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'box-')), 'master.key');
    const oldKey = randomBytes(32).toString('hex');
    writeFileSync(file, `${oldKey}\n`, { mode: 0o600 });
    const config = new ConfigReader({ orch: { secrets: { keyFile: file } } });
    const running = SecretBox.fromConfig(config);

    // Another process rotates: a new key first, the old one kept.
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n${oldKey}\n`);
    const rotated = SecretBox.fromConfig(config);
    const sealed = rotated.encrypt('after rotation');
    expect(rotated.keyId).not.toBe(running.keyId);
    expect(running.decrypt(sealed)).toBe('after rotation');
    expect(running.keyId).toBe(rotated.keyId);
  });
});
