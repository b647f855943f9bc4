import type { Config } from '@backstage/config';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
} from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, resolve } from 'path';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';

/**
 * AES-256-GCM encryption of secrets at rest. Each message gets a fresh 96-bit
 * nonce; the key id travels with the ciphertext so keys can be rotated.
 * Tampered ciphertext or a wrong key fails loudly.
 *
 * Format: `v1.<keyId>.<nonce b64url>.<tag b64url>.<ciphertext b64url>`.
 * @public
 */
export class SecretBox {
  private constructor(
    private keys: Map<string, Buffer>,
    private currentKeyId: string,
    private readonly keyFile?: string,
  ) {}

  /**
   * A box from raw 32-byte keys; the first one encrypts, all of them decrypt.
   */
  static fromKeys(keys: Buffer[], keyFile?: string): SecretBox {
    const [map, current] = keyMap(keys);
    return new SecretBox(map, current, keyFile);
  }

  /**
   * Where the master key file is: `orch.secrets.keyFile`, else
   * `ORCH_MASTER_KEY_FILE`, else `/run/secrets/orch_master_key` when it
   * exists, else `.orch/master.key` (the embedded default).
   */
  static keyFileOf(config: Config): { file: string; generated: boolean } {
    const configured =
      config.getOptionalString('orch.secrets.keyFile') ??
      process.env.ORCH_MASTER_KEY_FILE;
    const swarmSecret = '/run/secrets/orch_master_key';
    if (configured) return { file: resolve(configured), generated: false };
    if (existsSync(swarmSecret)) return { file: swarmSecret, generated: false };
    return { file: resolve('.orch/master.key'), generated: true };
  }

  /**
   * Reads the master key from the file named by `orch.secrets.keyFile`, else
   * `ORCH_MASTER_KEY_FILE`, else `/run/secrets/orch_master_key` when it exists,
   * else `.orch/master.key` — which is generated (0600) on first use, for the
   * embedded default only. The file holds the key as 64 hex characters or 32
   * raw bytes; previous keys, for decryption during rotation, may follow on
   * further lines.
   */
  static fromConfig(config: Config): SecretBox {
    const { file, generated } = SecretBox.keyFileOf(config);
    if (generated && !existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    }
    return SecretBox.fromKeys(parseKeyFile(readFileSync(file)), file);
  }

  /**
   * Re-reads the key file (after `yarn orch keys rotate`): the new key
   * encrypts from now on, older keys still decrypt.
   */
  reload(): void {
    if (!this.keyFile) return;
    const [map, current] = keyMap(parseKeyFile(readFileSync(this.keyFile)));
    this.keys = map;
    this.currentKeyId = current;
  }

  /** Id of the key new ciphertexts are written with. */
  get keyId(): string {
    return this.currentKeyId;
  }

  encrypt(plaintext: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const nonce = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, key, nonce);
    const ciphertext = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    return [
      VERSION,
      this.currentKeyId,
      nonce.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  decrypt(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new Error('Unreadable secret: not an Orch v1 ciphertext');
    }
    const [, keyId, nonce, tag, ciphertext] = parts;
    // A key id we do not know: the file may have been rotated since start.
    if (!this.keys.has(keyId)) this.reload();
    const key = this.keys.get(keyId);
    if (!key) {
      throw new Error(`Unreadable secret: key ${keyId} is not loaded`);
    }
    try {
      const decipher = createDecipheriv(
        ALGORITHM,
        key,
        Buffer.from(nonce, 'base64url'),
      );
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        `Unreadable secret: authentication failed (tampered ciphertext or wrong key ${keyId})`,
      );
    }
  }

  /** Encrypts a JSON value. */
  seal(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  /** Decrypts a value sealed with `seal`. */
  open<T = unknown>(sealed: string): T {
    return JSON.parse(this.decrypt(sealed));
  }
}

function keyMap(keys: Buffer[]): [Map<string, Buffer>, string] {
  if (keys.length === 0) throw new Error('SecretBox needs at least one key');
  const map = new Map<string, Buffer>();
  for (const key of keys) {
    if (key.length !== 32) {
      throw new Error('An Orch master key must be 32 bytes');
    }
    map.set(keyIdOf(key), key);
  }
  return [map, keyIdOf(keys[0])];
}

function keyIdOf(key: Buffer): string {
  // A short fingerprint: names the key without revealing it.
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function parseKeyFile(content: Buffer): Buffer[] {
  if (content.length === 32) return [content];
  const lines = content
    .toString('utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  return lines.map(line => {
    if (!/^[0-9a-fA-F]{64}$/.test(line)) {
      throw new Error(
        'The Orch master key file must hold 64 hex characters per key',
      );
    }
    return Buffer.from(line, 'hex');
  });
}
