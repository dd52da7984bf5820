import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/adapters/local/local-transport.js';
import { TransportClusterFiles } from '../../src/adapters/transport-files.js';

describe('moving partial outputs aside before a relaunch', () => {
  it('moves what exists into the quarantine folder, reports what is missing, and deletes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-quarantine-'));
    mkdirSync(join(dir, 'results'));
    writeFileSync(join(dir, 'results', 'metrics.json'), '{"loss": 1}');
    const files = new TransportClusterFiles(new LocalTransport());
    const dest = join(dir, '.sweepwatch-quarantine', 'attempt-0');
    const r = await files.quarantine([join(dir, 'results'), join(dir, 'absent.ckpt')], dest);
    expect(r).toEqual({ moved: [join(dir, 'results')], missing: [join(dir, 'absent.ckpt')] });
    expect(existsSync(join(dir, 'results'))).toBe(false);
    expect(readFileSync(join(dest, 'results', 'metrics.json'), 'utf8')).toBe('{"loss": 1}');
  });

  it('treats hostile path names as names, never as shell code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-quarantine-'));
    const canary = join(dir, 'pwned');
    // Names cannot hold a slash, so the would-be commands touch a file in the working directory.
    const hostile = join(dir, '$(touch pwned); `touch pwned`; \' " * ?');
    writeFileSync(hostile, 'x');
    const files = new TransportClusterFiles(new LocalTransport({ cwd: dir }));
    const r = await files.quarantine([hostile], join(dir, 'q'));
    expect(r.moved).toEqual([hostile]);
    expect(existsSync(canary)).toBe(false);
  });

  it('fails loudly when the quarantine folder cannot be made, rather than relaunching over old outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-quarantine-'));
    writeFileSync(join(dir, 'file'), 'x');
    const files = new TransportClusterFiles(new LocalTransport());
    await expect(files.quarantine([join(dir, 'file')], join(dir, 'file', 'sub'))).rejects.toThrow(
      'could not move partial outputs aside',
    );
  });
});
