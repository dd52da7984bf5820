import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/adapters/local/local-transport.js';
import { rejection } from '../helpers/transport-rejection.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A zombie is dead for our purposes: it runs nothing, it only waits to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('LocalTransport', () => {
  it('runs argv without a shell, so metacharacters are just bytes', async () => {
    const hostile = '$(touch /tmp/x); `id` * ~ \'q\' "dq" \n';
    const result = await new LocalTransport().exec(['printf', '%s', hostile]);
    expect(result).toEqual({
      stdout: hostile,
      stderr: '',
      code: 0,
      signal: null,
      stdoutTruncated: false,
      stderrTruncated: false,
    });
  });

  it('returns a non-zero exit and stderr as a result', async () => {
    const result = await new LocalTransport().exec(['sh', '-c', 'echo oops >&2; exit 3']);
    expect(result).toMatchObject({ stdout: '', stderr: 'oops\n', code: 3, signal: null });
  });

  it('reports death by signal as code null and the name without SIG', async () => {
    const result = await new LocalTransport().exec(['sh', '-c', 'kill -TERM $$']);
    expect(result).toMatchObject({ code: null, signal: 'TERM' });
  });

  it('kills the whole process group on timeout and reports the command name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweepwatch-local-'));
    dirs.push(dir);
    const pidFile = join(dir, 'pid');
    const t = new LocalTransport();
    const error = await rejection(
      t.exec(['sh', '-c', 'sleep 30 & echo $! > "$1"; wait', 'sh', pidFile], { timeoutMs: 1_000 }),
    );
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain("'sh'");
    expect(error.context).toMatchObject({ command: 'sh', timeoutMs: 1_000 });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    const deadline = Date.now() + 2_000;
    while (isRunning(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('caps output per stream and marks it truncated, while draining the rest', async () => {
    const t = new LocalTransport({ maxStderrBytes: 10 });
    const result = await t.exec(['sh', '-c', 'head -c 200000 /dev/zero | tr "\\0" x; printf %050d 0 >&2'], {
      maxStdoutBytes: 1000,
    });
    expect(result.stdout).toBe('x'.repeat(1000));
    expect(result.stderr).toBe('0'.repeat(10));
    expect(result).toMatchObject({ code: 0, stdoutTruncated: true, stderrTruncated: true });
    expect(t.stats().bytesIn).toBe(200_050);
  });

  it('hands stdout over line by line when asked, keeping none of it, within the same cap', async () => {
    const t = new LocalTransport();
    const lines: string[] = [];
    const script = 'i=0; while [ $i -lt 20000 ]; do echo "row $i é"; i=$((i + 1)); done; printf tail';
    const result = await t.exec(['sh', '-c', script], { onStdoutLine: (line) => lines.push(line) });
    expect(result).toMatchObject({ stdout: '', code: 0, stdoutTruncated: false });
    expect(lines).toHaveLength(20_001);
    expect(lines[12_345]).toBe('row 12345 é');
    expect(lines.at(-1)).toBe('tail');

    const capped: string[] = [];
    const cut = await t.exec(['sh', '-c', 'printf "ab\\ncd\\nef\\n"'], {
      maxStdoutBytes: 5,
      onStdoutLine: (line) => capped.push(line),
    });
    expect(capped).toEqual(['ab', 'cd']);
    expect(cut).toMatchObject({ stdout: '', stdoutTruncated: true });
  });

  it('feeds stdin, and closes it when none is given', async () => {
    const t = new LocalTransport();
    await expect(t.exec(['cat'], { stdin: 'héllo' })).resolves.toMatchObject({ stdout: 'héllo' });
    await expect(t.exec(['cat'], { timeoutMs: 2_000 })).resolves.toMatchObject({ stdout: '', code: 0 });
  });

  it('reports a missing program as exit 127, as a remote shell would', async () => {
    const result = await new LocalTransport().exec(['sweepwatch-no-such-program']);
    expect(result).toMatchObject({ code: 127, stderr: 'sweepwatch-no-such-program: command not found\n' });
  });

  it('counts execs and bytes, and opens no connections', async () => {
    const t = new LocalTransport();
    await t.exec(['printf', 'abc']);
    await t.exec(['cat'], { stdin: 'xy' });
    expect(t.stats()).toEqual({
      execs: 2,
      connections: 0,
      bytesIn: 5,
      bytesOut: Buffer.byteLength('printf abc') + Buffer.byteLength('cat') + 2,
    });
  });

  it('refuses a NUL byte in an argument as a config error', async () => {
    expect((await rejection(new LocalTransport().exec(['echo', 'a\0b']))).kind).toBe('config');
  });

  it('close() kills what is still running and refuses later execs', async () => {
    const t = new LocalTransport();
    const running = t.exec(['sleep', '30']);
    await new Promise((r) => setTimeout(r, 100));
    await t.close();
    await t.close();
    expect((await rejection(running)).kind).toBe('disconnected');
    expect((await rejection(t.exec(['true']))).kind).toBe('disconnected');
  });
});
