import { randomBytes } from 'crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'fs';
import { basename, dirname, join } from 'path';
import { SecretBox } from './SecretBox';

/**
 * What `rotateKeyFile` did.
 * @public
 */
export type RotateKeyFileResult = {
  /** Id of the new key, which now encrypts. */
  newKeyId: string;
  /** Ids of the keys kept below it, for decryption, newest first. */
  previousKeyIds: string[];
};

/**
 * Puts a new random master key at the top of a key file and keeps the old
 * keys below it, so a box built from the file encrypts with the new key and
 * still decrypts everything sealed with the old ones. The file is replaced
 * atomically (temp file in the same directory, fsync, rename) with mode
 * 0600. A file holding 32 raw bytes is rewritten as hex lines.
 *
 * Re-encrypting the stored secrets is a separate step (`ConnectionService.
 * rotateKeys`); only after it has succeeded may the old lines be removed.
 * @public
 */
export function rotateKeyFile(path: string): RotateKeyFileResult {
  const content = readFileSync(path);
  const previous = parseLines(content);
  // Reading through SecretBox checks the file and yields the ids.
  const previousKeyIds = previous.map(
    hex => SecretBox.fromKeys([Buffer.from(hex, 'hex')]).keyId,
  );
  const fresh = randomBytes(32).toString('hex');
  const newKeyId = SecretBox.fromKeys([Buffer.from(fresh, 'hex')]).keyId;

  const tmp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${[fresh, ...previous].join('\n')}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(tmp);
    throw error;
  }
  closeSync(fd);
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return { newKeyId, previousKeyIds };
}

function parseLines(content: Buffer): string[] {
  if (content.length === 32) return [content.toString('hex')];
  const lines = content
    .toString('utf8')
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'));
  if (lines.length === 0) throw new Error('The Orch master key file is empty');
  for (const line of lines) {
    if (!/^[0-9a-fA-F]{64}$/.test(line)) {
      throw new Error(
        'The Orch master key file must hold 64 hex characters per key',
      );
    }
  }
  return lines.map(l => l.toLowerCase());
}
