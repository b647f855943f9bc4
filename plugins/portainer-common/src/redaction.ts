/**
 * What replaces a redacted value.
 * @public
 */
export const REDACTED = '********';

// Names people give to secrets in environments and labels: DB_PASSWORD,
// API_KEY, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, SENTRY_DSN, …
const SECRET_NAME =
  /pass(word|wd|phrase)?|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|credential|auth|cookie|session|signature|salt|dsn|(^|[_.-])key$|(^|[_.-])pwd$/i;

// user:password@ inside a URL (postgres://app:hunter2@db/app).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi;

/**
 * Whether a variable or label name looks like it holds a secret.
 * @public
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A value safe to show under `name`: {@link REDACTED} for secret-looking
 * names, otherwise the value with any password inside a URL masked.
 * @public
 */
export function redactValue(
  name: string,
  value: string,
): { value: string; redacted: boolean } {
  if (isSecretName(name)) return { value: REDACTED, redacted: true };
  const masked = value.replace(URL_CREDENTIALS, `$1:${REDACTED}@`);
  return { value: masked, redacted: masked !== value };
}

/**
 * A `KEY=value` environment entry split and redacted (see
 * {@link redactValue}).
 * @public
 */
export function redactEnvEntry(entry: string): {
  name: string;
  value: string;
  redacted: boolean;
} {
  const eq = entry.indexOf('=');
  const name = eq < 0 ? entry : entry.slice(0, eq);
  const raw = eq < 0 ? '' : entry.slice(eq + 1);
  return { name, ...redactValue(name, raw) };
}

/**
 * Labels with the values of secret-looking keys redacted.
 * @public
 */
export function redactLabels(
  labels: Record<string, string> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    out[key] = redactValue(key, String(value)).value;
  }
  return out;
}

/**
 * Command-line arguments with secret-looking options masked:
 * `--password=x` and `--db-token x` keep the option and lose the value.
 * @public
 */
export function redactArgs(
  args: readonly string[] | null | undefined,
): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of args ?? []) {
    if (maskNext) {
      out.push(REDACTED);
      maskNext = false;
      continue;
    }
    const option = /^(--?[A-Za-z0-9_.-]+)(=(.*))?$/.exec(arg);
    if (option && isSecretName(option[1].replace(/^-+/, ''))) {
      if (option[2] !== undefined) out.push(`${option[1]}=${REDACTED}`);
      else {
        out.push(arg);
        maskNext = true;
      }
      continue;
    }
    out.push(redactValue('', arg).value);
  }
  return out;
}
