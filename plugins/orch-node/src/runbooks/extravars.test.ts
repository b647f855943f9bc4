import { spawn } from 'child_process';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { toUnsafeExtravarsYaml } from './extravars';

describe('toUnsafeExtravarsYaml', () => {
  it('tags every string !unsafe and writes other scalars plain', () => {
    expect(
      toUnsafeExtravarsYaml({
        message: "{{ lookup('pipe','id') }}",
        count: 3,
        ratio: 0.5,
        enabled: false,
        nothing: null,
        skipped: undefined,
      }),
    ).toBe(
      [
        `"message": !unsafe "{{ lookup('pipe','id') }}"`,
        '"count": 3',
        '"ratio": 0.5',
        '"enabled": false',
        '"nothing": null',
        '',
      ].join('\n'),
    );
  });

  it('tags nested strings and mapping keys, in flow style', () => {
    expect(
      toUnsafeExtravarsYaml({
        a: { b: ['x', 1, { '{{ k }}': true }], c: [] },
        d: {},
      }),
    ).toBe(
      '"a": {!unsafe "b": [!unsafe "x", 1, {!unsafe "{{ k }}": true}], !unsafe "c": []}\n"d": {}\n',
    );
  });

  it('escapes quotes, backslashes, control and non-ASCII characters', () => {
    expect(
      toUnsafeExtravarsYaml({ s: 'a"b\\c\nd\te\r\0\x07\x7f\u0085é€😀\ud800' }),
    ).toBe(
      '"s": !unsafe "a\\"b\\\\c\\nd\\te\\r\\0\\u0007\\u007f\\u0085\\u00e9\\u20ac\\U0001f600\\ufffd"\n',
    );
  });

  it('writes floats so that YAML 1.1 reads them as floats', () => {
    expect(toUnsafeExtravarsYaml({ a: 1e21, b: 1e-7, c: 1.5e-7, d: -2 })).toBe(
      '"a": 1.0e+21\n"b": 1.0e-7\n"c": 1.5e-7\n"d": -2\n',
    );
  });

  it('writes an empty mapping for no vars', () => {
    expect(toUnsafeExtravarsYaml({})).toBe('{}\n');
  });

  it('uses the JSON form of dates', () => {
    expect(toUnsafeExtravarsYaml({ at: new Date(Date.UTC(2024, 0, 2)) })).toBe(
      '"at": !unsafe "2024-01-02T00:00:00.000Z"\n',
    );
  });

  it('refuses names that are not Ansible variable names', () => {
    for (const name of ['', '1a', 'a-b', 'a b', 'é', 'a.b', 'a\nb: 1']) {
      expect(() => toUnsafeExtravarsYaml({ [name]: 'x' })).toThrow(
        /invalid extra var name/,
      );
    }
    expect(() => toUnsafeExtravarsYaml({ _ok: 1, A9_: 2 })).not.toThrow();
  });

  it('refuses values YAML cannot hold', () => {
    expect(() => toUnsafeExtravarsYaml({ a: NaN })).toThrow(
      /not a finite number/,
    );
    expect(() => toUnsafeExtravarsYaml({ a: [Infinity] })).toThrow(
      /a\[0\] is not a finite number/,
    );
    expect(() => toUnsafeExtravarsYaml({ a: () => 1 })).toThrow(/function/);
    expect(() => toUnsafeExtravarsYaml({ a: Symbol('s') })).toThrow(/symbol/);
    expect(() => toUnsafeExtravarsYaml({ a: new Map() })).toThrow(
      /not a plain object/,
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => toUnsafeExtravarsYaml({ a: cyclic })).toThrow(/cycle/);
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => toUnsafeExtravarsYaml({ deep })).toThrow(/nested more than/);
    expect(() =>
      toUnsafeExtravarsYaml([] as unknown as Record<string, unknown>),
    ).toThrow(/plain object/);
    // The same object twice is not a cycle.
    const shared = { x: 1 };
    expect(() => toUnsafeExtravarsYaml({ a: [shared, shared] })).not.toThrow();
  });

  it('round-trips through Ansible, and Jinja never evaluates the values', async () => {
    const vars = {
      message: "{{ lookup('pipe','id') }}",
      text: 'quote " backslash \\ newline \n tab \t bell \x07 del \x7f nel \u0085 é € 😀',
      yamlish: '- not: [a, list] # nor a comment',
      numbers: [0, -1, 42, 1.5, 1e21, 1e-7, 12345678901234],
      flags: [true, false, null],
      nested: {
        '{{ 7 * 7 }}': { deeper: ['{% raw %}x', "{{ lookup('env','HOME') }}"] },
      },
      empty: { list: [], map: {}, string: '' },
      looks_like_other_types: [
        'yes',
        'no',
        'null',
        '~',
        '1.0',
        '0x1F',
        '2024-01-01',
      ],
    };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-extravars-'));
    try {
      await fs.chmod(dir, 0o700);
      await fs.mkdir(path.join(dir, 'project'));
      await fs.mkdir(path.join(dir, 'env'));
      await fs.writeFile(
        path.join(dir, 'project', 'echo.yml'),
        [
          '- hosts: localhost',
          '  connection: local',
          '  gather_facts: false',
          '  tasks:',
          '    - name: Print the message',
          '      ansible.builtin.debug:',
          '        msg: "{{ message }}"',
          '    - ansible.builtin.set_stats:',
          `        data: "{{ {'vars': {${Object.keys(vars)
            .map(k => `'${k}': ${k}`)
            .join(', ')}}} }}"`,
          '',
        ].join('\n'),
      );
      await fs.writeFile(
        path.join(dir, 'env', 'extravars'),
        toUnsafeExtravarsYaml(vars),
      );

      const child = spawn(
        '/usr/bin/ansible-runner',
        ['run', dir, '-p', 'echo.yml', '--json', '-i', 'roundtrip'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', d => {
        stdout += d;
      });
      child.stderr.on('data', d => {
        stderr += d;
      });
      const code = await new Promise(resolve => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

      const events = stdout
        .split('\n')
        .filter(line => line.startsWith('{'))
        .map(line => JSON.parse(line));
      const stats = events.find(e => e.event === 'playbook_on_stats');
      expect(stats.event_data.artifact_data.vars).toEqual(vars);
      expect(stdout).not.toContain('uid=');
      const printed = events.find(
        e =>
          e.event === 'runner_on_ok' &&
          e.event_data.task === 'Print the message',
      );
      expect(printed.event_data.res.msg).toBe(vars.message);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
