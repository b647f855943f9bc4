/** Names Ansible accepts as variable names. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Nesting deeper than this is refused rather than risking a stack overflow. */
const MAX_DEPTH = 64;

/**
 * Serialises extra vars for ansible-runner's `env/extravars` so that Jinja never
 * evaluates user input: every string, at any depth (mapping keys included), is
 * written as `!unsafe "…"`. Numbers, booleans and null are written plain;
 * objects and arrays in flow style.
 *
 * The output is plain ASCII: every character outside printable ASCII is
 * written as a YAML escape, so control characters, C1 codes and lone
 * surrogates (replaced by U+FFFD) can never make the YAML invalid.
 *
 * Throws when a top-level key is not a valid Ansible variable name
 * (`^[A-Za-z_][A-Za-z0-9_]*$`), on a non-finite number, a cycle, nesting
 * deeper than 64 levels, or a value that has no JSON form (function, symbol,
 * Map, …). `undefined` members are left out, as `JSON.stringify` does.
 *
 * @public
 */
export function toUnsafeExtravarsYaml(vars: Record<string, unknown>): string {
  if (!isPlainObject(vars)) {
    throw new TypeError('extra vars must be a plain object');
  }
  const lines: string[] = [];
  for (const [key, value] of Object.entries(vars)) {
    if (!VARIABLE_NAME.test(key)) {
      throw new TypeError(
        `invalid extra var name ${JSON.stringify(
          key,
        )}: it must match ${VARIABLE_NAME}`,
      );
    }
    const yaml = toYamlValue(value, key, 1, new Set());
    if (yaml !== undefined) {
      // Quoted: YAML 1.1 reads bare `no`, `yes`, `on`, `null` keys as
      // booleans or null.
      lines.push(`${JSON.stringify(key)}: ${yaml}`);
    }
  }
  return lines.length === 0 ? '{}\n' : `${lines.join('\n')}\n`;
}

function toYamlValue(
  input: unknown,
  path: string,
  depth: number,
  ancestors: Set<object>,
): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    // Dates and the like: use their JSON form, as JSON.stringify would.
    value = (value as { toJSON(key: string): unknown }).toJSON(path);
  }
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return `!unsafe ${quote(value)}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return formatNumber(value, path);
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      throw new TypeError(
        `extra var ${path} is a ${typeof value}, which YAML cannot hold`,
      );
  }
  if (value === null) {
    return 'null';
  }
  if (depth > MAX_DEPTH) {
    throw new TypeError(
      `extra var ${path} is nested more than ${MAX_DEPTH} levels deep`,
    );
  }
  if (ancestors.has(value)) {
    throw new TypeError(`extra var ${path} contains a cycle`);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map(
        (item, index) =>
          toYamlValue(item, `${path}[${index}]`, depth + 1, ancestors) ??
          'null',
      );
      return `[${items.join(', ')}]`;
    }
    if (!isPlainObject(value)) {
      throw new TypeError(`extra var ${path} is not a plain object or array`);
    }
    const entries: string[] = [];
    for (const [key, member] of Object.entries(value)) {
      const yaml = toYamlValue(member, `${path}.${key}`, depth + 1, ancestors);
      if (yaml !== undefined) {
        entries.push(`!unsafe ${quote(key)}: ${yaml}`);
      }
    }
    return `{${entries.join(', ')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * YAML 1.1 (what Ansible's loader speaks) reads a float only with a dot in the
 * mantissa: `1e+21` would come back as a string, so it is written `1.0e+21`.
 */
function formatNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`extra var ${path} is not a finite number`);
  }
  const text = String(value);
  const exponent = text.indexOf('e');
  if (exponent >= 0 && !text.slice(0, exponent).includes('.')) {
    return `${text.slice(0, exponent)}.0${text.slice(exponent)}`;
  }
  return text;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x00: '\\0',
  0x09: '\\t',
  0x0a: '\\n',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** A YAML double-quoted scalar holding exactly `text`, in printable ASCII. */
function quote(text: string): string {
  let out = '"';
  for (const char of text) {
    // Iterating a string yields whole code points; a lone surrogate comes alone.
    let code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      code = 0xfffd;
    }
    const short = SHORT_ESCAPES[code];
    if (short) {
      out += short;
    } else if (code >= 0x20 && code <= 0x7e) {
      out += String.fromCharCode(code);
    } else if (code <= 0xffff) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}
