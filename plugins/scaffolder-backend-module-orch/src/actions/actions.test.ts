import type { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { parse } from 'yaml';
import { OrchClient } from './OrchClient';
import { createOrchProjectInstallAction } from './projectInstall';
import { createOrchRunbookExecuteAction } from './runbookExecute';

// The actions' runs are tested end to end (scaffolder task → Orch → worker)
// in packages/backend/src/scaffolder.test.ts; these check their contract.
const client = new OrchClient({
  discovery: {} as DiscoveryService,
  auth: {} as AuthService,
});

describe.each([
  ['orch:runbook:execute', createOrchRunbookExecuteAction({ client })],
  ['orch:project:install', createOrchProjectInstallAction({ client })],
])('%s', (id, action) => {
  it('has its id, supports dry runs, and outputs jobId, status and outputs', () => {
    expect(action.id).toBe(id);
    expect(action.supportsDryRun).toBe(true);
    const output = action.schema?.output as { properties: Record<string, unknown> };
    expect(Object.keys(output.properties).sort()).toEqual(['jobId', 'outputs', 'status']);
  });

  it('has examples that use it with inputs its schema knows', () => {
    const input = action.schema?.input as { properties: Record<string, unknown>; required: string[] };
    const known = Object.keys(input.properties);
    const steps = action.examples!.flatMap(e => parse(e.example).steps);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const step of steps) {
      expect(step.action).toBe(id);
      expect(Object.keys(step.input).filter(k => !known.includes(k))).toEqual([]);
      expect(input.required.filter(k => !(k in step.input))).toEqual([]);
    }
  });
});

it('orch:project:install takes exactly the documented inputs', () => {
  const input = createOrchProjectInstallAction({ client }).schema?.input as {
    properties: Record<string, unknown>;
  };
  expect(Object.keys(input.properties).sort()).toEqual(
    ['dryRun', 'environment', 'inputs', 'project', 'ref', 'repository', 'wait'].sort(),
  );
});
