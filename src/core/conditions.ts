/**
 * Factorial expansion and condition identity. A condition id is the readable assignment
 * `model=vit,loss=ce,fold=3` in the sweep file's factor order; it is the manifest's key, so it
 * must never depend on the order levels are listed in, and it must round-trip (parseConditionId).
 * The job name is a short hash of it that fits every scheduler's name limits.
 */

/** A factor level as the sweep file allows it: a YAML scalar. */
export type LevelValue = string | number | boolean;
export type ConditionId = string;
/** A (possibly partial) assignment factor name → level, as in `include` and `exclude`. */
export type Assignment = Readonly<Record<string, LevelValue>>;

export interface FactorSpec {
  readonly name: string;
  readonly levels: readonly LevelValue[];
}

export interface FactorialSpec {
  readonly experiment: string;
  readonly factors: readonly FactorSpec[];
  readonly include?: readonly Assignment[];
  readonly exclude?: readonly Assignment[];
}

export interface Condition {
  readonly id: ConditionId;
  /** Every factor's level, in the factor order of the sweep file. */
  readonly values: Assignment;
  readonly jobName: string;
}

export interface FactorialProblem {
  /** Where in the spec, e.g. ['include', 2, 'modle']. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Placeholders every template may use besides the factor names. */
export const BUILTIN_PLACEHOLDERS = ['condition', 'experiment', 'job_name'] as const;

/** The text a level contributes to ids, placeholders and comparisons (`3` and `"3"` are one level). */
export function levelText(value: LevelValue): string {
  return String(value);
}

const NEEDS_ESCAPE = /[%,=]/;

// `%` first, so that escaping is reversible; `,` and `=` are the id's own separators.
// Both run for every factor of every condition each time a manifest is read (a tick reads it
// twice: its load and its save's check); almost no name or level holds these characters, and
// the shortcut takes a 1,000-condition read's ~1 ms of escaping down to ~0.2 ms.
function escapeIdPart(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/%/g, '%25').replace(/,/g, '%2C').replace(/=/g, '%3D');
}

function unescapeIdPart(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%(25|2C|3D)/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The condition id of a complete assignment, in the given factor order. */
export function conditionId(factorNames: readonly string[], values: Assignment): ConditionId {
  return factorNames
    .map((name) => {
      const value = values[name];
      if (value === undefined) throw new Error(`conditionId: factor "${name}" has no value`);
      return `${escapeIdPart(name)}=${escapeIdPart(levelText(value))}`;
    })
    .join(',');
}

/** The (name, level text) pairs of an id, in order. Throws on a string that is not an id. */
export function parseConditionId(id: ConditionId): [string, string][] {
  if (id === '') throw new Error('not a condition id: empty string');
  return id.split(',').map((part) => {
    const pieces = part.split('=');
    if (pieces.length !== 2 || pieces[0] === '') throw new Error(`not a condition id: "${id}"`);
    return [unescapeIdPart(pieces[0] ?? ''), unescapeIdPart(pieces[1] ?? '')];
  });
}

/** 32-bit FNV-1a over the UTF-8 bytes: tiny, pure and stable across Node versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function fnv1aHex(text: string): string {
  return fnv1a32(text).toString(16).padStart(8, '0');
}

/**
 * `sw-<experiment prefix>-<8 hex>`: at most 28 characters of [a-z0-9-], which fits Slurm's
 * and SkyPilot's name rules. `salt` separates the rare 32-bit collisions (see expandConditions).
 */
export function jobName(experiment: string, id: ConditionId, salt = 0): string {
  const prefix =
    experiment
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 16)
      .replace(/^-+|-+$/g, '') || 'x';
  const input = salt === 0 ? `${experiment}\u0000${id}` : `${experiment}\u0000${id}\u0000${salt}`;
  return `sw-${prefix}-${fnv1aHex(input)}`;
}

/** Structural problems of a factorial spec; the config layer maps them onto file paths. */
export function checkFactorial(spec: FactorialSpec): FactorialProblem[] {
  const problems: FactorialProblem[] = [];
  const names = new Set(spec.factors.map((f) => f.name));
  if (spec.factors.length === 0)
    problems.push({ path: ['factors'], message: 'a sweep needs at least one factor' });
  spec.factors.forEach((factor, i) => {
    if (factor.levels.length === 0) {
      problems.push({ path: ['factors', factor.name], message: 'a factor needs at least one level' });
    }
    const seen = new Map<string, number>();
    factor.levels.forEach((level, j) => {
      const text = levelText(level);
      const first = seen.get(text);
      if (first !== undefined) {
        problems.push({
          path: ['factors', factor.name, j],
          message: `duplicate level "${text}" (same as level ${first}); ids compare levels as text`,
        });
      }
      seen.set(text, j);
    });
    if (spec.factors.findIndex((f) => f.name === factor.name) !== i) {
      problems.push({ path: ['factors', factor.name], message: 'duplicate factor name' });
    }
  });
  for (const [section, entries] of [
    ['include', spec.include ?? []],
    ['exclude', spec.exclude ?? []],
  ] as const) {
    entries.forEach((entry, i) => {
      if (Object.keys(entry).length === 0) {
        problems.push({ path: [section, i], message: `an empty ${section} entry matches nothing` });
      }
      for (const [name, value] of Object.entries(entry)) {
        if (!names.has(name)) {
          problems.push({ path: [section, i, name], message: `unknown factor "${name}"` });
        } else if (section === 'exclude') {
          const levels = spec.factors.find((f) => f.name === name)?.levels ?? [];
          if (!levels.some((l) => levelText(l) === levelText(value))) {
            problems.push({
              path: [section, i, name],
              message: `"${levelText(value)}" is not a level of ${name}, so this entry excludes nothing`,
            });
          }
        }
      }
    });
  }
  return problems;
}

function compareLevels(a: LevelValue, b: LevelValue): number {
  const rank = (v: LevelValue) => (typeof v === 'boolean' ? 0 : typeof v === 'number' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [ta, tb] = [levelText(a), levelText(b)];
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function matches(values: Assignment, partial: Assignment): boolean {
  return Object.entries(partial).every(([name, level]) => {
    const value = values[name];
    return value !== undefined && levelText(value) === levelText(level);
  });
}

function product(factors: readonly FactorSpec[], fixed: Assignment): Record<string, LevelValue>[] {
  let rows: Record<string, LevelValue>[] = [{}];
  for (const factor of factors) {
    const fixedLevel = fixed[factor.name];
    const levels = fixedLevel === undefined ? factor.levels : [fixedLevel];
    rows = rows.flatMap((row) => levels.map((level) => ({ ...row, [factor.name]: level })));
  }
  return rows;
}

/**
 * The cartesian product minus `exclude`, plus `include` (a partial include entry ranges over the
 * factors it leaves out; it may bring levels the factor list lacks). The result is sorted by
 * the factor order, then by level (numbers numerically), so it does not depend on how levels or
 * include keys are ordered in the file. Throws when checkFactorial finds a problem.
 */
export function expandConditions(spec: FactorialSpec): Condition[] {
  const problems = checkFactorial(spec);
  if (problems.length > 0) {
    throw new Error(
      `invalid factorial: ${problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`,
    );
  }
  const names = spec.factors.map((f) => f.name);
  const byId = new Map<ConditionId, Assignment>();
  const add = (values: Assignment) => byId.set(conditionId(names, values), values);
  for (const values of product(spec.factors, {})) {
    if (!(spec.exclude ?? []).some((entry) => matches(values, entry))) add(values);
  }
  for (const entry of spec.include ?? []) for (const values of product(spec.factors, entry)) add(values);

  const sorted = [...byId.entries()].sort(([, a], [, b]) => {
    for (const name of names) {
      const order = compareLevels(a[name] ?? '', b[name] ?? '');
      if (order !== 0) return order;
    }
    return 0;
  });
  // Deterministic collision handling: in sorted order, a name already taken is re-salted.
  const taken = new Set<string>();
  return sorted.map(([id, values]) => {
    let salt = 0;
    let name = jobName(spec.experiment, id, salt);
    while (taken.has(name)) name = jobName(spec.experiment, id, ++salt);
    taken.add(name);
    return { id, values, jobName: name };
  });
}

const PLACEHOLDER = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The placeholder names a template uses (`{{` and `}}` are literal braces). */
export function placeholdersIn(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) if (match[1] !== undefined) names.push(match[1]);
  return names;
}

/** Replaces `{name}` from vars; throws on a name vars lacks, so a typo never reaches a job. */
export function substitutePlaceholders(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string | undefined) => {
    if (name === undefined) return whole === '{{' ? '{' : '}';
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (value === undefined) throw new Error(`unknown placeholder {${name}}`);
    return value;
  });
}

/** The placeholder values of one condition: its factor levels plus the built-ins. */
export function conditionVars(experiment: string, condition: Condition): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(condition.values)) vars[name] = levelText(value);
  vars.condition = condition.id;
  vars.experiment = experiment;
  vars.job_name = condition.jobName;
  return vars;
}
