import { dictionary } from '@zxcvbn-ts/language-common';
import { scryptSync } from 'node:crypto';
import {
  checkPasswordPolicy,
  generatePassword,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from './passwords';

// Every hash costs 128 MiB and a few hundred milliseconds, by design.
jest.setTimeout(60_000);

const GOOD = 'correct horse battery staple';

describe('hashPassword / verifyPassword', () => {
  it('stores the algorithm, the OWASP parameters, a salt and the hash', async () => {
    const hash = await hashPassword(GOOD);
    expect(hash).toMatch(
      /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(hash).not.toContain(GOOD);
    // A fresh salt each time.
    expect(await hashPassword(GOOD)).not.toBe(hash);
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword(GOOD);
    expect(await verifyPassword(GOOD, hash)).toBe(true);
    expect(await verifyPassword(`${GOOD} `, hash)).toBe(false);
    expect(await verifyPassword(GOOD.toUpperCase(), hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('reads the parameters back from the hash', async () => {
    // A hash made with other (cheaper) parameters: ln=14, r=8, p=2.
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync(GOOD, salt, 32, { N: 2 ** 14, r: 8, p: 2 });
    const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
    const hash = `$scrypt$ln=14,r=8,p=2$${b64(salt)}$${b64(key)}`;
    expect(await verifyPassword(GOOD, hash)).toBe(true);
    expect(await verifyPassword('wrong password!', hash)).toBe(false);
  });

  it('normalizes Unicode (NFKC) before hashing', async () => {
    const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const hash = await hashPassword(composed);
    expect(await verifyPassword(decomposed, hash)).toBe(true);
  });

  it('never matches a malformed or out-of-bounds hash', async () => {
    const hash = await hashPassword(GOOD);
    for (const bad of [
      '',
      'plain text',
      hash.replace('$scrypt$', '$bcrypt$'),
      hash.replace('ln=17', 'ln=40'),
      hash.replace('r=8', 'r=99'),
      hash.slice(0, -10),
    ]) {
      expect(await verifyPassword(GOOD, bad)).toBe(false);
    }
  });

  it('verifyAgainstDummy answers false for any password', async () => {
    // Its cost against a real verification is measured by `yarn bench auth`
    // (no timed assertion in a test).
    for (const password of [GOOD, 'wrong password!', '']) {
      expect(await verifyAgainstDummy(password)).toBe(false);
    }
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts a long uncommon password', () => {
    expect(checkPasswordPolicy(GOOD)).toEqual([]);
    expect(checkPasswordPolicy(GOOD, { email: 'alice@example.com' })).toEqual(
      [],
    );
  });

  it('wants 12 to 256 characters, counted as characters', () => {
    expect(checkPasswordPolicy('Xk7#pQ2!vL9')).toEqual([
      'Password must be at least 12 characters long',
    ]);
    expect(checkPasswordPolicy('Xk7#pQ2!vL9z')).toEqual([]);
    // 12 emoji are 24 UTF-16 code units but 12 characters.
    expect(checkPasswordPolicy('\u{1F510}'.repeat(11))).toHaveLength(1);
    expect(checkPasswordPolicy('\u{1F510}'.repeat(12))).toEqual([]);
    expect(checkPasswordPolicy('a1'.repeat(128))).toEqual([]);
    expect(checkPasswordPolicy(`${'a1'.repeat(128)}x`)).toEqual([
      'Password must be at most 256 characters long',
    ]);
  });

  it('refuses common passwords case-insensitively', () => {
    const common = dictionary['passwords-common'];
    const long = common.filter(p => p.length >= 12);
    expect(long.length).toBeGreaterThan(100);
    for (const p of [long[0], long[long.length - 1], long[0].toUpperCase()]) {
      expect(checkPasswordPolicy(p)).toEqual(['Password is too common']);
    }
    expect(checkPasswordPolicy('password')).toEqual([
      'Password must be at least 12 characters long',
      'Password is too common',
    ]);
  });

  it('refuses the email and its local part', () => {
    const email = 'Christopher.Robin@hundred-acre.example';
    const problem = 'Password must not be the email address or its local part';
    expect(checkPasswordPolicy('christopher.robin', { email })).toEqual([
      problem,
    ]);
    expect(
      checkPasswordPolicy(email.toUpperCase(), { email: ` ${email} ` }),
    ).toEqual([problem]);
    expect(checkPasswordPolicy('christopher.robin!', { email })).toEqual([]);
  });

  it('never echoes the password', () => {
    const secret = 'qwerty';
    for (const problem of checkPasswordPolicy(secret, { email: 'qwerty@x' })) {
      expect(problem).not.toContain(secret);
    }
  });
});

describe('generatePassword', () => {
  it('makes distinct passwords of 20+ characters that pass the policy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const password = generatePassword();
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(password).toMatch(/^[A-Za-z2-9._!-]+$/);
      expect(checkPasswordPolicy(password)).toEqual([]);
      seen.add(password);
    }
    expect(seen.size).toBe(200);
  });

  it('round-trips through hashPassword', async () => {
    const password = generatePassword();
    expect(await verifyPassword(password, await hashPassword(password))).toBe(
      true,
    );
  });
});
