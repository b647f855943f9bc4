import { constants, readFileSync } from 'fs';
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  rm,
  stat,
  writeFile,
} from 'fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'path';
import { writeExtravars } from './writeExtravars';

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const FILE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * A request problem that is reported as status `error` with this message.
 * @public
 */
export class RunnerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerInputError';
  }
}

/**
 * The private data dir of one run, laid out for ansible-runner.
 * @public
 */
export type DataDir = {
  /** `<dataRoot>/job-XXXXXX`, mode 0700: ansible-runner's private_data_dir. */
  root: string;
  /** HOME of the child processes. */
  home: string;
  /** ANSIBLE_LOCAL_TEMP of the child processes. */
  localTemp: string;
  /** Where ansible-runner writes `artifacts/<ident>/`. */
  runnerArtifacts: string;
  /** Absolute project dir (the runbooks root), passed as `--project-dir`. */
  projectDir: string;
  /** Absolute inventory file or directory, passed as `--inventory`. */
  inventory: string;
  /** `<projectDir>/ansible.cfg` when it exists. */
  ansibleConfig?: string;
};

/** Resolves `rel` inside `base`; refuses absolute paths and escapes. */
function inside(base: string, rel: string, what: string): string {
  if (!rel || isAbsolute(rel)) {
    throw new RunnerInputError(
      `${what} must be a path relative to the project: ${JSON.stringify(rel)}`,
    );
  }
  const full = resolve(base, rel);
  const r = relative(base, full);
  if (r === '' || r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) {
    throw new RunnerInputError(
      `${what} is outside the project: ${JSON.stringify(rel)}`,
    );
  }
  return full;
}

async function exists(path: string, what: string, kind: 'file' | 'any') {
  try {
    const s = await stat(path);
    if (kind === 'file' && !s.isFile()) {
      throw new RunnerInputError(`${what} is not a file`);
    }
    await access(path, constants.R_OK);
  } catch (e) {
    if (e instanceof RunnerInputError) throw e;
    throw new RunnerInputError(`${what} not found`);
  }
}

/**
 * Throws a {@link RunnerInputError} unless `jobId` is safe as a folder name
 * and runner ident: `^[A-Za-z0-9][A-Za-z0-9_.-]*$`, at most 128 characters.
 * @public
 */
export function checkJobId(jobId: string): void {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId) || jobId.length > 128) {
    throw new RunnerInputError(`invalid jobId ${JSON.stringify(jobId)}`);
  }
}

/**
 * Checks a request's paths and names before anything is created: jobId,
 * playbook and inventory inside the project, file names.
 * @public
 */
export async function checkRequest(req: {
  jobId: string;
  projectDir: string;
  playbook: string;
  inventory?: string;
  files?: Array<{ name: string; content: string }>;
}): Promise<{
  projectDir: string;
  playbook: string;
  inventory: string;
  ansibleConfig?: string;
}> {
  checkJobId(req.jobId);
  const projectDir = resolve(req.projectDir);
  try {
    if (!(await stat(projectDir)).isDirectory()) throw new Error();
  } catch {
    throw new RunnerInputError(`project dir ${projectDir} not found`);
  }
  const playbook = inside(projectDir, req.playbook, 'playbook');
  await exists(playbook, `playbook ${req.playbook}`, 'file');
  const invRel = req.inventory ?? 'inventory/hosts.yml';
  const inventory = inside(projectDir, invRel, 'inventory');
  await exists(inventory, `inventory ${invRel}`, 'any');
  const seen = new Set<string>();
  for (const f of req.files ?? []) {
    if (!FILE_NAME.test(f.name) || f.name === '.' || f.name === '..') {
      throw new RunnerInputError(`invalid file name ${JSON.stringify(f.name)}`);
    }
    if (seen.has(f.name)) {
      throw new RunnerInputError(
        `duplicate file name ${JSON.stringify(f.name)}`,
      );
    }
    seen.add(f.name);
  }
  const cfg = join(projectDir, 'ansible.cfg');
  const ansibleConfig = await stat(cfg).then(
    s => (s.isFile() ? cfg : undefined),
    () => undefined,
  );
  return {
    projectDir,
    playbook: relative(projectDir, playbook),
    inventory,
    ansibleConfig,
  };
}

/**
 * Creates `dataRoot` (0700) if missing and a fresh private data dir
 * `<dataRoot>/job-XXXXXX` (0700) inside it.
 * @public
 */
/** Environment variable naming the data dir, set on the runner's tree. */
export const RUN_MARKER = 'ORCH_RUN';

/** File in each data dir naming the worker process that owns it. */
export const OWNER_FILE = 'owner';

/** `<pid> <start time>` of this process, from /proc (pid alone elsewhere). */
export function ownerStamp(pid = process.pid): string {
  const start = procStart(pid);
  return start ? `${pid} ${start}` : `${pid}`;
}

/** A process's start time in clock ticks since boot, or undefined. */
export function procStart(pid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.slice(line.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export async function makeDataDir(dataRoot: string): Promise<string> {
  await mkdir(dataRoot, { recursive: true, mode: 0o700 });
  const root = await mkdtemp(join(dataRoot, 'job-'));
  await chmod(root, 0o700);
  // Who owns the dir: a worker that starts after a crash reaps the dirs (and
  // process trees) of owners that are gone (reapOrphans.ts).
  await writeFile(join(root, OWNER_FILE), ownerStamp(), { mode: 0o600 });
  return root;
}

/**
 * Fills a private data dir for ansible-runner: `env/extravars` (0600)
 * holding extravars + secrets + `orch_job_id` (+ `orch_files_dir`),
 * `files/` (0700, files 0600), `home/` and `tmp/`. The project and the
 * inventory are not copied: ansible-runner gets their absolute paths with
 * `--project-dir` and `--inventory`. The caller removes `root` afterwards,
 * also when this throws.
 * @public
 */
export async function prepareDataDir(
  root: string,
  opts: {
    jobId: string;
    projectDir: string;
    inventory: string;
    ansibleConfig?: string;
    extravars: Record<string, unknown>;
    secrets: Record<string, string>;
    files?: Array<{ name: string; content: string }>;
  },
): Promise<DataDir> {
  const home = join(root, 'home');
  const localTemp = join(root, 'tmp');
  for (const d of [join(root, 'env'), home, localTemp]) {
    await mkdir(d, { mode: 0o700 });
  }
  const vars: Record<string, unknown> = {
    ...opts.extravars,
    ...opts.secrets,
    orch_job_id: opts.jobId,
  };
  if (opts.files?.length) {
    const filesDir = join(root, 'files');
    await mkdir(filesDir, { mode: 0o700 });
    for (const f of opts.files) {
      await writeFile(join(filesDir, f.name), f.content, {
        mode: 0o600,
        flag: 'wx',
      });
    }
    vars.orch_files_dir = filesDir;
  }
  try {
    await writeExtravars(join(root, 'env', 'extravars'), vars);
  } catch (e) {
    throw new RunnerInputError((e as Error).message);
  }
  return {
    root,
    home,
    localTemp,
    runnerArtifacts: join(root, 'artifacts'),
    projectDir: opts.projectDir,
    inventory: opts.inventory,
    ansibleConfig: opts.ansibleConfig,
  };
}

/**
 * Deletes a private data dir and everything in it; never throws.
 * @public
 */
export async function removeDataDir(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true, maxRetries: 3 }).catch(
    () => {},
  );
}
