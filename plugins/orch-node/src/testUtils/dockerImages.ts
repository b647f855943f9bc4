import { spawn } from 'child_process';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';

/**
 * A tiny image for tests, built locally (no registry is reachable): the static
 * busybox of Debian's `busybox-static` package and a few links to it.
 * @public
 */
export const TEST_BUSYBOX_IMAGE = 'orch-test/busybox:latest';

const BUSYBOX_BINARY = '/bin/busybox';
const BUSYBOX_LINKS = [
  'sh',
  'sleep',
  'echo',
  'cat',
  'httpd',
  'wget',
  'ls',
  'true',
];

/**
 * Makes sure {@link TEST_BUSYBOX_IMAGE} exists in the local Docker engine,
 * building it with `docker import` when it is missing. Never pulls. Needs the
 * docker CLI and `busybox-static` (`/bin/busybox`). Returns the image name.
 * @public
 */
export async function ensureBusyboxImage(): Promise<string> {
  if (
    (await run('docker', ['image', 'inspect', TEST_BUSYBOX_IMAGE])).code === 0
  ) {
    return TEST_BUSYBOX_IMAGE;
  }
  try {
    await fs.access(BUSYBOX_BINARY);
  } catch {
    throw new Error(
      `${BUSYBOX_BINARY} is missing: install the Debian package busybox-static (script/bootstrap does)`,
    );
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-busybox-'));
  try {
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    await fs.copyFile(BUSYBOX_BINARY, path.join(bin, 'busybox'));
    await fs.chmod(path.join(bin, 'busybox'), 0o755);
    for (const link of BUSYBOX_LINKS) {
      await fs.symlink('busybox', path.join(bin, link));
    }
    await importRootfs(dir, TEST_BUSYBOX_IMAGE);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return TEST_BUSYBOX_IMAGE;
}

/** `tar -C dir -c . | docker import --change 'CMD ["/bin/sh"]' - image` */
async function importRootfs(dir: string, image: string): Promise<void> {
  const tar = spawn('tar', ['-C', dir, '-c', '.'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const docker = spawn(
    'docker',
    ['import', '--change', 'CMD ["/bin/sh"]', '-', image],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  tar.stdout.pipe(docker.stdin);
  const [tarResult, dockerResult] = await Promise.all([
    collect(tar, false),
    collect(docker),
  ]);
  if (tarResult.code !== 0) {
    throw new Error(`tar failed (${tarResult.code}): ${tarResult.stderr}`);
  }
  if (dockerResult.code !== 0) {
    throw new Error(
      `docker import failed (${dockerResult.code}): ${dockerResult.stderr}`,
    );
  }
}

type Result = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[]): Promise<Result> {
  return collect(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
}

function collect(
  child: ReturnType<typeof spawn>,
  captureStdout = true,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    if (captureStdout) {
      child.stdout?.on('data', d => {
        stdout += d;
      });
    }
    child.stderr?.on('data', d => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}
