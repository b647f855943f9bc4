import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import catalogModuleOrch from '@internal/backstage-plugin-catalog-backend-module-orch';
import scaffolderModuleOrch from '@internal/backstage-plugin-scaffolder-backend-module-orch';
import { spawn } from 'child_process';
import { createServer } from 'net';
import { join } from 'path';
import type { OrchHarness } from './orchHarness';
import { readSse } from '@internal/backstage-plugin-orch-node/testUtils';
import { REPO } from './testEnv';

/**
 * Starts the harness's backend with the catalog (with Orch's catalog
 * module, which emits an `install-<project>` template per manifest of the
 * harness's manifests folder, and the extra test templates of
 * __testUtils__/templates), the scaffolder and Orch's scaffolder module,
 * next to the orch plugin.
 */
export async function startWithScaffolder(orch: OrchHarness) {
  await orch.startBackend({
    extra: [
      catalogPlugin,
      scaffolderEntityModel,
      catalogModuleOrch,
      scaffolderPlugin,
      scaffolderModuleOrch,
    ],
    config: {
      catalog: {
        rules: [{ allow: ['Template', 'Component', 'Resource', 'Group', 'User', 'Location'] }],
        locations: [
          {
            type: 'file',
            target: join(REPO, 'packages/backend/src/__testUtils__/templates/templates.yaml'),
          },
        ],
      },
    },
  });
}

/** Resolves once the catalog serves the template (its processing loop is asynchronous). */
export async function templateReady(orch: OrchHarness, name: string): Promise<void> {
  const url = `${orch.baseUrl}/api/catalog/entities/by-name/template/default/${name}`;
  for (let i = 0; i < 600; i++) {
    const r = await fetch(url);
    if (r.status === 200) return;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`template ${name} never reached the catalog`);
}

export type TaskEvent = { type: string; body: { message?: string; status?: string; stepId?: string; output?: any } };

/** Runs a template through POST /api/scaffolder/v2/tasks and follows its event stream to completion. */
export async function runTask(
  orch: OrchHarness,
  template: string,
  values: Record<string, unknown>,
  secrets?: Record<string, string>,
) {
  const created = await fetch(`${orch.baseUrl}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ templateRef: `template:default/${template}`, values, secrets }),
  });
  if (created.status !== 201) {
    throw new Error(`task of ${template}: ${created.status} ${await created.text()}`);
  }
  const { id } = (await created.json()) as { id: string };
  const events: TaskEvent[] = [];
  const controller = new AbortController();
  try {
    for await (const m of readSse(`${orch.baseUrl}/api/scaffolder/v2/tasks/${id}/eventstream`, {
      signal: controller.signal,
    })) {
      events.push(m.data as TaskEvent);
      if (m.event === 'completion') break;
    }
  } finally {
    controller.abort();
  }
  const task = await (await fetch(`${orch.baseUrl}/api/scaffolder/v2/tasks/${id}`)).json();
  const log = events.map(e => e.body.message ?? '').join('\n');
  return { id, events, task, log };
}

/** Runs a template inline through POST /api/scaffolder/v2/dry-run. */
export async function dryRun(orch: OrchHarness, template: unknown, values: Record<string, unknown>) {
  const r = await fetch(`${orch.baseUrl}/api/scaffolder/v2/dry-run`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ template, values, directoryContents: [] }),
  });
  return { status: r.status, body: (await r.json()) as any };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command, resolving with its exit code and output. */
export function run(command: string, args: string[]) {
  return new Promise<{ code: number | null; out: string }>(resolve => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    child.on('close', code => resolve({ code, out }));
  });
}
