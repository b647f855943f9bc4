/* eslint-disable no-console */
import {
  ConnectionVault,
  DatabaseAuditLog,
  DatabaseConnectionStore,
  SecretBox,
  rotateKeyFile,
} from '@internal/backstage-plugin-orch-node';
import { userInfo } from 'os';
import { createOrchContext } from './context';
import { USERS_USAGE, usersCommand } from './usersCommand';

const USAGE = `usage: yarn orch <command>

  keys rotate    put a new master key first in the key file and re-encrypt
                 every connection and every pending job's secrets under it
                 (older keys stay in the file and still decrypt)
${USERS_USAGE}

Options: --config <file> (repeatable), as for the backend.`;

async function keysRotate(): Promise<number> {
  const context = await createOrchContext('orch-cli');
  const { config, knex, store } = context;
  const actor = `cli:${userInfo().username}`;
  const audit = await DatabaseAuditLog.fromKnex(knex);
  try {
    const { file } = SecretBox.keyFileOf(config);
    const oldBox = SecretBox.fromConfig(config);
    const { newKeyId } = rotateKeyFile(file);
    const newBox = SecretBox.fromConfig(config);
    const vault = new ConnectionVault({
      store: await DatabaseConnectionStore.fromKnex(knex),
      secretBox: oldBox,
    });
    let connections = 0;
    let failure: Error | undefined;
    try {
      connections = (await vault.rotate(newBox)).rotated;
    } catch (e) {
      failure = e as Error;
    }
    const jobs = await store.resealSecrets(sealed => newBox.encrypt(oldBox.decrypt(sealed)));
    await audit.append({
      actor,
      action: 'keys.rotate',
      outcome: failure ? 'failure' : 'success',
      metadata: { keyId: newKeyId, connections, jobs, ...(failure ? { error: failure.message } : {}) },
    });
    if (failure) {
      console.error(`keys rotate: ${failure.message}`);
      return 1;
    }
    console.log(
      `keys rotate: new key ${newKeyId} in ${file}; re-encrypted ${connections} connection(s) and ${jobs} pending job secret(s). Older keys stay in the file for reading.`,
    );
    return 0;
  } finally {
    await context.close();
  }
}

async function main(args: string[]): Promise<number> {
  const isWord = (a: string, i: number) => !a.startsWith('--') && !args[i - 1]?.startsWith('--config');
  const words = args.filter(isWord);
  if (words[0] === 'users') {
    const at = args.findIndex(isWord);
    return usersCommand([...args.slice(0, at), ...args.slice(at + 1)]);
  }
  const command = words.join(' ');
  if (command === 'keys rotate') return keysRotate();
  console.error(USAGE);
  return command ? 2 : 0;
}

main(process.argv.slice(2)).then(
  code => process.exit(code),
  e => {
    console.error(`orch: ${e.message ?? e}`);
    process.exit(1);
  },
);
