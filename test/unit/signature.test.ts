import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobName } from '../../src/core/conditions.js';
import { classify } from '../../src/core/root-cause.js';
import { evidenceTemplate, fnv1a64, maskVolatile, signatureOf } from '../../src/core/signature.js';

describe('fnv1a64', () => {
  // Reference vectors of FNV-1a 64 (offset basis cbf29ce484222325, prime 100000001b3).
  it.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('%j → %s', (text, hash) => {
    expect(fnv1a64(text)).toBe(hash);
  });

  it('hashes UTF-8 bytes, so non-ASCII text is stable and distinct', () => {
    expect(fnv1a64('██▌')).toMatch(/^[0-9a-f]{16}$/);
    expect(fnv1a64('é')).not.toBe(fnv1a64('e'));
    expect(fnv1a64('😀')).toBe(fnv1a64('\u{1f600}'));
  });

  it('is FNV-1a 64 of the UTF-8 bytes of any text, one to four bytes a character', () => {
    const reference = (text: string): string => {
      let h = 0xcbf29ce484222325n;
      for (const byte of Buffer.from(text, 'utf8'))
        h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
      return h.toString(16).padStart(16, '0');
    };
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(fnv1a64(text)).toBe(reference(text));
      }),
    );
  });
});

describe('maskVolatile', () => {
  it.each([
    [
      'sizes',
      'Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)',
      'Tried to allocate <SIZE> (GPU <N>; <SIZE> total capacity)',
    ],
    [
      'bytes',
      'Out of memory while trying to allocate 7406166528 bytes.',
      'Out of memory while trying to allocate <SIZE>.',
    ],
    [
      'timestamps',
      'CANCELLED AT 2026-11-26T04:22:08 DUE TO TIME LIMIT',
      'CANCELLED AT <TS> DUE TO TIME LIMIT',
    ],
    [
      'slurm hosts',
      'slurmstepd-vm: error: *** JOB 38 ON vm CANCELLED AT',
      'slurmstepd-<HOST>: error: *** JOB <N> ON <HOST> CANCELLED AT',
    ],
    [
      'srun hosts',
      'srun: error: nid04277: task 1: Segmentation fault',
      'srun: error: <HOST>: task <N>: Segmentation fault',
    ],
    [
      'ranks',
      '[rank3]:[E626 06:24:44.9 ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog',
      '[rank<N>]:[<TS> ProcessGroupNCCL.cpp:<N>] [Rank <N>] Watchdog',
    ],
    [
      'paths',
      "No such file or directory: '/data/run-7/ckpt/last.pth'",
      "No such file or directory: '<PATH>'",
    ],
    [
      'hex',
      'frame #0: c10::Error + 0x4d (0x2ba39fce177d in libc10.so)',
      'frame #<N>: c10::Error + <HEX> (<HEX> in libc10.so)',
    ],
    ['uuids', 'job 09c561ee-a44c-4795-967c-7183a83b3160 failed', 'job <UUID> failed'],
    ['ips', 'Connect to 192.168.19.14<52822> failed', 'Connect to <IP> failed'],
    [
      'identifiers stay',
      "Function 'MulBackward0' returned nan values",
      "Function 'MulBackward0' returned nan values",
    ],
    ['versions stay', "version `GLIBCXX_3.4.29' not found", "version `GLIBCXX_3.4.29' not found"],
    ['whitespace', '  a \t b\r\n', 'a b'],
  ])('masks %s', (_name, line, template) => {
    expect(maskVolatile(line)).toBe(template);
  });

  it('masks a line seen before, thousands of other lines later, and a very long line, alike', () => {
    const long = `OOM at 2026-11-26T04:22:08 ${'x'.repeat(2000)} step 7`;
    const expected = `OOM at <TS> ${'x'.repeat(2000)} step <N>`.slice(0, 240);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_000; i++)
        expect(maskVolatile(`loss diverged at step ${i}`)).toBe('loss diverged at step <N>');
      expect(maskVolatile('scheduler_state: FAILED')).toBe('scheduler_state: FAILED');
      expect(maskVolatile(long)).toBe(expected);
    }
  });
});

describe('signatures: identical failures collide, different ones do not', () => {
  const oomOn = (size: string, gpu: number, host: string, rank: number) =>
    classify({
      log: [
        `[rank${rank}]: Traceback (most recent call last):`,
        `[rank${rank}]:   File "/home/${host}/runs/${size}/train.py", line 88, in <module>`,
        `[rank${rank}]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ${size} GiB. GPU ${gpu} has a total capacity of 79.15 GiB of which 1.${rank}0 GiB is free.`,
      ].join('\n'),
      schedulerState: 'FAILED',
      exitCode: '1:0',
    });

  it('two OOMs differing only in sizes, GPUs, hosts, ranks and paths share a signature', () => {
    const a = oomOn('2.00', 0, 'alice', 3);
    const b = oomOn('17.25', 7, 'bob', 5);
    expect(a.rootCause).toBe('gpu_oom');
    expect(a.signature).toBe(b.signature);
  });

  it.each([
    ['different exceptions', 'ValueError: bad shape', 'TypeError: bad shape'],
    ['different messages', "KeyError: 'lr'", "KeyError: 'batch_size'"],
    [
      'different backward functions',
      "Function 'MulBackward0' returned nan values",
      "Function 'DivBackward0' returned nan values",
    ],
  ])('%s differ', (_name, left, right) => {
    expect(signatureOf('code_error', [left])).not.toBe(signatureOf('code_error', [right]));
  });

  it("the same refusal naming two of the sweep's jobs shares a signature (so it groups)", () => {
    const refusal = (job: string) =>
      signatureOf('provisioning', [
        `sky.exceptions.ResourcesUnavailableError: No launchable resource found for task ${job}.`,
      ]);
    const [a, b] = [jobName('calib-v2', 'model=vit,fold=0'), jobName('calib-v2', 'model=vit,fold=1')];
    expect(a).not.toBe(b);
    expect(refusal(a)).toBe(refusal(b));
    expect(refusal(a)).not.toBe(
      signatureOf('provisioning', [
        'sky.exceptions.ResourcesUnavailableError: No launchable resource found for task train.',
      ]),
    );
  });

  it('the same evidence under another root cause differs', () => {
    expect(signatureOf('gpu_oom', ['x'])).not.toBe(signatureOf('host_oom', ['x']));
  });

  it('two time-limit kills on different jobs and nodes share a signature', () => {
    const kill = (job: number, host: string, at: string) =>
      classify({
        log: `slurmstepd-${host}: error: *** JOB ${job} ON ${host} CANCELLED AT ${at} DUE TO TIME LIMIT ***`,
        schedulerState: 'TIMEOUT',
        exitCode: '0:0',
      }).signature;
    expect(kill(38, 'gpu-a17', '2026-11-26T04:22:08')).toBe(kill(9123, 'gpu-b02', '2026-12-01T23:59:01'));
  });

  it('is invariant under any renumbering of the volatile numbers', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), fc.nat(64), (pid, line, rank) => {
        const evidence = [`[rank${rank}] RuntimeError: worker ${pid} failed at step ${line}`];
        expect(evidenceTemplate(evidence)).toBe('[rank<N>] RuntimeError: worker <N> failed at step <N>');
      }),
    );
  });
});
