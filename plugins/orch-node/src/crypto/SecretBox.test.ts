import { randomBytes } from 'crypto';
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
