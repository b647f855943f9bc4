import { Redactor } from './Redactor';

describe('Redactor', () => {
  const canary = 'canary-9f2c1e7a';

  it('masks secrets in strings, nested values and arrays', () => {
    const r = new Redactor([canary, 'ab']);
    expect(r.text(`token=${canary}; again ${canary}`)).toBe(
      'token=********; again ********',
    );
    expect(
      r.value({ a: [canary, { b: `x${canary}y` }], n: 1, ab: 'ab' }),
    ).toEqual({ a: ['********', { b: 'x********y' }], n: 1, ab: 'ab' });
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const r = new Redactor(['secret', 'secret-long-value']);
    expect(r.text('secret-long-value')).toBe('********');
  });
});
