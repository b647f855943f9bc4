import { OrchHarness, engines } from './__testUtils__/orchHarness';

jest.setTimeout(180_000);

/**
 * A client written against the blueprint's API contract (DESIGN.md, "API
 * contract"): runbooks carry `schema`, execute takes just `{inputs}`, and a
 * generic connection's `values` is flat like the other types'.
 */
describe.each(engines())('the blueprint API contract on %s', engine => {
  const orch = new OrchHarness(engine);
  const withDefault = (env: string) => ({
    orch: { ...orch.configData.orch, environments: { default: env } },
  });

  beforeAll(async () => {
    await orch.init();
    await orch.startBackend({ config: withDefault('stage') });
    await orch.startWorker();
  });
  afterAll(() => orch.close());

  it('lists runbooks with `schema`, the same object as `inputs`', async () => {
    const list = await orch.api('GET', '/v1/runbooks');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    for (const item of list.body.items) {
      expect(typeof item.name).toBe('string');
      expect(typeof item.category).toBe('string');
      expect(item.schema).toEqual(item.inputs);
      expect(item.schema.type).toBe('object');
    }
    const one = await orch.api('GET', '/v1/runbooks/hello');
    expect(one.status).toBe(200);
    expect(one.body.schema).toEqual(one.body.inputs);
  });

  it('executes hello with only {inputs}: 202 {jobId}, in stage, to SUCCESS', async () => {
    const r = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'blueprint client' },
    });
    expect(r.status).toBe(202);
    expect(Object.keys(r.body)).toEqual(['jobId']);
    const messages = await orch.follow(r.body.jobId);
    expect(messages[messages.length - 1]).toMatchObject({ event: 'end', data: { status: 'SUCCESS' } });
    const { job } = await orch.job(r.body.jobId);
    expect(job).toMatchObject({ status: 'SUCCESS', environment: 'stage', runbookName: 'hello' });
    // The audit entry names the environment the job ran in, not the absent one.
    const audit = await orch.api('GET', '/v1/audit?action=runbook.execute&limit=500');
    const entry = audit.body.items.find((e: any) => e.targetId === r.body.jobId);
    expect(entry).toMatchObject({ outcome: 'success', metadata: { runbook: 'hello', environment: 'stage' } });
    // An explicit environment still wins.
    const prod = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'x' },
      environment: 'prod',
      dryRun: true,
    });
    expect(prod.status).toBe(200);
    expect(prod.body.environment).toBe('prod');
  });

  it('creates a generic connection from flat values; the nested old shape still works', async () => {
    const flat = await orch.api('POST', '/v1/connections', {
      type: 'generic',
      name: `generic-flat-${engine}`,
      environment: 'stage',
      values: { API_TOKEN: 'token-value-123456', REGION: 'eu' },
    });
    expect(flat.status).toBe(201);
    const read = await orch.api('GET', `/v1/connections/${flat.body.id}`);
    expect(read.status).toBe(200);
    expect(Object.keys(read.body.secrets).sort()).toEqual(['API_TOKEN', 'REGION']);
    expect(JSON.stringify(read.body)).not.toContain('token-value-123456');
    expect(read.body.secrets.API_TOKEN).toMatchObject({ set: true, last4: '3456' });

    const patched = await orch.api('PATCH', `/v1/connections/${flat.body.id}`, {
      values: { REGION: null, EXTRA: 'more' },
    });
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body.secrets).sort()).toEqual(['API_TOKEN', 'EXTRA']);

    const nested = await orch.api('POST', '/v1/connections', {
      type: 'generic',
      name: `generic-nested-${engine}`,
      environment: 'stage',
      values: { values: { API_TOKEN: 'token-value-123456', REGION: 'eu' } },
    });
    expect(nested.status).toBe(201);
    expect(Object.keys(nested.body.secrets).sort()).toEqual(['API_TOKEN', 'REGION']);

    const bad = await orch.api('POST', '/v1/connections', {
      type: 'generic',
      name: `generic-bad-${engine}`,
      environment: 'stage',
      values: { API_TOKEN: 42 },
    });
    expect(bad.status).toBe(400);
  });

  it('never defaults to prod: a configured default of prod answers 400 naming environment', async () => {
    await orch.stopBackend();
    await orch.startBackend({ config: withDefault('prod') });
    const r = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'x' },
    });
    expect(r.status).toBe(400);
    expect(r.body.fields.map((f: any) => f.field)).toEqual(['environment']);
    const explicit = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'x' },
      environment: 'stage',
      dryRun: true,
    });
    expect(explicit.status).toBe(200);
  });
});
