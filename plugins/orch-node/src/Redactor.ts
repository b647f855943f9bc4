const MASK = '********';

/**
 * Replaces known secret values wherever they appear: in strings, in nested
 * objects and arrays, and in object keys' values. Build one per job from the
 * secrets that job can see; everything written to events, logs, artifacts
 * or API answers goes through it.
 * @public
 */
export class Redactor {
  private readonly secrets: string[];

  /**
   * @param secrets - secret values; values shorter than 4 characters are
   * ignored, since masking them would shred ordinary text.
   */
  constructor(secrets: Iterable<string>) {
    this.secrets = [...new Set([...secrets].filter(s => s && s.length >= 4))]
      // Longest first, so a secret containing another is masked whole.
      .sort((a, b) => b.length - a.length);
  }

  /** Whether any secret is registered. */
  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** Masks every secret in a string. */
  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** Masks every secret in any JSON-like value, returning a copy. */
  value<T>(value: T): T {
    if (!this.active) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map(v => this.walk(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.walk(v);
      return out;
    }
    return value;
  }
}
