import type { Schema } from './schema.js';
import type { Operation, Parameter } from './spec.js';

/** A request checked against its operation: parameters coerced to their schema types, body parsed. */
export interface CheckedRequest {
  readonly problems: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

function typesOf(schema: Schema): Set<unknown> {
  const types = new Set<unknown>(Array.isArray(schema.type) ? schema.type : [schema.type]);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const b of branches) for (const t of typesOf(b as Schema)) types.add(t);
  }
  return types;
}

/** Query and path values are strings on the wire; the schema says what they stand for. */
function coerce(raw: string, schema: Schema): unknown {
  const types = typesOf(schema);
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (types.has('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function checkParameter(
  p: Parameter,
  raw: string | undefined,
  problems: string[],
  out: Record<string, unknown>,
) {
  if (raw === undefined) {
    if (p.required) problems.push(`missing required ${p.in} parameter ${p.name}`);
    return;
  }
  const value = coerce(raw, p.schema);
  const problem = p.check(value);
  if (problem !== null) problems.push(`${p.in} parameter ${p.name}=${JSON.stringify(raw)}: ${problem}`);
  out[p.name] = value;
}

export function checkRequest(
  operation: Operation,
  path: Readonly<Record<string, string>>,
  query: URLSearchParams,
  rawBody: string,
): CheckedRequest {
  const problems: string[] = [];
  const params: Record<string, unknown> = {};
  for (const p of operation.parameters.values()) {
    checkParameter(p, p.in === 'path' ? path[p.name] : (query.get(p.name) ?? undefined), problems, params);
  }
  for (const name of new Set(query.keys())) {
    const p = operation.parameters.get(name);
    // GitHub ignores unknown query parameters, so a misspelt filter (`label=`) would list everything.
    if (p?.in !== 'query') problems.push(`unknown query parameter ${name}`);
    else if (query.getAll(name).length > 1) problems.push(`query parameter ${name} given more than once`);
  }

  let body: unknown;
  if (rawBody.trim() !== '') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      problems.push('request body is not JSON');
    }
  }
  if (operation.body === null) {
    if (body !== undefined) problems.push(`${operation.operationId} takes no request body`);
  } else if (body === undefined) {
    if (operation.body.required) problems.push('missing required request body');
  } else {
    const problem = operation.body.check(body);
    if (problem !== null) problems.push(`request body: ${problem}`);
  }
  return { problems, params, body };
}
