/**
 * The manifest's front door: text → Manifest through JSON, the schema-version gate, migration
 * of older schemas and zod, then the invariants zod cannot see. Every refusal is a
 * ManifestError whose message names the source and the exact problem.
 */
import type { z } from 'zod';
import { decodeManifest } from './manifest-decode.js';
import { ManifestError, refuse } from './manifest-errors.js';
import { laidOut } from './manifest-lines.js';
import { migrateV1 } from './manifest-migrate.js';
import { MANIFEST_SCHEMA_VERSION, type Manifest } from './manifest-model.js';
import { encodeManifest } from './manifest-serialize.js';
import { wireConditionSchema, wireHeadSchema, wireManifestSchema } from './manifest-wire.js';

export { ManifestError } from './manifest-errors.js';
export type {
  Attempt,
  AttemptClassification,
  AttemptPhase,
  AttemptRef,
  ConditionRecord,
  CreateManifestInput,
  CycleRecord,
  DecisionRecord,
  Manifest,
  ResourcesRequested,
  ResourcesUsed,
} from './manifest-model.js';
export { createManifest, MANIFEST_SCHEMA_VERSION } from './manifest-model.js';
export { serializeManifest } from './manifest-serialize.js';

export interface ParseManifestOptions {
  /** Shown in every message: a file path, `branch sweepwatch-state:manifest.json`, … */
  readonly source: string;
  /** When given, a manifest of another experiment is refused. */
  readonly experiment?: string;
}

/** V8's wording without the echoed text or offset, which we replace with a line number. */
function jsonProblem(detail: string): string {
  return detail.replace(/ in JSON at position \d+.*$/, '').replace(/, .* is not valid JSON$/s, '');
}

/** The 1-based line of a JSON error: from V8's offset, else the first record line that fails. */
function errorLine(text: string, detail: string): number | null {
  const at = /position (\d+)/.exec(detail);
  if (at) return text.slice(0, Number(at[1])).split('\n').length;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim().replace(/,$/, '');
    if (/^(?:[[\]{}]|"[a-z_]+":[[{])$/.test(line) || line === '') continue;
    const parses = (candidate: string) => {
      try {
        JSON.parse(candidate);
        return true;
      } catch {
        return false;
      }
    };
    if (!parses(line) && !parses(`{${line}}`)) return i + 1;
  }
  return null;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    // The serializer always ends with "}\n"; text that stops short of it was cut off.
    if (text.trim() === '') throw refuse('truncated', source, 'the manifest is empty', error);
    if (!text.trimEnd().endsWith('}')) {
      const problem = `the manifest is truncated: it ends after ${new TextEncoder().encode(text).length} bytes without its closing "}"`;
      throw refuse('truncated', source, problem, error);
    }
    const line = errorLine(text, detail);
    const where = line === null ? '' : ` at line ${line}`;
    throw refuse('corrupt', source, `the manifest is not valid JSON${where}: ${jsonProblem(detail)}`, error);
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${String(s)}` : String(s)),
    '',
  );
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? Reflect.get(node, key) : undefined),
    json,
  );
}

function zodProblem(error: z.ZodError, json: unknown): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid manifest';
  const [section, index] = issue.path;
  const id =
    section === 'conditions' && typeof index === 'number'
      ? valueAt(json, ['conditions', index, 'id'])
      : undefined;
  const context = typeof id === 'string' ? ` (condition ${id})` : '';
  const value = valueAt(json, issue.path);
  const what =
    issue.code === 'invalid_value'
      ? `unknown value ${JSON.stringify(value)}`
      : issue.code === 'invalid_type' && value === undefined
        ? `missing (expected ${issue.expected})`
        : issue.code === 'invalid_type'
          ? `expected ${issue.expected}, got ${JSON.stringify(value)}`
          : issue.code === 'unrecognized_keys'
            ? `unknown key(s) ${issue.keys.join(', ')}`
            : issue.message;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return `${pathText(issue.path) || 'the top level'}${context}: ${what}${more}`;
}

/** Thrown by readWire's condition check, to fall back to checking the manifest whole. */
const INVALID_CONDITION = new Error('invalid condition');

/**
 * The wire manifest checked and decoded one condition at a time: checked whole first, zod's copy
 * of 100,000 conditions lived through the whole load, so it went to V8's old generation (~17 MB
 * of garbage for the tick to carry). Any problem is named as a check of the whole names it
 * (`refusal(problem)`): zod's first problem and how many more, before any decoding problem.
 */
function readWire(wire: unknown, refusal: (problem: string) => Error): Manifest {
  const whole = (): Error | undefined => {
    const parsed = wireManifestSchema.safeParse(wire);
    return parsed.success ? undefined : refusal(zodProblem(parsed.error, wire));
  };
  const head = wireHeadSchema.safeParse(wire);
  if (!head.success) throw whole() ?? new Error('invalid manifest');
  try {
    return decodeManifest(head.data, head.data.conditions, (raw) => {
      const condition = wireConditionSchema.safeParse(raw);
      if (!condition.success) throw INVALID_CONDITION;
      return condition.data;
    });
  } catch (error) {
    // A condition zod refuses, or one decoding refuses before zod has seen a later one.
    throw whole() ?? error;
  }
}

/** Reads `schema_version` (or schema 1's `version`). */
function schemaVersionOf(json: unknown, source: string): number {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw refuse('corrupt', source, 'the manifest is not a JSON object');
  }
  const version: unknown = Reflect.get(json, 'schema_version') ?? Reflect.get(json, 'version');
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw refuse(
      'corrupt',
      source,
      `the manifest has no valid schema_version (found ${JSON.stringify(version)})`,
    );
  }
  return version;
}

/**
 * A current-schema manifest as serializeManifest lays it out, its conditions parsed, checked and
 * decoded one line at a time (manifest-lines.ts); null when the text is laid out otherwise or
 * has any problem at all, which the whole read then names. What it returns is what the whole
 * read returns: the same JSON values, the same checks, the same decoding.
 */
function readLaidOut(text: string): Manifest | null {
  const laid = laidOut(text);
  if (laid === null) return null;
  try {
    const head = wireHeadSchema.safeParse(JSON.parse(laid.head));
    if (!head.success) return null;
    return decodeManifest(head.data, laid.conditionLines(), (line) =>
      wireConditionSchema.parse(JSON.parse(line)),
    );
  } catch {
    return null;
  }
}

/** Text → Manifest, migrating older schemas. Throws ManifestError. */
export function parseManifest(text: string, options: ParseManifestOptions): Manifest {
  const { source } = options;
  const manifest = readLaidOut(text) ?? readWhole(text, source);
  if (options.experiment !== undefined && manifest.experiment !== options.experiment) {
    throw refuse(
      'wrong_experiment',
      source,
      `the manifest belongs to experiment "${manifest.experiment}", not "${options.experiment}" ` +
        '(check the experiment id in the sweep file, or the state location)',
    );
  }
  return manifest;
}

/** Text → Manifest through one JSON.parse of the whole text: any layout, any schema, every refusal. */
function readWhole(text: string, source: string): Manifest {
  const json = parseJson(text, source);
  const version = schemaVersionOf(json, source);
  if (version > MANIFEST_SCHEMA_VERSION) {
    throw refuse(
      'newer_schema',
      source,
      `the manifest has schema_version ${version}, written by a newer sweepwatch; this one reads up to ` +
        `${MANIFEST_SCHEMA_VERSION}. Upgrade sweepwatch (or pin the workflow to the newer version)`,
    );
  }
  let manifest: Manifest;
  try {
    // A migration yields the current model; re-checking its encoding holds it to the same rules.
    const wire = version === 1 ? encodeManifest(migrateV1(json)) : json;
    manifest = readWire(wire, (problem) => refuse('corrupt', source, `invalid manifest: ${problem}`));
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw refuse('corrupt', source, `invalid manifest: ${detail}`, error);
  }
  return manifest;
}
