import {
  REDACTED,
  isSecretName,
  redactArgs,
  redactEnvEntry,
  redactLabels,
} from './redaction';

describe('redaction', () => {
  it.each([
    'DB_PASSWORD',
    'POSTGRES_PASSWORD',
    'passwd',
    'GITHUB_TOKEN',
    'API_KEY',
    'apiKey',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'SENTRY_DSN',
    'SSH_PRIVATE_KEY',
    'KEY',
    'MYSQL_PWD',
    'JWT_SECRET',
    'BASIC_AUTH',
  ])('treats %s as secret', name => {
    expect(isSecretName(name)).toBe(true);
    expect(redactEnvEntry(`${name}=canary-value`)).toEqual({
      name,
      value: REDACTED,
      redacted: true,
    });
  });

  it.each(['PATH', 'HOME', 'HOSTNAME', 'NODE_ENV', 'PORT', 'LANG', 'MONKEY'])(
    'keeps %s',
    name => {
      expect(isSecretName(name)).toBe(false);
      expect(redactEnvEntry(`${name}=a=b`)).toEqual({
        name,
        value: 'a=b',
        redacted: false,
      });
    },
  );

  it('masks passwords inside URLs, whatever the name', () => {
    expect(
      redactEnvEntry('DATABASE_URL=postgres://app:canary@db:5432/app'),
    ).toEqual({
      name: 'DATABASE_URL',
      value: `postgres://app:${REDACTED}@db:5432/app`,
      redacted: true,
    });
    expect(redactEnvEntry('UPSTREAM=http://db:5432/app').redacted).toBe(false);
  });

  it('handles entries without a value', () => {
    expect(redactEnvEntry('FLAG')).toEqual({
      name: 'FLAG',
      value: '',
      redacted: false,
    });
  });

  it('redacts labels and options', () => {
    expect(
      redactLabels({ 'traefik.enable': 'true', 'app.token': 'canary' }),
    ).toEqual({ 'traefik.enable': 'true', 'app.token': REDACTED });
    expect(
      redactArgs([
        'server',
        '--password=canary',
        '--api-key',
        'canary',
        '-v',
        'redis://:canary@cache',
      ]),
    ).toEqual([
      'server',
      `--password=${REDACTED}`,
      '--api-key',
      REDACTED,
      '-v',
      `redis://:${REDACTED}@cache`,
    ]);
  });
});
