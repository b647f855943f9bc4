import {
  REDACTED,
  type EnvVar,
  isSecretName,
  redactEnvEntry,
} from '@internal/backstage-plugin-portainer-common';

// Broader than portainer-common's isSecretName on purpose: what an incident
// captures is kept as a document and indexed for the AI, so any name that
// merely contains one of these words is masked.
const SECRET_KEY = /pass|secret|token|key|credential/i;

/**
 * Whether a variable or label name is masked in what an incident captures.
 * @public
 */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name) || isSecretName(name);
}

/**
 * `KEY=value` entries as {@link EnvVar}s, secret-looking values replaced by
 * `********` (and passwords inside URLs masked). Also returns the raw secret
 * values, so that they can be masked where they leak (log lines).
 * @public
 */
export function redactEnv(entries: readonly string[] | null | undefined): {
  env: EnvVar[];
  secrets: string[];
} {
  const env: EnvVar[] = [];
  const secrets: string[] = [];
  for (const entry of entries ?? []) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? '' : entry.slice(eq + 1);
    if (isSecretKey(name)) {
      env.push({ name, value: REDACTED, redacted: true });
      if (value) secrets.push(value);
    } else {
      const redacted = redactEnvEntry(entry);
      env.push(redacted);
      if (redacted.redacted && value) secrets.push(value);
    }
  }
  return { env, secrets };
}

/**
 * Labels with the values of secret-looking keys replaced by `********`.
 * @public
 */
export function redactLabelValues(
  labels: Record<string, string> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    out[key] = isSecretKey(key)
      ? REDACTED
      : redactEnvEntry(`${key}=${value}`).value;
  }
  return out;
}

/**
 * Replaces every occurrence of the given secret values in a text. Values
 * shorter than 4 characters are left alone: masking them would shred
 * ordinary text.
 * @public
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4 && out.includes(secret)) {
      out = out.split(secret).join(REDACTED);
    }
  }
  return out;
}
