import fs from 'fs/promises';
import os from 'os';
import path from 'path';

const RUNBOOKS: Record<string, string> = {
  hello: `name: hello
version: 1.0.0
title: Hello
description: Prints a message.
category: demo
risk: low
playbook: playbooks/hello.yml
environments: [prod, stage]
timeoutSeconds: 60
inputs:
  type: object
  additionalProperties: false
  properties:
    message: {type: string}
`,
  swarm_deploy: `name: swarm_deploy
version: 1.2.0
title: Swarm deploy
description: Deploys a stack on the swarm.
category: deploy
risk: medium
playbook: playbooks/swarm_deploy.yml
environments: [prod, stage]
timeoutSeconds: 600
inputs:
  type: object
  properties:
    stack: {type: string}
    replicas: {type: integer}
    registry_token: {type: string, x-orch-secret: true}
`,
};

/**
 * A manifest: `name` with `steps` running `runbooks` in order, the first
 * step taking every input. `dependsOnProject` adds a project dependency.
 */
export function manifest(
  name: string,
  options: {
    title?: string;
    runbooks?: string[];
    dependsOnProject?: string;
    owner?: string;
  } = {},
): string {
  const runbooks = options.runbooks ?? ['hello'];
  const steps = runbooks
    .map(
      (runbook, i) => `    - id: step${i + 1}
      runbook: ${runbook}
      inputs:
${
  runbook === 'swarm_deploy'
    ? `        stack: \${{ inputs.stack }}
        replicas: \${{ inputs.replicas }}
        registry_token: \${{ inputs.token }}`
    : `        message: "hello \${{ inputs.stack }}"`
}`,
    )
    .join('\n');
  return `apiVersion: orch/v1
kind: Project
metadata:
  name: ${name}
  title: ${options.title ?? name}
  description: The ${name} project.
  owner: ${options.owner ?? 'group:default/platform-team'}
  tags: [demo]
spec:
  inputs:
    type: object
    required: [stack]
    properties:
      stack: {type: string, title: Stack, default: ${name}}
      replicas: {type: integer, minimum: 1, default: 2}
      token: {type: string, title: Registry token, x-orch-secret: true}
  dependencies:
    - runbook: hello
      version: ^1.0.0
${
  options.dependsOnProject
    ? `    - project: ${options.dependsOnProject}\n      version: '>=1'\n`
    : ''
}  steps:
${steps}
  outputs:
    stack: \${{ steps.step1.status }}
`;
}

/**
 * A runbooks root in a new temporary folder: `playbooks/` with two runbooks
 * (hello, swarm_deploy) and `manifests/<name>/orch.yaml` for each entry.
 */
export async function writeRunbooksRoot(
  manifests: Record<string, string>,
): Promise<{ root: string; manifestsDir: string; remove(): Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-catalog-'));
  await fs.mkdir(path.join(root, 'playbooks'));
  for (const [name, descriptor] of Object.entries(RUNBOOKS)) {
    await fs.writeFile(
      path.join(root, 'playbooks', `${name}.runbook.yaml`),
      descriptor,
    );
    await fs.writeFile(
      path.join(root, 'playbooks', `${name}.yml`),
      '- hosts: localhost\n  tasks: []\n',
    );
  }
  const manifestsDir = path.join(root, 'manifests');
  await fs.mkdir(manifestsDir);
  for (const [folder, text] of Object.entries(manifests)) {
    await fs.mkdir(path.join(manifestsDir, folder));
    await fs.writeFile(path.join(manifestsDir, folder, 'orch.yaml'), text);
  }
  return {
    root,
    manifestsDir,
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}
