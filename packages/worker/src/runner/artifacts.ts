import { createReadStream, createWriteStream, WriteStream } from 'fs';
import {
  chmod,
  copyFile,
  mkdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'fs/promises';
import { once } from 'events';
import { join } from 'path';
import { createInterface } from 'readline';
import { create as createTar } from 'tar';

/** Files inside `artifacts.tar.gz`; never `command`, `env/`, `job_events/` or `fact_cache`. */
export const TARBALL_ENTRIES = [
  'output.json',
  'logs.ndjson',
  'stdout',
  'status',
  'rc',
];

/** Above this size ansible-runner's stdout is redacted line by line instead of whole. */
const WHOLE_STDOUT_LIMIT = 64 * 1024 * 1024;

function asText(value: unknown): string {
  return typeof value === 'string' ? value : String(value ?? '');
}

/**
 * Writes one job's artifacts under `<artifactsRoot>/<jobId>/` (0750):
 * `logs.ndjson` as events stream, then `output.json` and `artifacts.tar.gz`
 * at the end. Everything handed to it must already be redacted, except
 * ansible-runner's own files, which {@link ArtifactWriter.finish} redacts.
 * @public
 */
export class ArtifactWriter {
  private closed = false;
  private failure?: Error;

  private constructor(
    /** `<artifactsRoot>/<jobId>` */
    readonly dir: string,
    private readonly logs: WriteStream,
  ) {
    logs.on('error', e => {
      this.failure ??= e;
    });
  }

  /** Creates the job's artifacts dir and opens `logs.ndjson` (truncating a previous attempt's). */
  static async open(
    artifactsRoot: string,
    jobId: string,
  ): Promise<ArtifactWriter> {
    const dir = join(artifactsRoot, jobId);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chmod(dir, 0o750);
    const logs = createWriteStream(join(dir, 'logs.ndjson'), {
      flags: 'w',
      mode: 0o640,
    });
    await once(logs, 'open');
    return new ArtifactWriter(dir, logs);
  }

  /** Appends one (redacted) event as a JSON line; waits when the disk is slower than the run. */
  async append(event: unknown): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.logs.write(`${JSON.stringify(event)}\n`)) {
      await once(this.logs, 'drain');
    }
  }

  /** Closes `logs.ndjson` (idempotent). */
  async closeLogs(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve, reject) => {
      this.logs.end((e?: Error | null) => (e ? reject(e) : resolve()));
    });
    if (this.failure) throw this.failure;
  }

  /**
   * Writes `output.json` (already redacted) and `artifacts.tar.gz` holding
   * output.json, logs.ndjson, and ansible-runner's `stdout`, `status` and
   * `rc` (from `runnerDir` = `artifacts/<ident>` of the data dir, redacted;
   * `status`/`rc` fall back to `fallback` when the runner wrote none). The
   * tarball is staged in `stagingDir` (inside the private data dir) and
   * renamed into place; without a staging dir only output.json is written.
   */
  async finish(opts: {
    output: Record<string, unknown>;
    runnerDir?: string;
    stagingDir?: string;
    fallback: { status: string; rc: number | null };
    redact: (value: unknown) => unknown;
  }): Promise<void> {
    await this.closeLogs();
    const outputJson = `${JSON.stringify(opts.output, null, 2)}\n`;
    await writeFile(join(this.dir, 'output.json'), outputJson, { mode: 0o640 });

    const bundle = opts.stagingDir;
    if (!bundle) return;
    await mkdir(bundle, { recursive: true, mode: 0o700 });
    await writeFile(join(bundle, 'output.json'), outputJson, { mode: 0o600 });
    await copyFile(join(this.dir, 'logs.ndjson'), join(bundle, 'logs.ndjson'));
    await redactFile(
      opts.runnerDir && join(opts.runnerDir, 'stdout'),
      join(bundle, 'stdout'),
      opts.redact,
    );
    for (const [name, fallback] of [
      ['status', opts.fallback.status],
      ['rc', opts.fallback.rc === null ? '' : String(opts.fallback.rc)],
    ] as const) {
      const raw = opts.runnerDir
        ? await readFile(join(opts.runnerDir, name), 'utf8').catch(
            () => undefined,
          )
        : undefined;
      await writeFile(
        join(bundle, name),
        asText(opts.redact(raw ?? fallback)),
        {
          mode: 0o600,
        },
      );
    }

    const tmp = join(this.dir, `.artifacts.tar.gz.${process.pid}.tmp`);
    try {
      await createTar(
        { gzip: true, file: tmp, cwd: bundle, portable: true },
        TARBALL_ENTRIES,
      );
      await chmod(tmp, 0o640);
      await rename(tmp, join(this.dir, 'artifacts.tar.gz'));
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/**
 * Copies `from` to `to` through `redact`: whole when it fits in memory (so
 * multi-line secrets are caught), line by line otherwise. A missing source
 * gives an empty file.
 */
async function redactFile(
  from: string | undefined,
  to: string,
  redact: (value: unknown) => unknown,
): Promise<void> {
  const size = from
    ? await stat(from).then(
        s => s.size,
        () => -1,
      )
    : -1;
  if (!from || size < 0) {
    await writeFile(to, '', { mode: 0o600 });
    return;
  }
  if (size <= WHOLE_STDOUT_LIMIT) {
    await writeFile(to, asText(redact(await readFile(from, 'utf8'))), {
      mode: 0o600,
    });
    return;
  }
  const out = createWriteStream(to, { mode: 0o600 });
  const lines = createInterface({
    input: createReadStream(from, 'utf8'),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (!out.write(`${asText(redact(line))}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => {
    out.end((e?: Error | null) => (e ? reject(e) : resolve()));
  });
}
