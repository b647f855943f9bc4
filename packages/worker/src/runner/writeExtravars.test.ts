import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, statSync } from 'fs';
import { readFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { toUnsafeYaml, writeExtravars } from './writeExtravars';

/** Loads YAML with Ansible's own loader and returns JSON plus the unsafe-ness of every string. */
function ansibleLoad(yaml: string): any {
  const py = `
import json, sys
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.utils.unsafe_proxy import AnsibleUnsafe
data = AnsibleLoader(sys.stdin.read()).get_single_data()
safe = []
def walk(v, path):
    if isinstance(v, str) and not isinstance(v, AnsibleUnsafe): safe.append(path)
    if isinstance(v, dict):
        for k, x in v.items():
            if path and not isinstance(k, AnsibleUnsafe): safe.append(path + '{' + k + '}')
            walk(x, path + '.' + str(k))
    if isinstance(v, list):
        for i, x in enumerate(v): walk(x, path + '[' + str(i) + ']')
walk(data, '')
print(json.dumps({'data': data, 'safe': safe}))
`;
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', py], {
      input: yaml,
      encoding: 'utf8',
    }),
  );
}

describe('toUnsafeYaml', () => {
  it('tags every string leaf and nested key !unsafe and round-trips through Ansible', () => {
    const vars = {
      message: "{{ lookup('pipe','id') }}",
      quote: 'a "quoted" \\ back\nslash\t tab: # not a comment',
      weird:
        'del\u007f nel\u0085 ls\u2028 ps\u2029 bom\ufeff nul\u0000 emoji😀 lone\ud800',
      n: 42,
      neg: -1.5,
      big: 1e21,
      tiny: 5e-7,
      yes: true,
      no: false,
      on: 'on',
      null: 'null',
      nothing: null,
      skipped: undefined,
      list: ['a', 1, [], {}, null, ['{{ x }}']],
      nested: { 'com.docker.stack': 'x', '{{ k }}': { deep: '{% raw %}' } },
      empty: '',
    };
    const yaml = toUnsafeYaml(vars);
    expect(yaml).not.toContain('skipped');
    const { data, safe } = ansibleLoad(yaml);
    expect(safe).toEqual([]);
    const { skipped, ...expected } = vars;
    expect(data).toEqual({
      ...expected,
      weird:
        'del\u007f nel\u0085 ls\u2028 ps\u2029 bom\ufeff nul\u0000 emoji😀 lone\ufffd',
    });
  });

  // Name and type checks are tested with the implementation, in
  // plugins/orch-node/src/runbooks/extravars.test.ts.

  it('writes the file 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extravars-'));
    try {
      const path = join(dir, 'extravars');
      await writeExtravars(path, { a: 'b' });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(ansibleLoad(await readFile(path, 'utf8'))).toEqual({ data: { a: 'b' }, safe: [] });
      await expect(writeExtravars(path, { a: 'c' })).rejects.toThrow(/EEXIST/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
