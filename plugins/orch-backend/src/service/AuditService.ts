import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type {
  AuditEntry,
  AuditOutcome,
} from '@internal/backstage-plugin-orch-common';
import type {
  AuditListFilter,
  AuditListPage,
  AuditListResult,
  DatabaseAuditLog,
  Redactor,
} from '@internal/backstage-plugin-orch-node';
import type { Request } from 'express';

/** What a caller records; the service stamps the time. */
export type AuditRecordInput = {
  actor: string;
  action: string;
  target?: { type: string; id: string };
  outcome: AuditOutcome;
  client?: string;
  metadata?: Record<string, unknown>;
};

type AuditorMeta = NonNullable<
  Parameters<AuditorService['createEvent']>[0]['meta']
>;

/** Mask written in place of a secret. */
export const AUDIT_MASK = '********';
/** Largest stored metadata, in bytes of JSON. */
export const AUDIT_METADATA_MAX_BYTES = 8 * 1024;

const SECRET_KEY =
  /pass(word)?|secret|token|api[_-]?key|private[_-]?key|passphrase|credential|authorization|cookie/i;
const MAX_DEPTH = 20;
const USER_AGENT_CHARS = 80;

/**
 * Copies `value` into plain JSON: keys that name a secret are masked whole
 * (whatever their value), strings and keys go through the redactor, and
 * what JSON cannot hold (functions, cycles, depth beyond 20) is dropped or
 * marked.
 */
function scrub(
  value: unknown,
  redactor: Redactor | undefined,
  seen: Set<object>,
  depth: number,
): unknown {
  if (typeof value === 'string') return redactor ? redactor.text(value) : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return undefined;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map(v => scrub(v, redactor, seen, depth + 1) ?? null);
  } else {
    const obj: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const safeKey = redactor ? redactor.text(key) : key;
      if (SECRET_KEY.test(key)) {
        obj[safeKey] = AUDIT_MASK;
      } else {
        const copy = scrub(v, redactor, seen, depth + 1);
        if (copy !== undefined) obj[safeKey] = copy;
      }
    }
    out = obj;
  }
  seen.delete(value);
  return out;
}

/**
 * Caps metadata at {@link AUDIT_METADATA_MAX_BYTES}: beyond it, the entry
 * keeps a marker, the original size and a prefix of the JSON text.
 */
function cap(metadata: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(metadata);
  const bytes = Buffer.byteLength(json);
  if (bytes <= AUDIT_METADATA_MAX_BYTES) return metadata;
  let keep = AUDIT_METADATA_MAX_BYTES;
  for (;;) {
    const capped = {
      truncated: true,
      originalBytes: bytes,
      preview: json.slice(0, keep),
    };
    if (Buffer.byteLength(JSON.stringify(capped)) <= AUDIT_METADATA_MAX_BYTES) {
      return capped;
    }
    keep = Math.floor(keep * 0.9);
  }
}

/**
 * Metadata as stored: secret-named keys masked, the redactor applied to
 * every string, size capped. Exported for tests and other writers.
 */
export function sanitizeAuditMetadata(
  metadata: Record<string, unknown>,
  redactor?: Redactor,
): Record<string, unknown> {
  const copy = scrub(metadata, redactor, new Set(), 0) as Record<
    string,
    unknown
  >;
  return cap(copy);
}

/**
 * A short description of the client of a request: its IP address and the
 * first 80 characters of its user agent.
 */
export function clientOf(req: Request, clientIp?: string): string {
  const ip = clientIp ?? req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  const agent = (req.get('user-agent') ?? '').slice(0, USER_AGENT_CHARS);
  return agent ? `${ip} ${agent}` : ip;
}

/**
 * Writes the audit log of critical actions and reads it back. It owns the
 * secret rule for audit entries: no secret reaches a stored row. A failed
 * write fails the action it records (the error is logged and rethrown).
 * Each entry is also handed to Backstage's auditor service when one is given.
 */
export class AuditService {
  private readonly store: DatabaseAuditLog;
  private readonly logger: LoggerService;
  private readonly auditor?: AuditorService;

  constructor(options: {
    store: DatabaseAuditLog;
    logger: LoggerService;
    auditor?: AuditorService;
  }) {
    this.store = options.store;
    this.logger = options.logger;
    this.auditor = options.auditor;
  }

  /**
   * Records one action. `redactor` masks the secret values the action saw
   * wherever they appear in the metadata, target, or client.
   */
  async record(
    input: AuditRecordInput,
    redactor?: Redactor,
  ): Promise<AuditEntry> {
    const text = (s: string) => (redactor ? redactor.text(s) : s);
    const metadata =
      input.metadata === undefined
        ? undefined
        : sanitizeAuditMetadata(input.metadata, redactor);
    let entry: AuditEntry;
    try {
      entry = await this.store.append({
        actor: input.actor,
        action: input.action,
        targetType: input.target ? text(input.target.type) : undefined,
        targetId: input.target ? text(input.target.id) : undefined,
        outcome: input.outcome,
        client: input.client === undefined ? undefined : text(input.client),
        metadata,
      });
    } catch (error) {
      this.logger.error(
        `Failed to write audit entry ${input.action} by ${input.actor}`,
        error as Error,
      );
      throw error;
    }
    await this.forward(entry);
    return entry;
  }

  /** Lists entries newest first; see {@link DatabaseAuditLog.list}. */
  list(filter: AuditListFilter, page: AuditListPage): Promise<AuditListResult> {
    return this.store.list(filter, page);
  }

  // The database row is the record of truth; the auditor is a second sink,
  // so its failure is logged rather than failing the action.
  private async forward(entry: AuditEntry): Promise<void> {
    if (!this.auditor) return;
    try {
      const meta = JSON.parse(
        JSON.stringify({
          auditId: entry.id,
          actor: entry.actor,
          targetType: entry.targetType,
          targetId: entry.targetId,
          outcome: entry.outcome,
          client: entry.client,
          metadata: entry.metadata,
        }),
      ) as AuditorMeta;
      const event = await this.auditor.createEvent({
        eventId: entry.action,
        severityLevel: 'medium',
        meta,
      });
      if (entry.outcome === 'success') {
        await event.success();
      } else {
        await event.fail({
          error: new Error(`${entry.action} ${entry.outcome}`),
        });
      }
    } catch (error) {
      this.logger.warn(
        `Failed to forward audit entry ${entry.id} to the auditor service`,
        error as Error,
      );
    }
  }
}
