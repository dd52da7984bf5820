/**
 * The event payload and the relaunch payload cross a trust boundary: the first is whatever
 * GitHub (or a forged event file) holds, the second whatever anyone who can dispatch writes.
 * readTrigger turns any payload into a typed Trigger (and modeFor into a mode or null);
 * parsePayload returns a RelaunchPayload or a UseCaseError('payload_invalid'). Never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modeFor, readTrigger } from '../../src/action/trigger.js';
import { UseCaseError } from '../../src/app/errors.js';
import { parsePayload } from '../../src/app/relaunch-payload.js';
import { type FuzzOptions, fuzz, fuzzRuns, fuzzTimeoutMs } from '../helpers/reliability/fuzz.js';
import { hostileJson, hostileText } from '../helpers/reliability/hostile.js';
import { type ClassSpec, type Problems, recorder } from '../helpers/reliability/recorder.js';
import { webhookExamples } from '../helpers/webhooks.js';

const rec = recorder(import.meta.url);
const options = (runs: number): FuzzOptions => ({ runs: fuzzRuns(runs), caseBudgetMs: 500 });
const EVENTS = ['schedule', 'workflow_dispatch', 'issue_comment', 'push', 'pull_request_target', ''];

function triggerTyped([eventName, payload]: [string, unknown]): Partial<Problems> {
  const t = readTrigger(eventName, payload);
  const crash: string[] = [];
  const strings = Object.entries(t).filter(
    ([k]) => !['issueNumber', 'commentId', 'onPullRequest'].includes(k),
  );
  for (const [k, v] of strings) if (typeof v !== 'string') crash.push(`${k} is ${typeof v}`);
  if (t.kind === 'comment') {
    if (!Number.isInteger(t.issueNumber) || !Number.isInteger(t.commentId)) crash.push('a non-integer id');
    if (typeof t.onPullRequest !== 'boolean') crash.push('onPullRequest is not a boolean');
  }
  const mode = modeFor(t);
  if (
    mode !== null &&
    !['tick', 'launch', 'relaunch', 'cancel', 'report', 'preflight', 'comment'].includes(mode)
  )
    crash.push(`mode ${mode}`);
  return { crash };
}

/** Real webhook payloads with one field replaced by hostile JSON, at any depth. */
function mutatedWebhook(): fc.Arbitrary<unknown> {
  const examples = ['issue_comment', 'workflow_dispatch', 'schedule']
    .flatMap((e) => {
      try {
        return webhookExamples(e);
      } catch {
        return [];
      }
    })
    .map((x) => JSON.stringify(x));
  return fc
    .tuple(
      fc.constantFrom(...examples),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
      hostileJson(),
    )
    .map(([text, path, value]) => {
      const root = JSON.parse(text) as Record<string, unknown>;
      let node: Record<string, unknown> = root;
      for (const key of path.slice(0, -1)) {
        const next = node[key];
        if (next === null || typeof next !== 'object') break;
        node = next as Record<string, unknown>;
      }
      node[path.at(-1) ?? 'comment'] = value;
      return root;
    });
}

function payloadTyped(text: string): Partial<Problems> {
  try {
    const p = parsePayload(text);
    const crash: string[] = [];
    if (!Number.isInteger(p.cycle) || p.cycle < 1) crash.push(`cycle ${p.cycle}`);
    if (p.conditions !== 'plan' && !Array.isArray(p.conditions)) crash.push('conditions of another shape');
    return { crash };
  } catch (error) {
    return error instanceof UseCaseError && error.reasonCode === 'payload_invalid'
      ? {}
      : { crash: [`untyped ${String(error)}`] };
  }
}

const payloadSpec = (klass: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass: `relaunch payload: ${klass}`,
  against: 'parsePayload, fast-check',
  expected: 'a RelaunchPayload or payload_invalid',
});
const triggerSpec = (klass: string): ClassSpec => ({
  area: 'Parser fuzzing',
  klass: `webhook payload: ${klass}`,
  against: 'readTrigger + modeFor, fast-check',
  expected: 'a typed Trigger (strings, integers, booleans) and a mode or null',
});

describe('webhook and relaunch payloads, fuzzed', () => {
  it(
    'arbitrary event payloads',
    async () => {
      const arb = fc.tuple(fc.constantFrom(...EVENTS), fc.oneof(hostileJson(), fc.anything()));
      const r = await fuzz(rec, triggerSpec('arbitrary values'), arb, triggerTyped, options(500));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'real webhook payloads with a hostile field',
    async () => {
      const arb = fc.tuple(fc.constantFrom(...EVENTS), mutatedWebhook());
      const r = await fuzz(
        rec,
        triggerSpec('real payloads, hostile fields'),
        arb,
        triggerTyped,
        options(400),
      );
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'relaunch payloads: arbitrary text and JSON',
    async () => {
      const arb = fc.oneof(
        hostileText(2000),
        hostileJson().map((v) => JSON.stringify(v) ?? ''),
      );
      const r = await fuzz(rec, payloadSpec('arbitrary text and JSON'), arb, payloadTyped, options(500));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );

  it(
    'relaunch payloads: the right shape with hostile values',
    async () => {
      const arb = fc
        .record(
          {
            experiment: fc.oneof(fc.constant('calib'), hostileText(80)),
            conditions: fc.oneof(
              fc.constant('plan'),
              fc.array(hostileText(60), { maxLength: 5 }),
              hostileJson(),
            ),
            cycle: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), hostileJson()),
            reason: hostileText(400),
            requested_by: fc.oneof(fc.constant('sweepwatch'), hostileText(150)),
            force: fc.oneof(fc.boolean(), hostileJson()),
          },
          { requiredKeys: ['experiment', 'cycle'] },
        )
        .map((p) => JSON.stringify(p));
      const r = await fuzz(rec, payloadSpec('right shape, hostile values'), arb, payloadTyped, options(500));
      expect(r.failure).toBeNull();
    },
    fuzzTimeoutMs(20_000),
  );
});
