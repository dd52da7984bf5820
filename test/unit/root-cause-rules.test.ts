import { describe, expect, it } from 'vitest';
import { RULES, ruleById } from '../../src/core/rules/index.js';
import { RuleSet } from '../../src/core/rules/scan.js';
import { type Rule, TIER } from '../../src/core/rules/types.js';
import { isRootCause } from '../../src/core/types.js';

describe('the rule library is well-formed data', () => {
  it('has unique `domain.name` ids that resolve', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z]+(?:\.[a-z_]+)+$/);
      expect(ruleById(id)?.id).toBe(id);
    }
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s is complete', (_id, rule) => {
    expect(isRootCause(rule.rootCause)).toBe(true);
    expect(Object.values(TIER)).toContain(rule.tier);
    expect(rule.confidence).toBeGreaterThan(0);
    expect(rule.confidence).toBeLessThanOrEqual(1);
    expect(rule.patterns.length).toBeGreaterThan(0);
    expect(rule.needles.length).toBeGreaterThan(0);
    for (const needle of rule.needles) expect(needle.length).toBeGreaterThanOrEqual(3);
    // Stateful (g/y) regexes would make test() depend on the previous line.
    for (const pattern of rule.patterns) expect(pattern.flags).not.toMatch(/[gy]/);
    expect(rule.hint.length).toBeGreaterThan(10);
  });

  it('keeps the catch-all Python rule last so specific rules claim their lines first', () => {
    expect(RULES.at(-1)?.id).toBe('python.exception');
  });
});

describe('RuleSet.scan', () => {
  const rule = (id: string, tier: Rule['tier'], needle: string): Rule => ({
    id,
    rootCause: 'unknown',
    tier,
    confidence: 0.5,
    needles: [needle],
    patterns: [new RegExp(needle)],
    hint: 'a hint for the test rule',
  });
  const set = new RuleSet([rule('t.cause', TIER.cause, 'CAUSE'), rule('t.generic', TIER.generic, 'GENERIC')]);

  it.each([
    ['the stronger tier wins wherever it is', 'CAUSE\nGENERIC\nGENERIC', 't.cause', 'CAUSE'],
    ['among equals the last line wins', 'GENERIC one\nGENERIC two', 't.generic', 'GENERIC two'],
    ['lines without needles are skipped', 'nothing here\nat all', null, null],
    ['NCCL INFO lines never count', 'h:1:2 [0] NCCL INFO CAUSE', null, null],
    ['CRLF and a missing final newline are fine', 'GENERIC a\r\nCAUSE b\r', 't.cause', 'CAUSE b\r'],
  ])('%s', (_name, log, id, line) => {
    const hit = set.scan(log);
    expect(hit?.rule.id ?? null).toBe(id);
    expect(hit?.line ?? null).toBe(line);
  });

  it('only reads the tail it is given limits for', () => {
    const log = `CAUSE\n${'filler line\n'.repeat(50)}`;
    expect(set.scan(log, { maxLines: 10, maxChars: 1 << 20 })).toBeNull();
    expect(set.scan(log, { maxLines: 100, maxChars: 1 << 20 })?.rule.id).toBe('t.cause');
  });

  it('refuses needles too short for the trigram prefilter', () => {
    expect(() => new RuleSet([rule('t.short', TIER.cause, 'ab')])).toThrow(/shorter than 3/);
  });

  it('refuses needles that span lines, which the line-by-line search could never find', () => {
    expect(() => new RuleSet([rule('t.lines', TIER.cause, 'one\ntwo')])).toThrow(/spans lines/);
  });
});
