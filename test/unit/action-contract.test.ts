import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUTS, OUTPUT_KEYS } from '../../src/action/io.js';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { required?: boolean; default?: string; description?: string }>;
  outputs: Record<string, { description?: string }>;
}

const actionYml = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;

describe('action.yml and the code agree', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(actionYml.inputs).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  it.each(Object.entries(INPUTS))(
    'input %s has the same required flag, default and a description',
    (name, spec) => {
      const declared = actionYml.inputs[name];
      expect(declared?.required ?? false).toBe(spec.required);
      expect(declared?.default ?? '').toBe(spec.default);
      expect(declared?.description ?? '').not.toBe('');
    },
  );

  it('declares exactly the outputs the code sets', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...OUTPUT_KEYS].sort());
  });

  it('runs the committed bundle on node24', () => {
    expect(actionYml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
