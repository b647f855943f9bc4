import {
  CONTAINER_STATES,
  type ContainerState,
} from '@internal/backstage-plugin-portainer-common';
import type { Request } from 'express';
import { dockerSince } from '@internal/backstage-plugin-portainer-node';
import { InputValidationError, type FieldError } from '../service/errors';

const ENDPOINT_ID =
  /^(local|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A container id (or prefix) or name.
const CONTAINER_REF = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const MAX_LABEL_FILTERS = 10;

/**
 * Reads query parameters, collecting every failure; `done()` throws one 400
 * naming all failing fields.
 */
export class QueryReader {
  private readonly fields: FieldError[] = [];

  constructor(private readonly query: Request['query']) {}

  private fail(field: string, message: string) {
    this.fields.push({ field, message });
    return undefined;
  }

  private single(name: string): string | undefined {
    const value = this.query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || value.length > 200) {
      return this.fail(name, 'must be a single short string');
    }
    return value;
  }

  endpointId(): string {
    const value = this.single('endpointId');
    if (value === undefined) {
      if (!this.fields.some(f => f.field === 'endpointId')) {
        this.fail('endpointId', 'is required');
      }
      return '';
    }
    if (!ENDPOINT_ID.test(value)) {
      this.fail('endpointId', 'must be local or a connection id');
      return '';
    }
    return value.toLowerCase();
  }

  /** `endpointId` when given (incident filters), checked like {@link QueryReader.endpointId}. */
  optionalEndpointId(): string | undefined {
    if (this.single('endpointId') === undefined) return undefined;
    return this.endpointId();
  }

  string(name: string): string | undefined {
    return this.single(name);
  }

  /** One or more of `allowed`, as `name=a&name=b` or `name=a,b`. */
  someOf<T extends string>(
    name: string,
    allowed: readonly T[],
  ): T[] | undefined {
    const raw = this.query[name];
    if (raw === undefined || raw === '') return undefined;
    const list = (Array.isArray(raw) ? raw : [raw]).flatMap(v =>
      typeof v === 'string' ? v.split(',') : [''],
    );
    if (!list.length || !list.every(v => (allowed as readonly string[]).includes(v))) {
      return this.fail(name, `must be one or more of ${allowed.join(', ')}`);
    }
    return [...new Set(list)] as T[];
  }

  status(): ContainerState | undefined {
    const value = this.single('status');
    if (value === undefined) return undefined;
    if (!(CONTAINER_STATES as readonly string[]).includes(value)) {
      return this.fail(
        'status',
        `must be one of ${CONTAINER_STATES.join(', ')}`,
      );
    }
    return value as ContainerState;
  }

  /** `label=key` or `label=key=value`, repeatable. */
  labels(): Array<{ key: string; value?: string }> | undefined {
    const raw = this.query.label;
    if (raw === undefined) return undefined;
    const list = Array.isArray(raw) ? raw : [raw];
    if (
      list.length > MAX_LABEL_FILTERS ||
      !list.every(v => typeof v === 'string' && v && v.length <= 300)
    ) {
      return this.fail(
        'label',
        `must be key or key=value, at most ${MAX_LABEL_FILTERS} times`,
      );
    }
    return (list as string[]).map(entry => {
      const eq = entry.indexOf('=');
      return eq < 0
        ? { key: entry }
        : { key: entry.slice(0, eq), value: entry.slice(eq + 1) };
    });
  }

  int(name: string, max: number): number | undefined {
    const value = this.single(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max) {
      return this.fail(name, `must be an integer from 0 to ${max}`);
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.single(name);
    if (value === undefined) return undefined;
    if (['true', '1'].includes(value)) return true;
    if (['false', '0'].includes(value)) return false;
    return this.fail(name, 'must be true or false');
  }

  /** A time as Unix seconds (`1732579200`, `1732579200.5`) or RFC 3339; Docker's form back. */
  since(): string | undefined {
    const value = this.single('since');
    if (value === undefined) return undefined;
    if (/^\d{1,12}(\.\d{1,9})?$/.test(value)) return value;
    const rfc = dockerSince(value);
    if (rfc) return rfc;
    const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
    if (!Number.isNaN(ms)) return (ms / 1000).toFixed(3);
    return this.fail('since', 'must be Unix seconds or an ISO 8601 time');
  }

  /** The `:id` of a container route: a container id (or prefix) or name. */
  container(value: string): string {
    if (!CONTAINER_REF.test(value))
      this.fail('id', 'must be a container id or name');
    return value;
  }

  /** The `:id` of an incident route. */
  uuid(value: string): string {
    if (!UUID.test(value)) this.fail('id', 'must be an incident id');
    return value.toLowerCase();
  }

  done() {
    if (this.fields.length)
      throw new InputValidationError('Invalid query', this.fields);
  }
}
