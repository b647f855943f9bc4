import {
  randomBytes,
  randomInt,
  scrypt,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

/*
 * Password hashing with scrypt from node:crypto, at OWASP's recommended cost
 * (N=2^17, r=8, p=1: 128 MiB and a few hundred milliseconds per hash).
 *
 * A hash is a PHC-like string that carries everything needed to verify it:
 *
 *   $scrypt$ln=17,r=8,p=1$<salt>$<hash>      (salt and hash: base64, no padding)
 *
 * so the parameters can be raised later without touching stored hashes:
 * verification reads them back from the string. Passwords are NFKC
 * normalized before hashing (NIST SP 800-63B), so the same password typed
 * with composed or decomposed characters verifies the same.
 */

const ALGORITHM = 'scrypt';
const LOG2_N = 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Bounds on parameters read back from a stored hash, so that a corrupt row
// cannot make one verification take gigabytes or minutes.
const MAX_LOG2_N = 20;
const MAX_BLOCK_SIZE = 16;
const MAX_PARALLELISM = 4;

const MIN_LENGTH = 12;
const MAX_LENGTH = 256;

type ScryptParams = { log2N: number; r: number; p: number };

type ParsedHash = ScryptParams & { salt: Buffer; key: Buffer };

const CURRENT: ScryptParams = {
  log2N: LOG2_N,
  r: BLOCK_SIZE,
  p: PARALLELISM,
};

/**
 * OpenSSL's scrypt needs 128·r·(N + p + 2) bytes; Node's default `maxmem`
 * (32 MiB) is below what N=2^17, r=8 needs, so it is set from the
 * parameters themselves.
 */
function scryptOptions({ log2N, r, p }: ScryptParams): ScryptOptions {
  const N = 2 ** log2N;
  return { N, r, p, maxmem: 128 * r * (N + p + 2) + 1024 * 1024 };
}

function deriveKey(
  password: string,
  salt: Buffer,
  keyLength: number,
  params: ScryptParams,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(password.normalize('NFKC'), 'utf8'),
      salt,
      keyLength,
      scryptOptions(params),
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64').replace(/=+$/, '');
}

function format(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `$${ALGORITHM}$ln=${params.log2N},r=${params.r},p=${params.p}$${b64(
    salt,
  )}$${b64(key)}`;
}

const HASH_PATTERN =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,})\$([A-Za-z0-9+/]{43,})$/;

function parse(hash: string): ParsedHash | undefined {
  const match = HASH_PATTERN.exec(hash);
  if (!match) return undefined;
  const [log2N, r, p] = [match[1], match[2], match[3]].map(Number);
  if (
    log2N < 1 ||
    log2N > MAX_LOG2_N ||
    r < 1 ||
    r > MAX_BLOCK_SIZE ||
    p < 1 ||
    p > MAX_PARALLELISM
  ) {
    return undefined;
  }
  return {
    log2N,
    r,
    p,
    salt: Buffer.from(match[4], 'base64'),
    key: Buffer.from(match[5], 'base64'),
  };
}

/**
 * Hashes a password with scrypt (N=2^17, r=8, p=1) and a fresh 16-byte salt.
 * The result names the algorithm and its parameters:
 * `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`.
 * @public
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(password, salt, KEY_BYTES, CURRENT);
  return format(CURRENT, salt, key);
}

/**
 * Whether `password` matches `hash` (made by {@link hashPassword}, with
 * whatever parameters it names). Compares in constant time. A malformed hash
 * never matches, and costs as much as a real verification.
 * @public
 */
export async function verifyPassword(
  password: string,
  hash: string,
): Promise<boolean> {
  const parsed = parse(hash);
  if (!parsed) {
    return verifyAgainstDummy(password);
  }
  const key = await deriveKey(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}

let dummyHash: string | undefined;

/**
 * Spends the time of one real {@link verifyPassword} at the current
 * parameters, then answers false. For sign-in with an unknown email, so the
 * response time does not tell whether the account exists.
 * @public
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  // Random bytes in the shape of a real hash: verifying it runs exactly the
  // scrypt a real verification runs, without ever hashing anything up front.
  dummyHash ??= format(
    CURRENT,
    randomBytes(SALT_BYTES),
    randomBytes(KEY_BYTES),
  );
  const parsed = parse(dummyHash)!;
  const key = await deriveKey(password, parsed.salt, parsed.key.length, parsed);
  timingSafeEqual(key, parsed.key);
  return false;
}

let commonPasswords: Set<string> | undefined;

/**
 * The common passwords of `@zxcvbn-ts/language-common` (about 49,000),
 * lowercased. The package decompresses its lists when it is loaded, so it is
 * loaded on first use only, once.
 */
function getCommonPasswords(): Set<string> {
  if (!commonPasswords) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { dictionary } = require('@zxcvbn-ts/language-common') as {
      dictionary: Record<string, string[]>;
    };
    commonPasswords = new Set(
      dictionary['passwords-common'].map(p => p.toLowerCase()),
    );
  }
  return commonPasswords;
}

/**
 * Checks a new password against Orch's policy and returns what is wrong with
 * it, one sentence each; an empty list means it is acceptable. The policy:
 * 12 to 256 characters; not one of the common passwords of
 * `@zxcvbn-ts/language-common` (case-insensitively); not the email address
 * or its local part. Never echoes the password.
 * @public
 */
export function checkPasswordPolicy(
  password: string,
  context?: { email?: string },
): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_LENGTH) {
    problems.push(`Password must be at least ${MIN_LENGTH} characters long`);
  }
  if (length > MAX_LENGTH) {
    problems.push(`Password must be at most ${MAX_LENGTH} characters long`);
  }
  const lower = password.toLowerCase();
  if (getCommonPasswords().has(lower)) {
    problems.push('Password is too common');
  }
  const email = context?.email?.trim().toLowerCase();
  if (email) {
    const localPart = email.split('@')[0];
    if (lower === email || lower === localPart) {
      problems.push('Password must not be the email address or its local part');
    }
  }
  return problems;
}

// No look-alikes (0/O, 1/l/I), so a printed password can be typed back.
const ALPHABET =
  'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.!';
const GENERATED_LENGTH = 24;

/**
 * A random password of 24 characters (about 140 bits) from the CSPRNG,
 * without look-alike characters. It always passes
 * {@link checkPasswordPolicy}.
 * @public
 */
export function generatePassword(): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < GENERATED_LENGTH; i++) {
      password += ALPHABET[randomInt(ALPHABET.length)];
    }
    if (checkPasswordPolicy(password).length === 0) return password;
  }
}
