import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The committed dist/ must be exactly what the source builds: otherwise the Action users run
// is not the code the tests checked. This rebuilds into .dist-check/ and compares byte by byte.
const CHECK = '.dist-check';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

afterAll(() => rmSync(CHECK, { recursive: true, force: true }));

describe('the committed bundle', () => {
  it('is byte for byte what `npm run package` builds from the source', () => {
    execFileSync(process.execPath, ['scripts/package.mjs', '--out', CHECK], { stdio: 'pipe' });
    const built = files(CHECK);
    expect(files('dist')).toEqual(built);
    const differing = built.filter(
      (f) => !readFileSync(join(CHECK, f)).equals(readFileSync(join('dist', f))),
    );
    expect(differing, 'run `npm run package` and commit dist/').toEqual([]);
  });
});
