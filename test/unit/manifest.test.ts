import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Manifest, ManifestError, parseManifest, serializeManifest } from '../../src/core/manifest.js';
import { conditionPosition, jobSlots } from '../../src/core/manifest-index.js';
import { laidOut } from '../../src/core/manifest-lines.js';
import { manifestArb } from '../fixtures/manifest/arbitrary-manifest.js';
import { buildManifest, EXPERIMENT } from '../fixtures/manifest/build-manifest.js';

const SOURCE = '.sweepwatch/manifest.json';
const small = buildManifest(200, 3);
const smallText = serializeManifest(small);

function refusal(text: string, experiment?: string): { kind: string; message: string } {
  try {
    parseManifest(text, experiment === undefined ? { source: SOURCE } : { source: SOURCE, experiment });
  } catch (error) {
    if (error instanceof ManifestError) return { kind: error.kind, message: error.message };
    throw error;
  }
  throw new Error('expected a ManifestError');
}

/** Replaces the first match in the serialized small manifest. */
const edited = (from: string | RegExp, to: string) => smallText.replace(from, to);
const UNTOUCHED = 'sweepwatch left it untouched and will not overwrite it';

describe('serialization', () => {
  it('round-trips any manifest exactly (serialize → parse is the identity)', () => {
    fc.assert(
      fc.property(manifestArb, (m) => {
        expect(parseManifest(serializeManifest(m), { source: 'prop' })).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('writes plain JSON with one condition per line, so a tick diff shows the conditions that changed', () => {
    const lines = smallText.split('\n');
    expect(() => JSON.parse(smallText)).not.toThrow();
    expect(lines.filter((l) => l.startsWith('{"id":'))).toHaveLength(small.conditions.length);
    expect(smallText.endsWith('}\n')).toBe(true);
  });

  it('reads a manifest laid out by another tool (reformatted, reindented, on one line) exactly as its own layout', () => {
    fc.assert(
      fc.property(manifestArb, (m) => {
        const text = serializeManifest(m);
        const json: unknown = JSON.parse(text);
        const expected = parseManifest(text, { source: 'prop' });
        for (const other of [
          `${JSON.stringify(json, null, 2)}\n`,
          JSON.stringify(json),
          text.replace(/\n/g, '\r\n'),
        ]) {
          expect(parseManifest(other, { source: 'prop' })).toEqual(expected);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('cuts its own layout into the head and one JSON text per condition (how a large manifest loads)', () => {
    const laid = laidOut(smallText);
    if (laid === null) throw new Error('expected the serializer layout to be recognized');
    const json = JSON.parse(smallText) as { conditions: unknown[] };
    expect([...laid.conditionLines()].map((line) => JSON.parse(line))).toEqual(json.conditions);
    expect(JSON.parse(laid.head)).toEqual({ ...json, conditions: [] });
    expect(laidOut(`${JSON.stringify(json, null, 2)}\n`)).toBeNull();
    expect(laidOut(serializeManifest({ ...small, conditions: [] }))).toBeNull();
    const glued = laidOut(smallText.replace('},\n{"id":', '}\n,{"id":'));
    expect(() => [...(glued?.conditionLines() ?? [])]).toThrow(/not laid out/);
  });

  it('reads conditions that share a line, or span two, as the same manifest', () => {
    const [first, second] = smallText.split('\n').filter((l) => l.startsWith('{"id":'));
    if (first === undefined || second === undefined) throw new Error('expected two condition lines');
    for (const text of [
      smallText.replace(`${first}\n${second}`, `${first} ${second}`),
      smallText.replace(`${first}\n`, `${first.replace('"attempts":', '\n"attempts":')}\n`),
      smallText.replace(`${first}\n`, `\n${first}\n`),
    ]) {
      expect(text).not.toBe(smallText);
      expect(parseManifest(text, { source: SOURCE })).toEqual(small);
    }
  });

  it('a loaded manifest finds every condition by id and every attempt by job, as an index built afresh does', () => {
    const loaded = parseManifest(smallText, { source: SOURCE });
    const fresh: Manifest = { ...loaded, factors: [...loaded.factors], conditions: [...loaded.conditions] };
    expect(jobSlots(loaded)).toEqual(jobSlots(fresh));
    expect(jobSlots(loaded).size).toBe(loaded.conditions.reduce((n, c) => n + c.attempts.length, 0));
    loaded.conditions.forEach((c, i) => {
      expect(conditionPosition(loaded, c.id)).toBe(i);
      expect(conditionPosition(fresh, c.id)).toBe(i);
    });
    expect(conditionPosition(loaded, 'model=none')).toBe(-1);
  });

  it('keeps the file format stable (golden file)', async () => {
    const tiny: Manifest = { ...small, conditions: small.conditions.slice(0, 3) };
    await expect(serializeManifest(tiny)).toMatchFileSnapshot('../fixtures/manifest/v2-golden.json');
  });

  it('stays under 300 bytes per attempt for 10,000 conditions × 3 attempts', () => {
    const m = buildManifest(10_000, 3);
    const attempts = m.conditions.reduce((n, c) => n + c.attempts.length, 0);
    const bytes = new TextEncoder().encode(serializeManifest(m)).length;
    const perAttempt = bytes / attempts;
    console.log(
      `manifest: ${m.conditions.length} conditions, ${attempts} attempts, ${bytes} bytes, ${perAttempt.toFixed(1)} bytes/attempt`,
    );
    expect(attempts).toBe(30_000);
    expect(perAttempt).toBeLessThanOrEqual(300);
  });
});

describe('a manifest that cannot be read is refused with an exact message', () => {
  it.each([
    [
      'truncated mid-write',
      smallText.slice(0, 1000),
      'truncated',
      `${SOURCE}: the manifest is truncated: it ends after 1000 bytes without its closing "}"; ${UNTOUCHED}`,
    ],
    ['empty', '', 'truncated', `${SOURCE}: the manifest is empty; ${UNTOUCHED}`],
    [
      'corrupted inside a condition line',
      edited('"state":"FAILED"', '"state":FAILED'),
      'corrupt',
      `${SOURCE}: the manifest is not valid JSON at line 45: Unexpected token 'F'; ${UNTOUCHED}`,
    ],
    [
      'corrupted with a missing comma',
      edited('"job":"4812345"', '"job":"4812345" "x":1'),
      'corrupt',
      `${SOURCE}: the manifest is not valid JSON at line 45: Expected ',' or '}' after property value; ${UNTOUCHED}`,
    ],
    ['not an object', '[1, 2, 3]\n', 'corrupt', `${SOURCE}: the manifest is not a JSON object; ${UNTOUCHED}`],
    [
      'without a schema version',
      '{"experiment": "x"}\n',
      'corrupt',
      `${SOURCE}: the manifest has no valid schema_version (found undefined); ${UNTOUCHED}`,
    ],
    [
      'from a newer sweepwatch',
      edited('"schema_version":2', '"schema_version":3'),
      'newer_schema',
      `${SOURCE}: the manifest has schema_version 3, written by a newer sweepwatch; this one reads up to 2. Upgrade sweepwatch (or pin the workflow to the newer version); ${UNTOUCHED}`,
    ],
    [
      'with an unknown job state',
      edited('"state":"FAILED"', '"state":"EXPLODED"'),
      'corrupt',
      `${SOURCE}: invalid manifest: conditions[0].attempts[0].state (condition model=convnext_b,loss=ce,calib=dirichlet,fold=0): unknown value "EXPLODED"; ${UNTOUCHED}`,
    ],
    [
      'with a failure key that is not in the table',
      edited(/"fail":"[0-9a-f]{8}"/, '"fail":"deadbeef"'),
      'corrupt',
      `${SOURCE}: invalid manifest: conditions[0] (condition model=convnext_b,loss=ce,calib=dirichlet,fold=0).attempts[0].fail: "deadbeef" is not in failures; ${UNTOUCHED}`,
    ],
    [
      'with one job id in two attempts',
      edited('"job":"4812346"', '"job":"4812345"'),
      'corrupt',
      `${SOURCE}: invalid manifest: conditions[1] (condition model=convnext_b,loss=ce,calib=histogram,fold=0).attempts[0]: job 4812345 already belongs to another attempt; ${UNTOUCHED}`,
    ],
    [
      'with one job id in two attempts, and an unknown state in a later condition: the state, as a check of the whole finds it first',
      edited('"job":"4812346"', '"job":"4812345"').replace(
        /("job":"4812747"[^}]*"state":")COMPLETED/,
        '$1EXPLODED',
      ),
      'corrupt',
      `${SOURCE}: invalid manifest: conditions[2].attempts[2].state (condition model=convnext_b,loss=ce,calib=none,fold=0): unknown value "EXPLODED"; ${UNTOUCHED}`,
    ],
    [
      'with a dashboard issue that is no issue number',
      edited('"decisions":', '"dashboard_issue":0,\n"decisions":'),
      'corrupt',
      `${SOURCE}: invalid manifest: dashboard_issue: Too small: expected number to be >=1; ${UNTOUCHED}`,
    ],
  ])('%s', (_name, text, kind, message) => {
    expect(refusal(text)).toEqual({ kind, message });
  });

  it('of another experiment', () => {
    expect(refusal(smallText, 'mnist-baseline')).toEqual({
      kind: 'wrong_experiment',
      message: `${SOURCE}: the manifest belongs to experiment "${EXPERIMENT}", not "mnist-baseline" (check the experiment id in the sweep file, or the state location); ${UNTOUCHED}`,
    });
  });
});

describe('schema 1 manifests are migrated', () => {
  const v1 = readFileSync('test/fixtures/manifest/v1-sweep.json', 'utf8');
  const migrated = parseManifest(v1, { source: 'v1-sweep.json', experiment: 'cifar100-calib' });

  it('groups the flat job list into conditions with attempt chains', () => {
    expect(migrated.factors).toEqual([
      { name: 'model', levels: ['vit', 'resnet'] },
      { name: 'fold', levels: [0, 1] },
    ]);
    expect(migrated.conditions.map((c) => [c.id, c.attempts.map((a) => a.jobId)])).toEqual([
      ['model=vit,fold=0', ['700101', '700201']],
      ['model=vit,fold=1', ['700102']],
      ['model=resnet,fold=0', ['700103', '700202']],
      ['model=resnet,fold=1', [null]],
    ]);
  });

  it('turns relaunch notes into cycle records and keeps issues and digests', () => {
    expect(migrated.cycles).toEqual([
      {
        cycle: 0,
        digest: 'git:1a2b3c4d',
        reason: 'launch',
        requestedBy: 'unknown',
        at: '2024-11-02T09:00:00Z',
      },
      {
        cycle: 1,
        digest: 'git:1a2b3c4d',
        reason: 'relaunch oom',
        requestedBy: 'alice',
        at: '2024-11-02T15:00:00Z',
      },
    ]);
    expect(migrated.issues).toEqual({ 'gpu_oom:9f3a2b1c': 12 });
    expect(migrated.sweepDigest).toBe(
      'sha256:eb0a7d75c68a8ba889dc2c82662c44434127bfce5d82dcd4bc4d88d9fe581748',
    );
    expect(migrated.schemaVersion).toBe(2);
  });

  it('splits the legacy "oom" by the scheduler state and maps states and submit failures', () => {
    const [vit0, , resnet0, resnet1] = migrated.conditions;
    expect(vit0?.attempts[0]?.classification?.rootCause).toBe('gpu_oom');
    expect(resnet0?.attempts[0]?.classification?.rootCause).toBe('host_oom');
    expect(resnet0?.attempts[1]).toMatchObject({
      state: 'CANCELLED',
      rawState: 'CANCELLED by 1001',
      cycle: 1,
    });
    expect(resnet1?.attempts[0]).toMatchObject({ phase: 'submit_failed', jobId: null, state: null });
  });

  it('saves as schema 2 and reads back identically', () => {
    const text = serializeManifest(migrated);
    expect(JSON.parse(text)).toMatchObject({ schema_version: 2 });
    expect(parseManifest(text, { source: 'again' })).toEqual(migrated);
  });

  it('refuses a schema 1 file that is not consistent', () => {
    const bad = v1.replace('"attempt": 1, "state": "RUNNING"', '"attempt": 2, "state": "RUNNING"');
    expect(refusal(bad).message).toBe(
      `${SOURCE}: invalid manifest: schema 1 manifest: jobs[4] is attempt 2 but only 1 relaunch(es) are recorded; ${UNTOUCHED}`,
    );
  });
});
