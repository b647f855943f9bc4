import { ConfigReader } from '@backstage/config';
import {
  findGitHubAllowRule,
  readOrchGitHubConfig,
} from './GitHubManifestSource';

describe('findGitHubAllowRule', () => {
  const allow = [
    { repo: 'tools/deployer', tags: 'release-*' },
    { org: 'Acme', tags: 'v*' },
  ];

  it('allows a named repository or one of an allowed organisation, at a matching tag', () => {
    expect(findGitHubAllowRule(allow, 'tools/deployer', 'release-3')).toBe(
      allow[0],
    );
    expect(findGitHubAllowRule(allow, 'acme/web', 'v1.2.0')).toBe(allow[1]);
    expect(findGitHubAllowRule(allow, 'ACME/web', 'v1.2.0')).toBe(allow[1]);
  });

  it('refuses another repository, another tag, and a tag glob that would cross a slash', () => {
    expect(
      findGitHubAllowRule(allow, 'tools/other', 'release-3'),
    ).toBeUndefined();
    expect(
      findGitHubAllowRule(allow, 'tools/deployer', 'v1.0.0'),
    ).toBeUndefined();
    expect(findGitHubAllowRule(allow, 'acme/web', 'main')).toBeUndefined();
    expect(findGitHubAllowRule(allow, 'acme/web', 'v1/../x')).toBeUndefined();
    expect(findGitHubAllowRule(allow, 'someone/acme', 'v1')).toBeUndefined();
  });

  it('throws on a repository that is not owner/name', () => {
    expect(() => findGitHubAllowRule(allow, 'acme/../web', 'v1')).toThrow(
      'Invalid repository',
    );
  });
});

describe('readOrchGitHubConfig', () => {
  it('reads the allowlist with its defaults, or nothing when unset', () => {
    expect(readOrchGitHubConfig(new ConfigReader({}))).toBeUndefined();
    expect(
      readOrchGitHubConfig(
        new ConfigReader({
          orch: {
            catalog: {
              github: { allow: [{ org: 'acme' }], connection: 'github-main' },
            },
          },
        }),
      ),
    ).toEqual({
      allow: [{ org: 'acme', repo: undefined, tags: '*' }],
      connection: 'github-main',
      apiUrl: undefined,
    });
  });

  it('refuses a rule with both or neither of org and repo', () => {
    const config = (rule: object) =>
      new ConfigReader({ orch: { catalog: { github: { allow: [rule] } } } });
    expect(() => readOrchGitHubConfig(config({ tags: 'v*' }))).toThrow(
      'each rule names exactly one of org or repo',
    );
    expect(() =>
      readOrchGitHubConfig(config({ org: 'a', repo: 'a/b' })),
    ).toThrow('each rule names exactly one of org or repo');
  });
});
