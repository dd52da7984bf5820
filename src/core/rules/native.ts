import { type Rule, TIER } from './types.js';

/**
 * The C runtime and the kernel: host memory exhaustion, the OOM killer, and native crashes.
 * Crash signals sit below the causes because an abort often follows a clearer message
 * (`no kernel image …` then `Aborted (core dumped)`); `std::bad_alloc` and V8's heap limit
 * abort too, but are memory. `Killed` only counts as a whole line or as bash's job report,
 * never inside a sentence.
 */
export const NATIVE_RULES: readonly Rule[] = [
  {
    id: 'kernel.oom_killer',
    rootCause: 'host_oom',
    tier: TIER.cause,
    confidence: 0.95,
    needles: ['Out of memory: Kill', 'Memory cgroup out of memory', 'oom-killer'],
    patterns: [/Out of memory: Kill(?:ed)? process/, /Memory cgroup out of memory/, /invoked oom-killer/],
    hint: 'The kernel OOM killer fired: request more memory or use less.',
    evenWhenHealthy: true,
  },
  {
    id: 'native.bad_alloc',
    rootCause: 'host_oom',
    tier: TIER.cause,
    confidence: 0.85,
    needles: ['bad_alloc', 'Cannot allocate memory', 'Errno 12]'],
    patterns: [/std::bad_alloc/, /Cannot allocate memory/, /\[Errno 12\]/],
    hint: 'A host allocation failed: request more memory or use less.',
  },
  {
    id: 'node.js_heap',
    rootCause: 'host_oom',
    tier: TIER.cause,
    confidence: 0.9,
    needles: ['JavaScript heap'],
    patterns: [/JavaScript heap out of memory/],
    hint: 'Raise --max-old-space-size or the memory request.',
  },
  {
    id: 'shell.killed',
    rootCause: 'host_oom',
    tier: TIER.signal,
    confidence: 0.75,
    needles: ['Killed', 'killed'],
    patterns: [
      /^\s*Killed\s*$/,
      /line \d+:\s+\d+ Killed\s/,
      /^zsh: killed\s/,
      /^\[\d+\]\s+\+?\s*\d+ killed\s/,
    ],
    hint: 'The process got SIGKILL, most often from the OOM killer: request more memory.',
  },
  {
    id: 'crash.segfault',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.9,
    needles: ['egmentation fault', 'SIGSEGV', 'signal 11'],
    patterns: [/[Ss]egmentation fault/, /Signals?\.SIGSEGV/, /\(SIGSEGV\)/, /signal SIGSEGV/, /signal 11\b/],
    hint: 'A native crash: rerun with faulthandler (python -X faulthandler); relaunch once.',
  },
  {
    id: 'crash.bus_error',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.85,
    needles: ['Bus error', 'bus error', 'SIGBUS'],
    patterns: [/[Bb]us error/, /SIGBUS/],
    hint: 'A bus error, often exhausted shared memory (/dev/shm) in dataloader workers.',
  },
  {
    id: 'crash.fatal_python',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.9,
    needles: ['Fatal Python error'],
    patterns: [/Fatal Python error/],
    hint: 'The interpreter crashed: the thread dump below it points at the native frame.',
  },
  {
    id: 'crash.abort',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.8,
    needles: ['Aborted', 'SIGABRT', 'core dumped', 'terminate called'],
    patterns: [
      /Aborted \(core dumped\)/,
      /^\s*Aborted\s*$/,
      /\(core dumped\)/,
      /Signals?\.SIGABRT|\(SIGABRT\)|signal SIGABRT/,
      /terminate called (?:after throwing an instance of|without an active exception|recursively)/,
    ],
    hint: 'The process aborted: the lines above the abort usually name the reason.',
  },
  {
    id: 'crash.heap_corruption',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.85,
    needles: ['double free', 'free():', 'malloc():', '*** Error in', 'stack smashing'],
    patterns: [
      /double free or corruption/,
      /free\(\): invalid (?:pointer|size|next size)/,
      /malloc\(\): (?:corrupted|memory corruption)/,
      /\*\*\* Error in `/,
      /stack smashing detected/,
    ],
    hint: 'Heap corruption in native code: relaunch once, open an issue if it repeats.',
  },
  {
    id: 'crash.fpe_ill',
    rootCause: 'crash',
    tier: TIER.signal,
    confidence: 0.8,
    needles: ['Floating point exception', 'Illegal instruction'],
    patterns: [/Floating point exception/, /Illegal instruction/],
    hint: 'SIGFPE/SIGILL: an integer division by zero, or a binary built for another CPU.',
  },
];
