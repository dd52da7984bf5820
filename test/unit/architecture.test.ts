import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The one rule of docs/architecture.md, checked on every file: core/ is pure, app/ speaks only
// to ports, and only action/ (plus the entry) touches @actions/*.
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
}

describe('layer boundaries', () => {
  it.each(sources('src/core'))('%s imports nothing but core (no I/O, no adapters, no runtimes)', (file) => {
    for (const spec of imports(file)) {
      const inCore = spec.startsWith('.') && normalize(join(dirname(file), spec)).startsWith('src/core/');
      expect(inCore || spec === 'zod', `${file} imports ${spec}`).toBe(true);
    }
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\bprocess\.env\b|\bDate\.now\(\)|\bnew Date\(\)/);
  });

  it.each(sources('src/app'))('%s uses ports and core, never adapters or the Actions runtime', (file) => {
    for (const spec of imports(file)) {
      expect(spec, `${file} imports ${spec}`).not.toMatch(/adapters\/|^@actions\/|^ssh2$|^node:/);
    }
  });

  it('only src/action/runtime.ts imports @actions/core', () => {
    const users = sources('src').filter((f) => imports(f).some((s) => s.startsWith('@actions/')));
    expect(users).toEqual(['src/action/runtime.ts']);
  });

  it('only the ssh adapter imports ssh2', () => {
    const users = sources('src').filter((f) => imports(f).includes('ssh2'));
    expect(users.every((f) => f.startsWith('src/adapters/ssh/'))).toBe(true);
  });
});
