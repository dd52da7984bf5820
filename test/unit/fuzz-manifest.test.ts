/**
 * The manifest lives on a branch anyone with write access can edit, and a cut upload or a bad
 * merge can leave anything there. Whatever its text, parseManifest returns a Manifest or throws
 * a ManifestError (which leaves the stored file untouched); it never throws anything else, never
 * hangs, and never lets a `__proto__` key reach an object's prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { manifestArb } from '../fixtures/manifest/arbitrary-manifest.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileJson, hostileText, mutatedText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';

const rec = recorder(import.meta.url);
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 1500 });
const spec = (klass: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass: `manifest: ${klass}`,
  against: 'parseManifest, fast-check',
  expected: 'a Manifest, or a ManifestError (truncated/corrupt/newer_schema) that leaves the file untouched',
});

function typed(text: string): Partial<Problems> {
  const crash: string[] = [];
  try {
    const m = parseManifest(text, { source: 'sweepwatch-state:sweepwatch/x.json' });
    if (!Array.isArray(m.conditions)) crash.push('a manifest without conditions');
  } catch (error) {
    if (!(error instanceof ManifestError)) crash.push(`untyped ${String(error)}`);
    else if (!error.message.startsWith('sweepwatch-state:')) crash.push('an error that does not say where');
  }
  // A parsed `__proto__` key must stay data.
  if (Reflect.get({}, 'polluted') !== undefined) crash.push('Object.prototype was polluted');
  return { crash };
}

/** Valid manifests as text (the compact encoding), with a few edits each. */
const validTexts = fc
  .array(manifestArb, { minLength: 3, maxLength: 3 })
  .map((ms) => ms.map(serializeManifest));

describe('the manifest, fuzzed', () => {
  it(
    'arbitrary text',
    async () => {
      const r = await fuzz(rec, spec('arbitrary text'), hostileText(4000), typed, options(300));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'arbitrary JSON, prototype keys included',
    async () => {
      const r = await fuzz(
        rec,
        spec('arbitrary JSON'),
        hostileJson().map((v) => JSON.stringify(v) ?? 'null'),
        typed,
        options(300),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'valid manifests with character edits (cut uploads, bad merges)',
    async () => {
      const arb = validTexts.chain((texts) => mutatedText(texts));
      const r = await fuzz(rec, spec('valid files, character edits'), arb, typed, options(300));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(30_000),
  );

  it(
    'valid manifests with a field replaced by hostile JSON',
    async () => {
      const arb = fc.tuple(manifestArb, fc.nat(), hostileJson()).map(([m, at, value]) => {
        const json = JSON.parse(serializeManifest(m)) as Record<string, unknown>;
        const keys = Object.keys(json);
        json[keys[at % keys.length] ?? 'experiment'] = value;
        return JSON.stringify(json);
      });
      const r = await fuzz(rec, spec('valid files, hostile fields'), arb, typed, options(300));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(30_000),
  );
});
