import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assignment,
  checkFactorial,
  conditionId,
  expandConditions,
  type FactorialSpec,
  fnv1aHex,
  jobName,
  parseConditionId,
  placeholdersIn,
  substitutePlaceholders,
} from '../../src/core/conditions.js';

const spec: FactorialSpec = {
  experiment: 'cifar100-calib',
  factors: [
    { name: 'model', levels: ['vit', 'resnet'] },
    { name: 'loss', levels: ['ce', 'focal'] },
    { name: 'fold', levels: [2, 10, 1] },
  ],
  exclude: [{ model: 'resnet', loss: 'focal' }],
  include: [{ model: 'convnext', fold: 1 }],
};

describe('condition ids', () => {
  it.each([
    [['model', 'fold'], { model: 'vit', fold: 3 }, 'model=vit,fold=3'],
    [['fold', 'model'], { model: 'vit', fold: 3 }, 'fold=3,model=vit'],
    [['lr', 'warmup'], { lr: 0.0003, warmup: false }, 'lr=0.0003,warmup=false'],
    [['aug'], { aug: 'crop=0.5,flip' }, 'aug=crop%3D0.5%2Cflip'],
    [['note'], { note: '100%' }, 'note=100%25'],
  ] as const)('reads %j + %j as %s, and parses back', (names, values, id) => {
    expect(conditionId(names, values)).toBe(id);
    expect(parseConditionId(id)).toEqual(names.map((n) => [n, String(values[n as keyof typeof values])]));
  });

  it('round-trips any level text, including the separators', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const id = conditionId(['x', 'y'], { x: a, y: b });
        expect(parseConditionId(id)).toEqual([
          ['x', a],
          ['y', b],
        ]);
      }),
    );
  });

  it.each(['', 'model', 'model=vit,=3', 'a=b=c'])('refuses %j as an id', (text) => {
    expect(() => parseConditionId(text)).toThrow(/not a condition id/);
  });
});

describe('expandConditions', () => {
  it('is the product minus exclude plus include, sorted numerically by level', () => {
    expect(expandConditions(spec).map((c) => c.id)).toEqual([
      'model=convnext,loss=ce,fold=1',
      'model=convnext,loss=focal,fold=1',
      'model=resnet,loss=ce,fold=1',
      'model=resnet,loss=ce,fold=2',
      'model=resnet,loss=ce,fold=10',
      'model=vit,loss=ce,fold=1',
      'model=vit,loss=ce,fold=2',
      'model=vit,loss=ce,fold=10',
      'model=vit,loss=focal,fold=1',
      'model=vit,loss=focal,fold=2',
      'model=vit,loss=focal,fold=10',
    ]);
  });

  it('lets include bring back an excluded condition', () => {
    const ids = expandConditions({ ...spec, include: [{ model: 'resnet', loss: 'focal', fold: 2 }] }).map(
      (c) => c.id,
    );
    expect(ids).toContain('model=resnet,loss=focal,fold=2');
    expect(ids).not.toContain('model=resnet,loss=focal,fold=1');
  });

  it('gives every condition its values in factor order and a distinct short job name', () => {
    const conditions = expandConditions(spec);
    expect(conditions[0]?.values).toEqual({ model: 'convnext', loss: 'ce', fold: 1 });
    expect(Object.keys(conditions[0]?.values ?? {})).toEqual(['model', 'loss', 'fold']);
    const names = conditions.map((c) => c.jobName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^sw-cifar100-calib-[0-9a-f]{8}$/);
  });

  it('does not depend on the order of levels, include entries or keys inside them', () => {
    const shuffle = <T>(items: readonly T[], seed: number) =>
      [...items]
        .map((v, i) => ({ v, k: (i * 7919 + seed * 104729) % 997 }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.v);
    const reorderKeys = (a: Assignment, seed: number) => Object.fromEntries(shuffle(Object.entries(a), seed));
    fc.assert(
      fc.property(fc.nat(1000), (seed) => {
        const reordered: FactorialSpec = {
          ...spec,
          factors: spec.factors.map((f) => ({ ...f, levels: shuffle(f.levels, seed) })),
          include: shuffle(spec.include ?? [], seed).map((a) => reorderKeys(a, seed)),
          exclude: (spec.exclude ?? []).map((a) => reorderKeys(a, seed + 1)),
        };
        expect(expandConditions(reordered)).toEqual(expandConditions(spec));
      }),
    );
  });

  it('names the problems of a bad factorial', () => {
    const problems = checkFactorial({
      experiment: 'x',
      factors: [
        { name: 'model', levels: ['vit', 'vit'] },
        { name: 'fold', levels: [] },
      ],
      include: [{ modle: 'vit' }],
      exclude: [{ model: 'vitt' }, {}],
    });
    expect(problems).toEqual([
      {
        path: ['factors', 'model', 1],
        message: 'duplicate level "vit" (same as level 0); ids compare levels as text',
      },
      { path: ['factors', 'fold'], message: 'a factor needs at least one level' },
      { path: ['include', 0, 'modle'], message: 'unknown factor "modle"' },
      {
        path: ['exclude', 0, 'model'],
        message: '"vitt" is not a level of model, so this entry excludes nothing',
      },
      { path: ['exclude', 1], message: 'an empty exclude entry matches nothing' },
    ]);
    expect(() => expandConditions({ experiment: 'x', factors: [{ name: 'a', levels: [] }] })).toThrow(
      'invalid factorial: factors.a: a factor needs at least one level',
    );
  });
});

describe('job names', () => {
  it('use FNV-1a (the published test vectors)', () => {
    expect(fnv1aHex('')).toBe('811c9dc5');
    expect(fnv1aHex('a')).toBe('e40c292c');
    expect(fnv1aHex('foobar')).toBe('bf9cf968');
  });

  it.each([
    ['cifar100-calib', 'sw-cifar100-calib-'],
    ['LLM_Sweep.v2', 'sw-llm-sweep-v2-'],
    ['a-very-long-experiment-name-indeed', 'sw-a-very-long-expe-'],
    ['___', 'sw-x-'],
  ])('fit scheduler limits for experiment %s', (experiment, prefix) => {
    const name = jobName(experiment, 'model=vit,fold=1');
    expect(name.startsWith(prefix)).toBe(true);
    expect(name).toMatch(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
  });

  it('are stable for an id and differ with the salt', () => {
    expect(jobName('e', 'a=1')).toBe(jobName('e', 'a=1'));
    expect(jobName('e', 'a=1', 1)).not.toBe(jobName('e', 'a=1'));
  });
});

describe('placeholders', () => {
  const vars = { model: 'vit', fold: '3', condition: 'model=vit,fold=3' };

  it.each([
    ['--model={model}', '--model=vit'],
    ['results/{condition}/metrics.json', 'results/model=vit,fold=3/metrics.json'],
    ['{{"fold": {fold}}}', '{"fold": 3}'],
    ['{not a placeholder}', '{not a placeholder}'],
    ['plain', 'plain'],
  ])('fills %s as %s', (template, expected) => {
    expect(substitutePlaceholders(template, vars)).toBe(expected);
  });

  it('lists the names a template uses and refuses one it does not know', () => {
    expect(placeholdersIn('--m={model} --f={fold} {{literal}}')).toEqual(['model', 'fold']);
    expect(() => substitutePlaceholders('{modle}', vars)).toThrow('unknown placeholder {modle}');
  });
});
