import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify, parseExitCode } from '../../src/core/root-cause.js';
import { judgeState } from '../../src/core/rules/states.js';
import { type ClassifyInput, ROOT_CAUSES, type RootCause } from '../../src/core/types.js';

function input(log: string, schedulerState: string | null, exitCode: string | number | null): ClassifyInput {
  return { log, schedulerState, exitCode };
}

const CUDA_OOM = [
  'Traceback (most recent call last):',
  '  File "train.py", line 88, in <module>',
  'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity)',
].join('\n');
const OOM_KILL =
  'slurmstepd: error: Detected 1 oom-kill event(s) in StepId=41.batch. Some of your processes may have been killed by the cgroup out-of-memory handler.';

describe('rules of judgement: evidence beats the exit code', () => {
  it.each<[string, ClassifyInput, RootCause]>([
    ['oom-kill line with exit 0', input(`step 10\n${OOM_KILL}`, null, 0), 'host_oom'],
    ['oom-kill line under COMPLETED', input(OOM_KILL, 'COMPLETED', '0:0'), 'host_oom'],
    [
      'step memory limit with exit 0',
      input('slurmstepd: error: Exceeded step memory limit at some point.', null, 0),
      'host_oom',
    ],
    ['CUDA OOM traceback under FAILED', input(CUDA_OOM, 'FAILED', '1:0'), 'gpu_oom'],
    ['CUDA OOM traceback under OUT_OF_MEMORY', input(CUDA_OOM, 'OUT_OF_MEMORY', '0:125'), 'gpu_oom'],
    [
      'time limit banner, exit 0:15',
      input(
        'slurmstepd: error: *** JOB 38 ON vm CANCELLED AT 2026-11-26T04:22:08 DUE TO TIME LIMIT ***',
        'FAILED',
        '0:15',
      ),
      'timeout',
    ],
    ['segfault text beats exit 1', input('Segmentation fault (core dumped)', 'FAILED', 1), 'crash'],
    ['a crash exit code loses to a CUDA OOM', input(CUDA_OOM, 'FAILED', 139), 'gpu_oom'],
  ])('%s', (_name, given, expected) => {
    expect(classify(given).rootCause).toBe(expected);
  });
});

describe('rules of judgement: scary words are not failures', () => {
  it.each<[string, string]>([
    ['nan in a metric name', "{'loss': 0.41, 'nan_count': 0, 'grad_norm_nan': 0.0, 'epoch': 1.0}"],
    ['errors_seen=0', 'step=1200 loss=0.33 errors_seen=0 warnings=2'],
    [
      'FutureWarning',
      '/x/torch/distributed/launch.py:181: FutureWarning: The module torch.distributed.launch is deprecated',
    ],
    [
      'NCCL INFO lines',
      'gpu-3:123:456 [0] NCCL INFO NET/Plugin : Plugin load (libnccl-net.so) returned 2 : libnccl-net.so: cannot open shared object file: No such file or directory',
    ],
    [
      'Killed inside a sentence',
      'INFO: Killed 3 stale dataloader workers from the previous epoch, continuing',
    ],
    [
      'a handled exception',
      "WARNING: retrying download after ConnectionError: ('Connection aborted.')\nepoch 3 done",
    ],
    [
      'TF BFC allocator notice',
      'W bfc_allocator.cc:246] Allocator (GPU_0_bfc) ran out of memory trying to allocate 1.02GiB with freed_by_count=0. The caller indicates that this is not a failure',
    ],
  ])('%s → none when completed, running, or exit 0', (_name, log) => {
    expect(classify(input(log, 'COMPLETED', '0:0')).rootCause).toBe('none');
    expect(classify(input(log, 'RUNNING', null)).rootCause).toBe('none');
    expect(classify(input(log, null, 0)).rootCause).toBe('none');
  });

  it('a live job with a CUDA OOM traceback in its log is still none (the process may have recovered)', () => {
    expect(classify(input(CUDA_OOM, 'RUNNING', null)).rootCause).toBe('none');
  });

  it.each<[string, string]>([
    [
      'Killed inside a sentence',
      'INFO: Killed 3 stale dataloader workers from the previous epoch, continuing',
    ],
    [
      'NCCL INFO with a missing plugin',
      'h:1:1 [0] NCCL INFO NET/Plugin : libnccl-net.so: cannot open shared object file',
    ],
    [
      'TF probing optional libraries',
      "W dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file",
    ],
    [
      'loss scaler chatter',
      '[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 64, reducing to 32',
    ],
  ])('%s claims no cause even in a failed job', (_name, log) => {
    const verdict = classify(input(log, 'FAILED', '1:0'));
    expect(['unknown', 'nan_divergence']).toContain(verdict.rootCause);
    expect(verdict.confidence).toBeLessThan(0.5);
  });
});

describe('rules of judgement: the last fatal error wins over its echoes', () => {
  it('a traceback’s final exception outranks warnings printed earlier', () => {
    const log = [
      'UserWarning: something is deprecated',
      'Traceback (most recent call last):',
      'ValueError: bad shape: (3, 4)',
    ].join('\n');
    const verdict = classify(input(log, 'FAILED', '1:0'));
    expect(verdict).toMatchObject({ rootCause: 'code_error', rule: 'python.exception' });
    expect(verdict.evidence).toEqual(['ValueError: bad shape: (3, 4)']);
  });

  it('an OOM surfacing as a launcher ProcessExitedException is still the OOM', () => {
    const log = [
      CUDA_OOM,
      'Traceback (most recent call last):',
      '  File "launch.py", line 3, in <module>',
      'torch.multiprocessing.spawn.ProcessExitedException: process 1 terminated with exit code 1',
    ].join('\n');
    expect(classify(input(log, 'FAILED', '1:0')).rootCause).toBe('gpu_oom');
  });

  it('an OOM on one rank outranks the NCCL timeouts and the ChildFailedError after it', () => {
    const log = [
      '[rank3]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.00 GiB',
      '[rank0]:[E ProcessGroupNCCL.cpp:607] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5) ran for 600013 milliseconds before timing out.',
      'torch.distributed.elastic.multiprocessing.errors.ChildFailedError:',
    ].join('\n');
    expect(classify(input(log, 'FAILED', '1:0')).rootCause).toBe('gpu_oom');
  });

  it('without a cause, the collective failure outranks the launcher echo', () => {
    const log = [
      '[E ProcessGroupNCCL.cpp:737] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9) ran for 1802212 milliseconds',
      'torch.distributed.elastic.multiprocessing.errors.ChildFailedError:',
    ].join('\n');
    expect(classify(input(log, 'FAILED', '1:0')).rootCause).toBe('distributed');
  });

  it('a clear message outranks the abort that follows it', () => {
    const log =
      '[ERROR] failed: no kernel image is available for execution on the device\nAborted (core dumped)';
    expect(classify(input(log, 'FAILED', 134)).rootCause).toBe('env_import');
  });

  it('among equals the last wins: a disk error after a config error', () => {
    const log =
      "FileNotFoundError: [Errno 2] No such file or directory: 'a.yaml'\nOSError: [Errno 28] No space left on device";
    expect(classify(input(log, 'FAILED', '1:0')).rootCause).toBe('disk_quota');
  });
});

describe('scheduler states decide when the logs are silent', () => {
  it.each<[string | null, string | number | null, RootCause]>([
    ['OUT_OF_MEMORY', '0:125', 'host_oom'],
    ['OUT_OF_ME+', '0:125', 'host_oom'],
    ['OOM', null, 'host_oom'],
    ['TIMEOUT', '0:0', 'timeout'],
    ['DEADLINE', null, 'timeout'],
    ['PREEMPTED', '0:0', 'preempted'],
    ['NODE_FAIL', '0:0', 'node_failure'],
    ['BOOT_FAIL', null, 'node_failure'],
    ['CANCELLED by 1001', '0:0', 'cancelled'],
    ['CANCELLED', null, 'cancelled'],
    ['FAILED_NO_RESOURCE', null, 'provisioning'],
    ['FAILED_PRECHECKS', null, 'provisioning'],
    ['FAILED_CONTROLLER', null, 'controller_error'],
    ['ManagedJobStatus.FAILED_CONTROLLER', null, 'controller_error'],
    ['FAILED_SETUP', null, 'env_import'],
    ['COMPLETED', '0:0', 'none'],
    ['RUNNING', null, 'none'],
    ['PENDING', null, 'none'],
    ['SUCCEEDED', null, 'none'],
    [null, 0, 'none'],
    ['FAILED', '1:0', 'unknown'],
    [null, null, 'unknown'],
    ['SOMETHING_NEW', 3, 'unknown'],
  ])('%s / exit %s → %s', (state, exit, expected) => {
    const verdict = classify(input('epoch 1 done\nepoch 2 done', state, exit));
    expect(verdict.rootCause).toBe(expected);
    expect(verdict.evidence.length).toBeGreaterThan(0);
  });

  it('a decisive state beats a generic exception in the log', () => {
    const log = 'BrokenPipeError: [Errno 32] Broken pipe';
    expect(classify(input(log, 'OUT_OF_MEMORY', '0:125')).rootCause).toBe('host_oom');
    expect(classify(input(log, 'NODE_FAIL', null)).rootCause).toBe('node_failure');
  });

  it('a failure in the log beats a cancellation', () => {
    expect(classify(input('ValueError: nope', 'CANCELLED by 1001', '0:15')).rootCause).toBe('code_error');
  });

  it('FAILED_CONTROLLER wins even over log evidence: the job never had a chance', () => {
    expect(classify(input(CUDA_OOM, 'FAILED_CONTROLLER', null)).rootCause).toBe('controller_error');
  });

  it('FAILED_SETUP lets the log decide first', () => {
    expect(
      classify(input("ModuleNotFoundError: No module named 'flash_attn'", 'FAILED_SETUP', null)).rule,
    ).toBe('python.module_not_found');
  });
});

describe('exit codes decide when logs and states are silent', () => {
  it.each<[string | number, RootCause, string]>([
    ['139:0', 'crash', 'exit.sigsegv'],
    [134, 'crash', 'exit.sigabrt'],
    ['135', 'crash', 'exit.sigbus'],
    ['0:11', 'crash', 'exit.sigsegv'],
    [-6, 'crash', 'exit.sigabrt'],
    ['0:9', 'unknown', 'unknown.no_evidence'],
    [137, 'unknown', 'unknown.no_evidence'],
    [1, 'unknown', 'unknown.no_evidence'],
  ])('exit %s → %s', (exit, expected, rule) => {
    expect(classify(input('', 'FAILED', exit))).toMatchObject({ rootCause: expected, rule });
  });

  it.each<[string, string | number]>([
    ['Killed', 137],
    [
      '/var/spool/slurmd/job00041/slurm_script: line 14: 12345 Killed                  python3 train.py',
      '0:9',
    ],
    ['srun: error: node17: task 0: Killed', '137:0'],
  ])('%s with exit %s → host_oom', (log, exit) => {
    expect(classify(input(log, 'FAILED', exit)).rootCause).toBe('host_oom');
  });
});

describe('unknown failures keep their last words', () => {
  it('uses the last non-blank lines as evidence, so identical unknowns share a signature', () => {
    const run = (step: number, host: string) =>
      classify(
        input(`loading shard ${step}\nconnecting to ${host}:6379\nretrying in 5s\n\n`, 'FAILED', '1:0'),
      );
    const a = run(12, '10.0.0.7');
    expect(a).toMatchObject({ rootCause: 'unknown', rule: 'unknown.no_evidence' });
    expect(a.evidence).toEqual(['loading shard 12', 'connecting to 10.0.0.7:6379', 'retrying in 5s']);
    expect(run(98, '10.0.3.1').signature).toBe(a.signature);
  });

  it('falls back to the scheduler facts when the log is empty', () => {
    expect(classify(input('', 'FAILED', '1:0')).evidence).toEqual([
      'scheduler_state: FAILED',
      'exit_code: 1:0',
    ]);
  });
});

describe('parseExitCode', () => {
  it.each<[string | number | null, { code: number | null; signal: number | null } | null]>([
    [null, { code: null, signal: null }],
    [0, { code: 0, signal: null }],
    ['1:0', { code: 1, signal: null }],
    ['0:9', { code: 0, signal: 9 }],
    ['137:0', { code: 137, signal: 9 }],
    [139, { code: 139, signal: 11 }],
    [-11, { code: null, signal: 11 }],
    [' 2 ', { code: 2, signal: null }],
    ['abc', null],
    ['1:2:3', null],
    [1.5, null],
  ])('%j → %j', (value, expected) => {
    expect(parseExitCode(value)).toEqual(expected);
  });
});

describe('judgeState', () => {
  it.each<[string, string | null]>([
    ['CANCELLED by 1001', 'CANCELLED'],
    ['cancelled+', 'CANCELLED'],
    ['OUT_OF_ME+', 'OUT_OF_MEMORY'],
    ['CD', 'COMPLETED'],
    ['NF', 'NODE_FAIL'],
    ['JobStatus.FAILED_SETUP', 'FAILED_SETUP'],
    ['bogus', null],
  ])('%s → %s', (raw, name) => {
    expect(judgeState(raw).name).toBe(name);
  });
});

describe('classify is total', () => {
  it('returns one of the fixed ids, a bounded confidence and a 16-hex signature for any input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.option(fc.constantFrom('FAILED', 'COMPLETED', 'TIMEOUT', 'CANCELLED by 5', 'x'), { nil: null }),
        fc.option(fc.oneof(fc.integer({ min: -20, max: 300 }), fc.constantFrom('1:0', '0:9', 'zz')), {
          nil: null,
        }),
        (log, state, exit) => {
          const verdict = classify({ log, schedulerState: state, exitCode: exit });
          expect(ROOT_CAUSES).toContain(verdict.rootCause);
          expect(verdict.confidence).toBeGreaterThanOrEqual(0);
          expect(verdict.confidence).toBeLessThanOrEqual(1);
          expect(verdict.signature).toMatch(/^[0-9a-f]{16}$/);
          expect(verdict.evidence.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
