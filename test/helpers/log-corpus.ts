import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRootCause, type RootCause } from '../../src/core/types.js';

/**
 * The labelled corpus of real log excerpts: test/fixtures/logs/<expected_root_cause>/<slug>.log,
 * each a `key: value` header (source, expect, scheduler_state, exit_code, note), a `---` line,
 * then the excerpt verbatim as it was posted.
 */
export interface CorpusEntry {
  /** `<root_cause>/<slug>`, for test names. */
  readonly name: string;
  readonly source: string;
  readonly expect: RootCause;
  readonly schedulerState: string | null;
  readonly exitCode: string | number | null;
  readonly note: string | null;
  readonly log: string;
}

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'logs');

function nullable(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'null' ? null : value;
}

/** `137:0` stays a string (Slurm form); `137` becomes a number, as a JSON producer would send it. */
function exitCodeOf(value: string | null): string | number | null {
  return value !== null && /^-?\d+$/.test(value) ? Number(value) : value;
}

export function parseCorpusFile(path: string, text: string): CorpusEntry {
  const separator = text.indexOf('\n---\n');
  if (separator < 0) throw new Error(`${path}: no '---' line after the header`);
  const header = new Map<string, string>();
  for (const line of text.slice(0, separator).split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) header.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const expect = header.get('expect') ?? '';
  const folder = basename(dirname(path));
  if (!isRootCause(expect)) throw new Error(`${path}: expect "${expect}" is not a root-cause id`);
  if (expect !== folder) throw new Error(`${path}: expect "${expect}" but the folder is "${folder}"`);
  const source = header.get('source') ?? '';
  if (!/^(?:https:\/\/|lab:)/.test(source)) throw new Error(`${path}: source "${source}" is not a URL`);
  return {
    name: `${folder}/${basename(path, '.log')}`,
    source,
    expect,
    schedulerState: nullable(header.get('scheduler_state')),
    exitCode: exitCodeOf(nullable(header.get('exit_code'))),
    note: nullable(header.get('note')),
    log: text.slice(separator + 5).replace(/\n$/, ''),
  };
}

export function loadCorpus(root: string = CORPUS_DIR): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  for (const folder of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith('.log')) continue;
      const path = join(root, folder, file);
      entries.push(parseCorpusFile(path, readFileSync(path, 'utf8')));
    }
  }
  return entries;
}
