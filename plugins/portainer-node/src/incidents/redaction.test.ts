import {
  isSecretKey,
  maskSecrets,
  redactEnv,
  redactLabelValues,
} from './redaction';

describe('redaction', () => {
  it('masks env values whose names look secret', () => {
    const { env, secrets } = redactEnv([
      'DB_PASSWORD=hunter22',
      'API_KEY=k-123456',
      'GITHUB_TOKEN=ghp_abcdef',
      'AWS_SECRET_ACCESS_KEY=wJalr',
      'SMTP_CREDENTIALS=user:pw',
      'DATABASE_URL=postgres://app:s3cret@db/app',
      'PATH=/usr/bin',
      'EMPTY',
    ]);
    expect(env).toEqual([
      { name: 'DB_PASSWORD', value: '********', redacted: true },
      { name: 'API_KEY', value: '********', redacted: true },
      { name: 'GITHUB_TOKEN', value: '********', redacted: true },
      { name: 'AWS_SECRET_ACCESS_KEY', value: '********', redacted: true },
      { name: 'SMTP_CREDENTIALS', value: '********', redacted: true },
      {
        name: 'DATABASE_URL',
        value: 'postgres://app:********@db/app',
        redacted: true,
      },
      { name: 'PATH', value: '/usr/bin', redacted: false },
      { name: 'EMPTY', value: '', redacted: false },
    ]);
    expect(secrets).toContain('hunter22');
    expect(secrets).toContain('postgres://app:s3cret@db/app');
  });

  it('matches the names of the brief case-insensitively', () => {
    for (const name of [
      'passphrase',
      'MySecret',
      'token',
      'ssh_key',
      'Credential',
    ]) {
      expect(isSecretKey(name)).toBe(true);
    }
    expect(isSecretKey('com.docker.stack.namespace')).toBe(false);
  });

  it('masks label values and secret values inside text', () => {
    expect(
      redactLabelValues({ 'traefik.auth.password': 'x', 'orch.job.id': 'j1' }),
    ).toEqual({ 'traefik.auth.password': '********', 'orch.job.id': 'j1' });
    expect(
      maskSecrets('login with hunter22 and abc', ['hunter22', 'abc']),
    ).toBe('login with ******** and abc');
  });
});
