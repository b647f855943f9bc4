import { FakeGitHub } from '@internal/backstage-plugin-orch-node/testUtils';
import { OrchHarness, engines } from './__testUtils__/orchHarness';

jest.setTimeout(300_000);

/** A tiny project: one greeting by the `hello` runbook. */
const HELLO_MANIFEST = `apiVersion: orch/v1
kind: Project
metadata: { name: gh-hello, owner: group:platform-team }
spec:
  inputs:
    type: object
    properties:
      who: { type: string, default: github }
  steps:
    - id: greet
      runbook: hello
      inputs: { message: "hello \${{ inputs.who }}" }
  outputs:
    message: \${{ steps.greet.outputs.message }}
`;

describe.each(engines())('project installs from GitHub on %s', engine => {
  const orch = new OrchHarness(engine);
  const github = new FakeGitHub();
  const canary = `ghp_canary${Math.random()
    .toString(36)
    .slice(2)}Orch${Date.now()}`;

  beforeAll(async () => {
    await github.start();
    github.repos = {
      'acme/gh-hello': {
        tags: {
          'v1.0.0': { 'orch.yaml': HELLO_MANIFEST },
          'v2.0.0': { 'README.md': 'no manifest here' },
          'v3.0.0': { 'orch.yaml': { symlink: 'elsewhere/orch.yaml' } },
          'unreleased-1': { 'orch.yaml': HELLO_MANIFEST },
        },
      },
      'outsider/gh-hello': {
        tags: { 'v1.0.0': { 'orch.yaml': HELLO_MANIFEST } },
      },
    };
    await orch.init();
    await orch.startBackend({
      config: {
        orch: {
          ...orch.configData.orch,
          catalog: {
            github: {
              allow: [{ repo: 'acme/gh-hello', tags: 'v*' }],
              connection: `github-${engine}`,
            },
          },
        },
      },
    });
    await orch.startWorker();
    const created = await orch.api('POST', '/v1/connections', {
      type: 'github',
      name: `github-${engine}`,
      environment: 'stage',
      values: { token: canary, api_url: github.url },
    });
    if (created.status !== 201)
      throw new Error(
        `connection: ${created.status} ${JSON.stringify(created.body)}`,
      );
  });
  afterAll(async () => {
    await orch.close();
    await github.stop();
  });

  function install(body: Record<string, unknown>) {
    return orch.api('POST', '/v1/projects/install', {
      project: 'gh-hello',
      environment: 'stage',
      inputs: {},
      ...body,
    });
  }

  it('resolves a dry run from the manifest fetched at the allowed tag, with the connection token', async () => {
    const plan = await install({
      repository: 'acme/gh-hello',
      ref: 'v1.0.0',
      dryRun: true,
    });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      dryRun: true,
      project: 'gh-hello',
      repository: 'acme/gh-hello',
      ref: 'v1.0.0',
      environment: 'stage',
      inputs: { who: 'github' },
    });
    expect(plan.body.steps).toEqual([
      expect.objectContaining({
        id: 'greet',
        runbook: 'hello',
        inputs: { message: 'hello github' },
      }),
    ]);
    const contents = github.requests.filter(r =>
      r.url.startsWith('/repos/acme/gh-hello/contents/orch.yaml'),
    );
    expect(contents.map(r => [r.url, r.status])).toEqual([
      ['/repos/acme/gh-hello/contents/orch.yaml?ref=v1.0.0', 200],
    ]);
    expect(contents[0].authorization).toBe(`token ${canary}`);
  });

  it('installs an allowed repository at a tag: parent and child end SUCCESS, the source is recorded', async () => {
    const r = await install({
      repository: 'acme/gh-hello',
      ref: 'v1.0.0',
      inputs: { who: 'octocat' },
    });
    expect(r.status).toBe(202);
    const jobId = r.body.jobId as string;
    const messages = await orch.follow(jobId);
    expect(messages[messages.length - 1]).toMatchObject({
      event: 'end',
      data: { status: 'SUCCESS' },
    });
    const { job, children } = await orch.job(jobId);
    expect(job).toMatchObject({
      status: 'SUCCESS',
      kind: 'project',
      runbookVersion: 'v1.0.0',
      project: { name: 'gh-hello', repository: 'acme/gh-hello', ref: 'v1.0.0' },
    });
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([
      ['hello', 'SUCCESS'],
    ]);
    expect(job.outputs.outputs).toEqual({
      message: expect.stringContaining('hello octocat'),
    });
  });

  it('refuses a repository or tag outside the allowlist without asking GitHub', async () => {
    const before = github.requests.length;
    const outsider = await install({
      repository: 'outsider/gh-hello',
      ref: 'v1.0.0',
    });
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toContain(
      'outsider/gh-hello at v1.0.0 is not allowed by orch.catalog.github',
    );
    const tag = await install({
      repository: 'acme/gh-hello',
      ref: 'unreleased-1',
    });
    expect(tag.status).toBe(403);
    const dryRun = await install({
      repository: 'outsider/gh-hello',
      ref: 'v1.0.0',
      dryRun: true,
    });
    expect(dryRun.status).toBe(403);
    const path = await install({ repository: 'acme/../x', ref: 'v1.0.0' });
    expect(path.status).toBe(400);
    expect(path.body.fields).toEqual([
      { field: 'repository', message: 'must be owner/name' },
    ]);
    const noRef = await install({ repository: 'acme/gh-hello' });
    expect(noRef.status).toBe(400);
    expect(noRef.body.fields.map((f: any) => f.field)).toEqual(['ref']);
    expect(github.requests.length).toBe(before);
  });

  it('refuses a tag without a regular orch.yaml at the root, and a tag that does not exist', async () => {
    const missing = await install({
      repository: 'acme/gh-hello',
      ref: 'v2.0.0',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      "acme/gh-hello at v2.0.0: no orch.yaml at the repository's root at v2.0.0",
    );
    const link = await install({ repository: 'acme/gh-hello', ref: 'v3.0.0' });
    expect(link.status).toBe(400);
    expect(link.body.error.message).toBe(
      'acme/gh-hello at v3.0.0: orch.yaml at v3.0.0 is not a regular file',
    );
    const noTag = await install({ repository: 'acme/gh-hello', ref: 'v9.9.9' });
    expect(noTag.status).toBe(404);
    expect(noTag.body.error.message).toBe('acme/gh-hello has no tag v9.9.9');
  });

  it('answers 503 while GitHub is rate-limited', async () => {
    github.rateLimitedUntil = Math.floor(Date.now() / 1000) + 3600;
    try {
      const r = await install({ repository: 'acme/gh-hello', ref: 'v1.0.0' });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toContain(
        "GitHub's rate limit is spent until",
      );
    } finally {
      github.rateLimitedUntil = undefined;
    }
  });

  it('keeps the token out of the database, the audit and the logs', async () => {
    const audit = await orch.api('GET', '/v1/audit?action=project.install');
    expect(audit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          outcome: 'success',
          metadata: expect.objectContaining({
            repository: 'acme/gh-hello',
            ref: 'v1.0.0',
          }),
        }),
        expect.objectContaining({ outcome: 'denied' }),
      ]),
    );
    const everywhere = [
      await orch.dumpDatabase(),
      orch.logs.join('\n'),
      orch.workers.map(w => w.output()).join('\n'),
    ].join('\n');
    expect(everywhere).toContain('acme/gh-hello');
    expect(everywhere).not.toContain(canary);
  });
});
