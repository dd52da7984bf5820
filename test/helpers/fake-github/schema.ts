import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * GitHub's description is OpenAPI 3.0: `nullable: true` instead of JSON Schema's `type: [..,
 * 'null']`, and formats (`int64`, `repo.nwo`, ...) that JSON Schema does not define. This turns one
 * of its schemas into plain JSON Schema for ajv. Ajv's own `nullable` support needs `type` beside
 * it, and GitHub writes `nullable` beside `oneOf` too, hence the conversion.
 */
export type Schema = { readonly [key: string]: unknown };

const MAPS = ['properties', 'patternProperties'];
const LISTS = ['allOf', 'anyOf', 'oneOf'];
const SINGLES = ['items', 'additionalProperties', 'not'];

export interface ConvertOptions {
  /**
   * Rejects properties a request schema does not name. GitHub ignores them, so a misspelt field
   * (`label` for `labels`) would silently do nothing there; the fake fails the test instead.
   */
  readonly closed: boolean;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toJsonSchema(schema: Schema, options: ConvertOptions): Schema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key.startsWith('x-') || key === 'discriminator') continue;
    if (MAPS.includes(key) && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, isSchema(s) ? toJsonSchema(s, options) : s]),
      );
    } else if (LISTS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((s: unknown) => (isSchema(s) ? toJsonSchema(s, options) : s));
    } else if (SINGLES.includes(key) && isSchema(value)) {
      out[key] = toJsonSchema(value, options);
    } else {
      out[key] = value;
    }
  }
  const combined = LISTS.some((k) => k in out);
  if (
    options.closed &&
    out.type === 'object' &&
    'properties' in out &&
    !combined &&
    !('additionalProperties' in out)
  ) {
    out.additionalProperties = false;
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/** Formats ajv-formats knows are checked; GitHub's own (`int64`, `repo.nwo`, ...) are accepted as is. */
function addUnknownFormats(ajv: Ajv, schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) addUnknownFormats(ajv, item);
    return;
  }
  if (!isSchema(schema)) return;
  if (typeof schema.format === 'string' && ajv.formats[schema.format] === undefined)
    ajv.addFormat(schema.format, true);
  for (const value of Object.values(schema)) addUnknownFormats(ajv, value);
}

export function createAjv(): Ajv {
  // strict: GitHub's schemas use `default` and `enum` in ways ajv's strict mode flags (e.g.
  // `default` inside oneOf branches); they are valid JSON Schema, only unusual.
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
  addFormats.default(ajv);
  return ajv;
}

export function compile(ajv: Ajv, schema: Schema, options: ConvertOptions): ValidateFunction {
  const converted = toJsonSchema(schema, options);
  addUnknownFormats(ajv, converted);
  return ajv.compile(converted);
}

/** A compiled schema: null when the value is valid, else what is wrong with it. */
export type Check = (value: unknown) => string | null;

/**
 * Compiles on first use and once per distinct schema: GitHub's issue schema takes ~0.6 s to
 * compile and recurs in get, create and (as array items) list, and a test file touches only some
 * operations.
 */
export class SchemaChecks {
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly ajv: Ajv = createAjv()) {}

  check(schema: Schema, options: ConvertOptions): Check {
    const items = schema.items;
    const arrayOnly = schema.type === 'array' && Object.keys(schema).length === 2 && isSchema(items);
    if (arrayOnly) {
      const each = this.check(items, options);
      return (value) => {
        if (!Array.isArray(value)) return '/ must be array';
        for (const [i, item] of value.entries()) {
          const problem = each(item);
          if (problem !== null) return `item ${i}: ${problem}`;
        }
        return null;
      };
    }
    return (value) => {
      const validate = this.validator(schema, options);
      return validate(value) ? null : describeErrors(validate.errors);
    };
  }

  private validator(schema: Schema, options: ConvertOptions): ValidateFunction {
    const key = `${options.closed}:${JSON.stringify(schema)}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = compile(this.ajv, schema, options);
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');
}
