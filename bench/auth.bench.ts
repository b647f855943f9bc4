/*
 * yarn bench auth — password sign-in against its anchors, measured in one run
 * through the whole real path (orch plugin, auth backend with Orch's
 * provider, Redis throttle, SQLite or Postgres).
 *
 *  1. No enumeration by timing (OWASP ASVS 5.0 6.3.8): the median answer time
 *     of an unknown email and of a disabled account against a wrong password.
 *     Target: ratios within 0.8–1.25.
 *  2. Hash cost: one scrypt verification (N=2^17, r=8, p=1, 128 MiB) beside
 *     AWX's local-user hash, Django's PBKDF2-SHA256 (600,000 iterations in
 *     Django 4.2+), computed here, same machine.
 *  3. Refresh vs sign-in: a refresh needs no password hash, so a session
 *     costs one hash per sign-in, not one per token.
 *
 * Database: Postgres from BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
 * else SQLite files. Redis: a private redis-server.
 */
import { pbkdf2Sync, randomBytes } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { hashPassword, verifyPassword } from '@internal/backstage-plugin-orch-node';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  AuthHarness,
} from '../packages/backend/src/__testUtils__/authHarness';
import { printTable } from './table';

const ROOT = resolve(__dirname, '..');
const ROUNDS = Number(process.env.ORCH_BENCH_ROUNDS ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await f();
  return performance.now() - start;
}

async function main() {
  const engine = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? 'postgres'
    : 'sqlite';
  const h = new AuthHarness(engine);
  // The throttle still runs on every attempt; its limit is lifted so that
  // every failure is a real password check, not a quick 429.
  await h.start({ maxFailures: 1_000_000 });
  try {
    const admin = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
    const off = await h.createUser(admin.accessToken, 'off@orch.bench', ['viewer']);
    await h.api('PATCH', `/v1/users/${off.id}`, {
      token: admin.accessToken,
      body: { status: 'disabled' },
    });

    // Interleaved, each from its own client so the throttle never answers.
    const unknown: number[] = [];
    const wrong: number[] = [];
    const disabled: number[] = [];
    let client = 0;
    const ip = () => `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client++ & 255}`;
    for (let i = 0; i < ROUNDS; i++) {
      const pw = `wrong password ${i}!`;
      unknown.push(await timed(() => h.login(`nobody${i}@orch.bench`, pw, ip())));
      wrong.push(await timed(() => h.login(ADMIN_EMAIL, pw, ip())));
      disabled.push(await timed(() => h.login('off@orch.bench', off.password, ip())));
    }

    const signIn: number[] = [];
    const refresh: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let s: any;
      signIn.push(await timed(async () => (s = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD, ip()))));
      refresh.push(
        await timed(() => h.api('POST', '/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })),
      );
    }

    const hash = await hashPassword('benchmark password 1');
    const scrypt: number[] = [];
    const pbkdf2: number[] = [];
    const salt = randomBytes(16);
    for (let i = 0; i < 5; i++) {
      scrypt.push(await timed(() => verifyPassword('benchmark password 1', hash)));
      pbkdf2.push(await timed(async () => pbkdf2Sync('benchmark password 1', salt, 600_000, 32, 'sha256')));
    }

    const ms = (v: number) => v.toFixed(0);
    const rows = [
      ['Unknown email vs wrong password (ms, median)', `wrong password ${ms(median(wrong))}`, ms(median(unknown)), (median(unknown) / median(wrong)).toFixed(2), '0.80–1.25 (ASVS 6.3.8)'],
      ['Disabled account vs wrong password (ms, median)', `wrong password ${ms(median(wrong))}`, ms(median(disabled)), (median(disabled) / median(wrong)).toFixed(2), '0.80–1.25 (ASVS 6.3.8)'],
      ['Password hash verify (ms)', `AWX/Django PBKDF2-SHA256 600k ${ms(median(pbkdf2))}`, `scrypt 2^17 ${ms(median(scrypt))}`, (median(scrypt) / median(pbkdf2)).toFixed(2), 'memory-hard, 128 MiB'],
      ['Refresh vs sign-in (ms, median)', `sign-in ${ms(median(signIn))}`, ms(median(refresh)), (median(refresh) / median(signIn)).toFixed(2), '< 0.5'],
    ];
    console.log(`\nauth benchmark — ${engine}, ${ROUNDS} rounds each\n`);
    printTable(rows);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/auth.json'),
      JSON.stringify({ date: new Date().toISOString(), engine, rows }, null, 2),
    );
  } finally {
    await h.stop();
  }
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
