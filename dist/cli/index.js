#!/usr/bin/env node
import './sourcemap-register.cjs';import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 486:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _shims_cjs_globals_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(889);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(695);
// The `sweepwatch` command's entry: the CommonJS shim first (ssh2 needs it), then the CLI.


process.exitCode = await (0,_main_js__WEBPACK_IMPORTED_MODULE_1__/* .runCli */ .ak)(process.argv.slice(2), process.stdout, process.stderr);

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 695:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  ak: () => (/* binding */ runCli)
});

// UNUSED EXPORTS: EXIT, usage

;// CONCATENATED MODULE: external "node:readline"
const external_node_readline_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:readline");
;// CONCATENATED MODULE: ./src/core/rules/types.ts
/**
 * How strongly a matching line speaks for its root cause. The scan keeps the strongest line,
 * and among equals the last one, so a cause outranks its consequences wherever they appear:
 * a CUDA OOM on one rank outranks the NCCL timeouts it provokes on the others, and both
 * outrank the launcher's summary printed afterwards.
 */
const TIER = {
    /** A wrapper that only says something failed elsewhere (torchrun, srun, Ray). */
    echo: 0,
    /** A generic exception or a soft signal: the code raised, the user interrupted. */
    generic: 1,
    /** A process died of a signal; often the consequence of something more specific. */
    signal: 2,
    /** A collective or rendezvous failed; often the consequence of a peer's death. */
    collective: 3,
    /** The cause itself: memory, device, disk, environment, config, scheduler verdicts. */
    cause: 4,
};

;// CONCATENATED MODULE: ./src/core/rules/cloud.ts

/**
 * SkyPilot and the clouds under it: capacity and quota refusals, spot reclaims and the managed
 * jobs controller. Capacity and quota errors come from the provider's API, so they keep the
 * provider's own spelling (AWS InsufficientInstanceCapacity, GCE ZONE_RESOURCE_POOL_EXHAUSTED).
 */
const CLOUD_RULES = [
    {
        id: 'skypilot.resources_unavailable',
        rootCause: 'provisioning',
        tier: TIER.cause,
        confidence: 0.95,
        needles: [
            'ResourcesUnavailableError',
            'Failed to provision',
            'No launchable resource',
            'Catalog does not contain',
        ],
        patterns: [
            /ResourcesUnavailableError/,
            /Failed to provision all possible launchable resources/,
            /No launchable resource found/,
            /Catalog does not contain any instances satisfying/,
        ],
        hint: 'Retry later, or widen the resources (more regions, clouds or accelerator types).',
    },
    {
        id: 'cloud.capacity',
        rootCause: 'provisioning',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['InsufficientInstanceCapacity', 'ZONE_RESOURCE_POOL_EXHAUSTED', 'enough resources available'],
        patterns: [
            /InsufficientInstanceCapacity/,
            /ZONE_RESOURCE_POOL_EXHAUSTED/,
            /does not have enough resources available to fulfill the request/,
        ],
        hint: 'The zone is out of capacity: retry later or allow other zones.',
    },
    {
        id: 'cloud.quota',
        rootCause: 'provisioning',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ["Quota '", 'exceed quota limits', 'LimitExceeded', 'QuotaExceeded'],
        patterns: [
            /Quota '[^']+' exceeded/,
            /exceed quota limits/,
            /[A-Z][a-z]+LimitExceeded\b/,
            /QuotaExceeded/,
        ],
        hint: 'Raise the cloud quota, or use a region or accelerator with quota.',
    },
    {
        id: 'skypilot.controller',
        rootCause: 'controller_error',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['FAILED_CONTROLLER', 'JobsController', 'Controller process'],
        patterns: [
            /status: FAILED_CONTROLLER/,
            /terminal state FAILED_CONTROLLER/,
            /Setting the job status to FAILED_CONTROLLER/,
            /Unexpected error in JobsController/,
            /Controller process (?:for job \d+ )?has exited abnormally/,
        ],
        hint: 'The jobs controller failed, not the job: relaunch as is; open an issue if it repeats.',
    },
    {
        id: 'cloud.preempted',
        rootCause: 'preempted',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['preempted', 'termination is imminent', 'nstance interruption'],
        patterns: [
            /[Cc]luster is preempted/,
            /node was preempted/,
            /[Ii]nstance was preempted/,
            /termination is imminent/,
            /[Ss]pot [Ii]nstance interruption/,
        ],
        hint: 'The spot capacity was reclaimed: relaunch as is, ideally resuming from a checkpoint.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/distributed.ts

/**
 * NCCL, torch.distributed (c10d, elastic rendezvous, TCPStore, Gloo), JAX's coordination
 * service, and Ray's actor bookkeeping. Collective failures sit one tier below the causes:
 * when one rank dies of an OOM, its peers time out in NCCL, and the OOM is the root cause.
 * `NCCL INFO` lines never count (the scan drops them), however alarming their words.
 */
const DISTRIBUTED_RULES = [
    {
        id: 'nccl.watchdog_timeout',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.9,
        needles: ['collective operation timeout'],
        patterns: [/Watchdog caught collective operation timeout/],
        hint: 'A collective hung: look for a rank that died or stalled; relaunch once.',
    },
    {
        id: 'nccl.error',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.9,
        needles: ['NCCL error', 'nccl', 'DistBackendError', 'communicator was aborted'],
        patterns: [
            /NCCL error/,
            /nccl(?:System|Internal|InvalidUsage|InvalidArgument|Remote|UnhandledCuda)Error/,
            /DistBackendError/,
            /NCCL communicator was aborted/,
        ],
        // NCCL prints the underlying socket or IB error on the lines after `Last error:`.
        keepAfter: 2,
        hint: 'NCCL failed: check the network (NCCL_SOCKET_IFNAME, IB), then relaunch once.',
    },
    {
        id: 'dist.store',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.85,
        needles: [
            'DistStoreError',
            'DistNetworkError',
            'Socket Timeout',
            'socket has timed out',
            'socket has failed',
        ],
        patterns: [
            /DistStoreError/,
            /DistNetworkError/,
            /Socket Timeout/,
            /The client socket has timed out after/,
            /The server socket has failed to/,
        ],
        hint: 'Ranks could not meet at the store: check MASTER_ADDR/PORT and that all nodes started.',
    },
    {
        id: 'dist.rendezvous',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.9,
        needles: ['Rendezvous'],
        patterns: [/Rendezvous(?:Timeout|Closed|Connection|State)?Error/],
        hint: 'The elastic rendezvous failed: check the endpoint and that every node joined in time.',
    },
    {
        id: 'dist.connection_reset',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.75,
        needles: ['Connection reset by peer', 'Connection closed by peer'],
        patterns: [
            /(?:gloo|c10d|ProcessGroup|NCCL|torch\.distributed).*Connection (?:reset|closed) by peer/,
            /Connection (?:reset|closed) by peer.*(?:gloo|c10d|ProcessGroup)/,
        ],
        hint: 'A peer went away mid-collective; it usually died first, so check the other ranks.',
    },
    {
        id: 'jax.coordination',
        rootCause: 'distributed',
        tier: TIER.collective,
        confidence: 0.8,
        needles: ['Barrier timed out', 'coordination service'],
        patterns: [
            /DEADLINE_EXCEEDED: Barrier timed out/,
            /[Ff]ailed to connect to (?:the )?coordination service/,
        ],
        hint: 'The JAX processes could not synchronise: check the coordinator address and peers.',
    },
    {
        id: 'ray.node_died',
        rootCause: 'node_failure',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['node has died', 'node has crashed', 'marked dead'],
        patterns: [
            /its node has died/,
            /node has crashed/,
            /has been marked dead because the \w+ has missed too many heartbeats/,
        ],
        hint: 'A Ray node went away: relaunch; exclude the node if it repeats.',
    },
    {
        id: 'ray.actor_died',
        rootCause: 'unknown',
        tier: TIER.echo,
        confidence: 0.3,
        needles: ['RayActorError', 'ActorDiedError', 'actor died', 'actor is dead', 'entrypoint command failed'],
        patterns: [
            /RayActorError/,
            /ActorDiedError/,
            /The actor died unexpectedly/,
            /The actor is dead because/,
            /Job entrypoint command failed/,
        ],
        hint: 'A Ray actor died; its worker log (or the raylet log) holds the cause.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/filesystem.ts

/** Full disks and exhausted quotas, however the writer phrases errno 28 (ENOSPC) and 122 (EDQUOT). */
const FILESYSTEM_RULES = [
    {
        id: 'fs.no_space',
        rootCause: 'disk_quota',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['No space left', 'Errno 28]', 'StorageFull', 'ENOSPC'],
        patterns: [/No space left on device/, /\[Errno 28\]/, /kind: StorageFull/, /\bENOSPC\b/],
        hint: 'The volume is full: clean up old checkpoints or write somewhere larger, then relaunch.',
    },
    {
        id: 'fs.quota',
        rootCause: 'disk_quota',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['isk quota exceeded', 'Errno 122]', 'EDQUOT'],
        patterns: [/[Dd]isk quota exceeded/, /\[Errno 122\]/, /\bEDQUOT\b/],
        hint: 'The quota (bytes or files) is exhausted: clean up, then relaunch.',
    },
    {
        id: 'fs.torch_write_failed',
        rootCause: 'disk_quota',
        tier: TIER.cause,
        confidence: 0.7,
        needles: ['PytorchStreamWriter failed'],
        patterns: [/PytorchStreamWriter failed writing file/],
        hint: 'torch.save could not write the checkpoint, usually a full volume.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/jax-tf.ts

/**
 * JAX/XLA and TensorFlow. Both spell an accelerator OOM as RESOURCE_EXHAUSTED, but so do a
 * full disk and a cloud quota; only the `Out of memory while trying to allocate` and `OOM when
 * allocating` forms are device memory. TensorFlow's BFC allocator warning ("ran out of memory
 * … this is not a failure") deliberately matches nothing.
 */
const JAX_TF_RULES = [
    {
        id: 'xla.resource_exhausted',
        rootCause: 'gpu_oom',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['memory while trying to allocate'],
        patterns: [/Out of memory while trying to allocate/i],
        hint: 'Reduce the footprint (batch, sequence, sharding) or set XLA_PYTHON_CLIENT_MEM_FRACTION.',
    },
    {
        id: 'tf.oom',
        rootCause: 'gpu_oom',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['OOM when allocating'],
        patterns: [/OOM when allocating tensor/],
        hint: 'Reduce the batch size or the model size.',
    },
    {
        id: 'tf.device_alloc',
        rootCause: 'gpu_oom',
        tier: TIER.cause,
        confidence: 0.8,
        needles: [
            'CUDA_ERROR_OUT_OF_MEMORY',
            'HIP_ERROR_OutOfMemory',
            'hipErrorOutOfMemory',
            'failed to allocate',
        ],
        // The stream executor's own words when the CUDA or ROCm device refuses an allocation.
        patterns: [
            /CUDA_ERROR_OUT_OF_MEMORY/,
            /HIP_ERROR_OutOfMemory|hipErrorOutOfMemory/,
            /failed to allocate \S+ \(\d+ bytes\) from device/,
        ],
        hint: 'The device is full: reduce the footprint or stop preallocating (allow_growth).',
    },
    {
        id: 'tf.nan',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['had NaN values', 'had Inf values'],
        patterns: [/Tensor had (?:NaN|Inf) values/],
        hint: 'check_numerics fired: lower the learning rate, check the inputs.',
    },
    {
        id: 'tf.dnn_library',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['DNN library'],
        patterns: [/DNN library is not found/, /DNN library initialization failed/],
        hint: 'cuDNN is missing or mismatched: fix the image or the CUDA/cuDNN versions.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/native.ts

/**
 * The C runtime and the kernel: host memory exhaustion, the OOM killer, and native crashes.
 * Crash signals sit below the causes because an abort often follows a clearer message
 * (`no kernel image …` then `Aborted (core dumped)`); `std::bad_alloc` and V8's heap limit
 * abort too, but are memory. `Killed` only counts as a whole line or as bash's job report,
 * never inside a sentence.
 */
const NATIVE_RULES = [
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

;// CONCATENATED MODULE: ./src/core/rules/python.ts

/**
 * Python itself: host MemoryError, the import machinery and the system it loads from,
 * configuration (Hydra/OmegaConf, argparse, pydantic, missing files), and, last of all, any
 * other exception that ends a traceback. This list goes last in the library because a line is
 * claimed by the first rule that matches it, and `RuntimeError: CUDA error: …` must reach the
 * CUDA rules before the generic one sees `RuntimeError:`.
 */
const PYTHON_RULES = [
    {
        id: 'python.memory_error',
        rootCause: 'host_oom',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['MemoryError'],
        // `OutOfMemoryError` (torch) ends in MemoryError too, hence the boundary before it.
        patterns: [/(?:^|[\s.:(])MemoryError\b/, /_ArrayMemoryError/],
        hint: 'The host ran out of memory: request more, or load less at once.',
    },
    {
        id: 'python.module_not_found',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['ModuleNotFoundError', 'No module named'],
        patterns: [/ModuleNotFoundError/, /No module named '/],
        hint: 'A package is missing from the environment: fix the image or the requirements.',
    },
    {
        id: 'python.import_error',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['ImportError', 'cannot import name'],
        patterns: [/ImportError\b/, /cannot import name '/],
        hint: 'An import failed: versions or native libraries do not match; rebuild the env.',
    },
    {
        id: 'linker.shared_object',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['shared object file', 'undefined symbol', 'Symbol not found', "' not found"],
        patterns: [
            /cannot open shared object file/,
            /undefined symbol: /,
            /Symbol not found: /,
            /version `[^']+' not found/,
        ],
        // TensorFlow and NCCL probe for optional libraries and say so at INFO/W level.
        unless: [/Could not load dynamic library/, /dso_loader/, /NET\/Plugin/],
        hint: 'A native library is missing or of the wrong version: fix LD_LIBRARY_PATH or the image.',
    },
    {
        id: 'cuda.driver',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.9,
        needles: [
            'driver version is insufficient',
            'driver on your system is too old',
            'no NVIDIA driver',
            'no kernel image',
        ],
        patterns: [
            /driver version is insufficient for CUDA runtime version/,
            /NVIDIA driver on your system is too old/,
            /Found no NVIDIA driver/,
            /no kernel image is available for execution on the device/,
        ],
        hint: 'The CUDA build does not match the driver or the GPU architecture: fix the image.',
    },
    {
        id: 'shell.not_found',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['not found'],
        patterns: [/: command not found\s*$/, /^\S+: (?:\d+: )?(?:type: )?[\w.+-]+: not found\s*$/],
        hint: 'A command is missing on the node: load the module, activate the env, fix PATH.',
    },
    {
        id: 'pip.resolution',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['No matching distribution', 'Could not find a version', 'ResolutionImpossible'],
        patterns: [
            /No matching distribution found for/,
            /Could not find a version that satisfies/,
            /ResolutionImpossible/,
        ],
        hint: 'The environment could not be installed: pin versions or fix the package index.',
    },
    {
        id: 'config.missing_file',
        rootCause: 'config_error',
        tier: TIER.cause,
        confidence: 0.8,
        needles: ['FileNotFoundError', 'No such file or directory'],
        patterns: [/FileNotFoundError/, /(?:IOError|OSError): \[Errno 2\] No such file or directory/],
        hint: 'A data or checkpoint path does not exist: fix the config.',
    },
    {
        id: 'config.hydra',
        rootCause: 'config_error',
        tier: TIER.cause,
        confidence: 0.9,
        needles: [
            'Config',
            'not in struct',
            'Could not override',
            'Error merging override',
            "' not in '",
            'MissingMandatoryValue',
        ],
        patterns: [
            /ConfigCompositionException/,
            /Config(?:Key|Attribute|Type|Value)Error/,
            /MissingMandatoryValue/,
            /Could not override '/,
            /Error merging override/,
            /Key '[^']+' (?:is )?not in (?:struct|')/,
        ],
        hint: 'The Hydra/OmegaConf config is wrong: fix the key or use +key= to add it.',
    },
    {
        // yacs/detectron2 CfgNode refuse unknown keys with a KeyError naming the config key.
        id: 'config.unknown_key',
        rootCause: 'config_error',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['config key'],
        patterns: [/KeyError: .*\b(?:[Nn]on-existent|not a valid|[Uu]nknown|[Ii]nvalid) config key\b/],
        hint: 'The config file names a key the code does not know: fix the YAML.',
    },
    {
        id: 'config.validation',
        rootCause: 'config_error',
        tier: TIER.cause,
        confidence: 0.8,
        needles: ['validation error'],
        patterns: [/\d+ validation errors? for \w+/],
        hint: 'The config does not validate: fix the fields it names.',
    },
    {
        id: 'config.argparse',
        rootCause: 'config_error',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['error: unrecognized arguments', 'arguments are required', 'error: argument'],
        patterns: [
            /error: unrecognized arguments:/,
            /error: the following arguments are required:/,
            /error: argument [-\w/]+: (?:invalid|expected)/,
        ],
        hint: 'The command line does not match the script: fix the flags.',
    },
    {
        id: 'python.keyboard_interrupt',
        rootCause: 'cancelled',
        tier: TIER.echo,
        confidence: 0.5,
        needles: ['KeyboardInterrupt'],
        patterns: [/^\s*KeyboardInterrupt\b/],
        hint: 'Interrupted (SIGINT): someone or something stopped it.',
    },
    {
        id: 'python.exception',
        rootCause: 'code_error',
        tier: TIER.generic,
        confidence: 0.6,
        needles: ['Error', 'Exception'],
        // The last line of a traceback: `[prefixes] pkg.mod.SomeError: message` (or bare).
        patterns: [
            /(?:^|[\s\]>|:])(?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception)(?::\s|:$|\s*$)/,
            /^\s*Exception: /,
        ],
        unless: [/^\s*(?:except|raise|elif|if|return)\b/, /Warning:/],
        hint: 'The code raised: group by signature and open an issue.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/pytorch.ts

/**
 * PyTorch and the CUDA/ROCm runtime under it: device memory, device faults, autograd's NaN
 * checks and the launchers (torchrun, mp.spawn, accelerate) that wrap a child's failure.
 */
const PYTORCH_RULES = [
    {
        id: 'torch.cuda_oom',
        rootCause: 'gpu_oom',
        tier: TIER.cause,
        confidence: 0.97,
        needles: [
            'CUDA out of memory',
            'OutOfMemoryError',
            'CUDA error: out of memory',
            'HIP out of memory',
            'CUBLAS_STATUS_ALLOC_FAILED',
        ],
        patterns: [
            /CUDA out of memory/,
            /torch\.(?:cuda\.)?OutOfMemoryError/,
            /CUDA error: out of memory/,
            /HIP out of memory/,
            /CUBLAS_STATUS_ALLOC_FAILED/,
        ],
        hint: 'Reduce the footprint: smaller batch or sequence, activation checkpointing, sharding.',
    },
    {
        id: 'torch.illegal_access',
        rootCause: 'gpu_fault',
        tier: TIER.cause,
        confidence: 0.85,
        needles: [
            'illegal memory access',
            'ILLEGAL_ADDRESS',
            'misaligned address',
            'illegal instruction was',
            'unspecified launch failure',
            'LAUNCH_FAILED',
        ],
        patterns: [
            /an illegal memory access was encountered/,
            /CUDA_ERROR_ILLEGAL_ADDRESS/,
            /misaligned address/,
            /an illegal instruction was encountered/,
            /unspecified launch failure/,
            /CUDA_ERROR_LAUNCH_FAILED/,
        ],
        hint: 'A kernel faulted: rerun with CUDA_LAUNCH_BLOCKING=1; if only one node, suspect the GPU.',
    },
    {
        id: 'torch.device_assert',
        rootCause: 'gpu_fault',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['device-side assert', 'Assertion `'],
        patterns: [/device-side assert triggered/, /block: \[\d+,\d+,\d+\], thread: \[\d+,\d+,\d+\] Assertion `/],
        hint: 'A kernel assertion fired, typically an out-of-range index or label.',
    },
    {
        id: 'gpu.ecc',
        rootCause: 'gpu_fault',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['ECC error', 'ECC_UNCORRECTABLE'],
        patterns: [/uncorrectable ECC error/, /ECC_UNCORRECTABLE/],
        hint: 'Hardware: drain the node and relaunch elsewhere.',
    },
    {
        id: 'gpu.xid',
        rootCause: 'gpu_fault',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['Xid', 'fallen off the bus', 'GPU is lost', 'devices are busy or unavailable'],
        patterns: [
            /NVRM: Xid \(/,
            /fallen off the bus/,
            /GPU is lost/,
            /all CUDA-capable devices are busy or unavailable/,
        ],
        hint: 'Hardware or driver: drain the node and relaunch elsewhere.',
    },
    {
        id: 'torch.anomaly_nan',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['returned nan values'],
        patterns: [/Function '\w+' returned nan values/],
        hint: 'The loss diverged: lower the learning rate, clip gradients, check the inputs.',
    },
    {
        id: 'torch.nonfinite_norm',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['non-finite'],
        patterns: [/norm of order \S+ for gradients from `parameters` is non-finite/],
        hint: 'Gradients became inf/nan: lower the learning rate or use bf16.',
    },
    {
        id: 'train.nan_loss',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['nan', 'NaN', 'NAN'],
        patterns: [
            /\b[Ll]oss (?:is|became) (?:nan|NaN|NAN|inf)\b/,
            /returned in `training_step` is (?:nan|NaN|inf)/,
            /\b(?:nan|NaN|NAN)\b.{0,20}\b[Ss]top(?:ping)? [Tt]raining/,
        ],
        hint: 'The loss diverged: lower the learning rate, clip gradients, check the inputs.',
    },
    {
        id: 'amp.min_loss_scale',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.9,
        needles: ['Minimum loss scale', 'loss scale already at minimum', 'Nan/Inf'],
        patterns: [/Minimum loss scale reached/, /loss scale already at minimum/, /gradients are Nan\/Inf/],
        hint: 'fp16 overflowed for good: use bf16, a lower learning rate, or gradient clipping.',
    },
    {
        // numpy.seterr(all='raise'), jax_debug_nans and fairseq all raise FloatingPointError.
        id: 'python.floating_point',
        rootCause: 'nan_divergence',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['FloatingPointError'],
        patterns: [/FloatingPointError/],
        hint: 'A NaN or inf was produced: lower the learning rate, check the inputs.',
    },
    {
        id: 'amp.overflow',
        rootCause: 'nan_divergence',
        tier: TIER.generic,
        confidence: 0.4,
        needles: ['overflow detected', 'Gradient overflow', 'OVERFLOW!'],
        patterns: [
            /overflow detected, setting loss scale to/,
            /Gradient overflow\.\s+Skipping step/,
            /OVERFLOW! Rank \d+ Skipping step/,
        ],
        hint: 'Routine while training runs; in a failed run it suggests the loss was diverging.',
    },
    {
        id: 'torch.dataloader_killed',
        rootCause: 'host_oom',
        tier: TIER.cause,
        confidence: 0.8,
        needles: ['killed by signal: Killed'],
        patterns: [/DataLoader worker \(pid.*\) is killed by signal: Killed/],
        hint: 'A dataloader worker was SIGKILLed, almost always by the OOM killer: fewer workers or more memory.',
    },
    {
        id: 'torch.child_sigkill',
        rootCause: 'host_oom',
        tier: TIER.signal,
        confidence: 0.6,
        needles: ['SIGKILL', 'exitcode'],
        patterns: [/Signal 9 \(SIGKILL\) received/, /terminated with signal SIGKILL/, /exitcode\s*: -9\b/],
        hint: 'A worker got SIGKILL, most often from the OOM killer.',
    },
    {
        id: 'torch.launcher',
        rootCause: 'unknown',
        tier: TIER.echo,
        confidence: 0.3,
        needles: [
            'ChildFailedError',
            'ProcessExitedException',
            'ProcessRaisedException',
            'terminated with exit code',
            'exitcode',
            'non-zero exit status',
        ],
        patterns: [
            /ChildFailedError/,
            /ProcessExitedException/,
            /ProcessRaisedException/,
            /process \d+ terminated with exit code/,
            /failed \(exitcode: -?\d+\)/,
            /CalledProcessError: Command .* returned non-zero exit status/,
        ],
        hint: 'The launcher reports a child failure; the child’s own error is the cause.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/scan.ts

const DEFAULT_LIMITS = { maxLines: 5000, maxChars: 1 << 20 };
/** Characters fold to 7 bits so three of them make a 21-bit key for the bitmap. */
function fold(code) {
    return code < 128 ? code : 127;
}
function trigram(text, at) {
    return ((fold(text.charCodeAt(at)) << 14) | (fold(text.charCodeAt(at + 1)) << 7) | fold(text.charCodeAt(at + 2)));
}
/**
 * A compiled rule set. Running ~70 regexes (or one big alternation) over every line costs
 * microseconds per line, too much for 100k logs, so each line first goes through a trigram
 * bitmap of the rules' literal needles: one table lookup per character, and only the rare line
 * that contains a needle meets the regexes of the rules owning it.
 */
class RuleSet {
    rules;
    bits = new Uint32Array(1 << 16);
    byTrigram = new Map();
    /** Per rule, the visit that last made it a candidate (avoids clearing an array per line). */
    stamp;
    /** Counts line visits across scans, so stamps from an earlier log never look current. */
    visit = 0;
    constructor(rules) {
        this.rules = rules;
        this.stamp = new Float64Array(rules.length).fill(-1);
        const owners = new Map();
        rules.forEach((rule, index) => {
            for (const needle of rule.needles) {
                if (needle.length < 3)
                    throw new Error(`rule ${rule.id}: needle "${needle}" is shorter than 3`);
                const list = owners.get(needle) ?? [];
                list.push(index);
                owners.set(needle, list);
            }
        });
        for (const [needle, list] of owners) {
            const key = trigram(needle, 0);
            this.bits[key >>> 5] = (this.bits[key >>> 5] ?? 0) | (1 << (key & 31));
            const entries = this.byTrigram.get(key) ?? [];
            entries.push({ needle, rules: list });
            this.byTrigram.set(key, entries);
        }
    }
    /**
     * Walks the log from its last line upwards and returns the strongest claimed line; among
     * equals the last one wins, so a traceback's final exception beats the warnings above it.
     * It stops at the first line of the top tier, since nothing above can outrank it.
     */
    scan(log, limits = DEFAULT_LIMITS) {
        let best = null;
        let end = log.length;
        const floor = Math.max(0, log.length - limits.maxChars);
        for (let lines = 0; end > floor && lines < limits.maxLines; lines++) {
            const newline = log.lastIndexOf('\n', end - 1);
            const start = Math.max(newline + 1, floor);
            const visit = ++this.visit;
            if (end - start >= 3 && this.markCandidates(log, start, end, visit)) {
                const hit = this.claim(log, start, end, visit);
                if (hit !== null && (best === null || hit.rule.tier > best.rule.tier)) {
                    best = hit;
                    if (hit.rule.tier === TIER.cause)
                        break;
                }
            }
            end = newline;
        }
        return best;
    }
    /** Stamps every rule owning a needle found in the line; true when there is at least one. */
    markCandidates(log, start, end, visit) {
        let found = false;
        let c0 = fold(log.charCodeAt(start));
        let c1 = fold(log.charCodeAt(start + 1));
        for (let i = start; i + 2 < end; i++) {
            const c2 = fold(log.charCodeAt(i + 2));
            const key = (c0 << 14) | (c1 << 7) | c2;
            if (((this.bits[key >>> 5] ?? 0) & (1 << (key & 31))) !== 0) {
                for (const entry of this.byTrigram.get(key) ?? []) {
                    if (i + entry.needle.length <= end && log.startsWith(entry.needle, i)) {
                        for (const rule of entry.rules)
                            this.stamp[rule] = visit;
                        found = true;
                    }
                }
            }
            c0 = c1;
            c1 = c2;
        }
        return found;
    }
    /** The first candidate rule, in library order, whose pattern matches the line claims it. */
    claim(log, start, end, visit) {
        const line = log.slice(start, end);
        // NCCL_DEBUG=INFO chatter mentions sockets, plugins and missing .so files on healthy runs.
        if (line.includes(' NCCL INFO '))
            return null;
        for (let index = 0; index < this.rules.length; index++) {
            if (this.stamp[index] !== visit)
                continue;
            const rule = this.rules[index];
            if (rule === undefined || rule.unless?.some((re) => re.test(line)))
                continue;
            for (const pattern of rule.patterns) {
                const match = pattern.exec(line);
                if (match !== null)
                    return { rule, line, matchIndex: match.index, lineEnd: end };
            }
        }
        return null;
    }
}

;// CONCATENATED MODULE: ./src/core/rules/slurm.ts

/**
 * Slurm's own words: slurmstepd verdicts, srun/salloc/sbatch errors. The `*** JOB … ***`
 * banner is the scheduler's verdict, so the DUE TO variants are causes; a bare STEP banner
 * follows srun's kill-on-bad-exit and only echoes a failure printed elsewhere.
 */
const SLURM_RULES = [
    {
        id: 'slurm.time_limit',
        rootCause: 'timeout',
        tier: TIER.cause,
        confidence: 0.97,
        needles: ['DUE TO TIME LIMIT'],
        patterns: [/CANCELLED AT \S+ DUE TO TIME LIMIT/, /JOB (?:\S+ )?CANCELLED DUE TO TIME LIMIT/],
        hint: 'Relaunch with a longer --time, or resume from the last checkpoint.',
        evenWhenHealthy: true,
    },
    {
        id: 'slurm.preemption',
        rootCause: 'preempted',
        tier: TIER.cause,
        confidence: 0.97,
        needles: ['DUE TO PREEMPTION'],
        patterns: [/CANCELLED AT \S+ DUE TO PREEMPTION/],
        hint: 'Transient: relaunch as is (or submit with --requeue).',
        evenWhenHealthy: true,
    },
    {
        id: 'slurm.node_failure',
        rootCause: 'node_failure',
        tier: TIER.cause,
        confidence: 0.95,
        needles: ['DUE TO NODE FAILURE', 'Node failure on'],
        patterns: [/CANCELLED AT \S+ DUE TO NODE FAILURE/, /(?:srun|salloc|sbatch): error: Node failure on \S+/],
        hint: 'Transient: relaunch as is; exclude the node (--exclude) if it repeats.',
        evenWhenHealthy: true,
    },
    {
        id: 'slurm.oom_kill',
        rootCause: 'host_oom',
        tier: TIER.cause,
        confidence: 0.97,
        needles: ['oom-kill', 'oom_kill', 'OOM Killed', 'Out Of Memory'],
        patterns: [
            /Detected \d+ oom[-_]kill events?/,
            /Some of the step tasks have been OOM Killed/,
            /(?:srun|salloc): error: .*tasks? [\d,-]+: Out Of Memory/,
        ],
        hint: 'Relaunch with more host memory (--mem / --mem-per-cpu), or fewer dataloader workers.',
        evenWhenHealthy: true,
    },
    {
        id: 'slurm.memory_limit',
        rootCause: 'host_oom',
        tier: TIER.cause,
        confidence: 0.93,
        needles: ['memory limit'],
        patterns: [/[Ee]xceeded (?:job |step )?memory limit/],
        hint: 'Relaunch with more host memory (--mem).',
        evenWhenHealthy: true,
    },
    {
        id: 'slurm.submission_failed',
        rootCause: 'submission_rejected',
        tier: TIER.cause,
        confidence: 0.97,
        needles: [
            'submission failed',
            'Unable to allocate resources',
            'invalid partition',
            'can not be satisfied',
            'allocate failed',
        ],
        patterns: [
            /Batch job submission failed/,
            /(?:srun|salloc): error: Unable to allocate resources/,
            /error: invalid partition specified/,
            /Memory specification can not be satisfied/,
            /Job submit\/allocate failed/,
        ],
        hint: 'Fix the request: account, partition, QOS, time or memory limits.',
    },
    {
        id: 'slurm.execve',
        rootCause: 'env_import',
        tier: TIER.cause,
        confidence: 0.85,
        needles: ['execve()'],
        patterns: [/execve\(\): .*: No such file or directory/],
        hint: 'The program is not on the node: fix PATH, the module or the container image.',
    },
    {
        id: 'slurm.cancelled',
        rootCause: 'cancelled',
        tier: TIER.generic,
        confidence: 0.9,
        needles: ['CANCELLED AT'],
        patterns: [/\*\*\* JOB \d+ (?:ON \S+ )?CANCELLED AT \S+ \*\*\*/],
        hint: 'Someone cancelled the job (scancel); not a failure of the code.',
    },
    {
        id: 'slurm.step_cancelled',
        rootCause: 'cancelled',
        tier: TIER.echo,
        confidence: 0.5,
        needles: ['CANCELLED AT'],
        patterns: [/\*\*\* STEP \S+ (?:ON \S+ )?CANCELLED AT \S+ \*\*\*/],
        hint: 'srun tore the step down; look for the first failing task above.',
    },
    {
        id: 'slurm.task_failure',
        rootCause: 'unknown',
        tier: TIER.echo,
        confidence: 0.3,
        needles: ['DUE TO TASK FAILURE', 'Exited with exit code'],
        patterns: [/DUE TO TASK FAILURE/, /(?:srun|salloc): error: .*tasks? [\d,-]+: Exited with exit code \d+/],
        hint: 'A task exited non-zero; its own output holds the cause.',
    },
    {
        id: 'slurm.task_killed',
        rootCause: 'host_oom',
        tier: TIER.echo,
        confidence: 0.4,
        needles: ['Killed'],
        patterns: [/(?:srun|salloc): error: .*tasks? [\d,-]+: Killed/],
        hint: 'A task got SIGKILL, most often from the OOM killer; check the memory request.',
    },
];

;// CONCATENATED MODULE: ./src/core/rules/index.ts









/**
 * The whole library, in claiming order: a line belongs to the first rule that matches it, so
 * specific domains come first and Python's catch-all exception rule comes last.
 */
const RULES = [
    ...SLURM_RULES,
    ...CLOUD_RULES,
    ...FILESYSTEM_RULES,
    ...PYTORCH_RULES,
    ...JAX_TF_RULES,
    ...DISTRIBUTED_RULES,
    ...NATIVE_RULES,
    ...PYTHON_RULES,
];
/** Every rule, for attempts that failed (or whose outcome is unknown). */
const ALL_RULES = new RuleSet(RULES);
/** Only external kills, for attempts the scheduler reports as completed or still running. */
const HEALTHY_RULES = new RuleSet(RULES.filter((rule) => rule.evenWhenHealthy === true));
const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));
function ruleById(id) {
    return BY_ID.get(id);
}


;// CONCATENATED MODULE: ./src/core/rules/states.ts
const STATES = {
    COMPLETED: { kind: 'healthy', short: 'CD' },
    COMPLETING: { kind: 'healthy', short: 'CG' },
    RUNNING: { kind: 'healthy', short: 'R' },
    PENDING: { kind: 'healthy', short: 'PD' },
    CONFIGURING: { kind: 'healthy', short: 'CF' },
    SUSPENDED: { kind: 'healthy', short: 'S' },
    STOPPED: { kind: 'healthy', short: 'ST' },
    RESIZING: { kind: 'healthy', short: 'RS' },
    REQUEUED: { kind: 'healthy', short: 'RQ' },
    REQUEUE_HOLD: { kind: 'healthy', short: 'RH' },
    REQUEUE_FED: { kind: 'healthy', short: 'RF' },
    REVOKED: { kind: 'healthy', short: 'RV' },
    SIGNALING: { kind: 'healthy', short: 'SI' },
    STAGE_OUT: { kind: 'healthy', short: 'SO' },
    SUCCEEDED: { kind: 'healthy' },
    SUBMITTED: { kind: 'healthy' },
    STARTING: { kind: 'healthy' },
    SETTING_UP: { kind: 'healthy' },
    INIT: { kind: 'healthy' },
    RECOVERING: { kind: 'healthy' },
    FAILED: { kind: 'failed', short: 'F' },
    SPECIAL_EXIT: { kind: 'failed', short: 'SE' },
    FAILED_DRIVER: { kind: 'failed' },
    OUT_OF_MEMORY: { kind: 'decisive', rootCause: 'host_oom', short: 'OOM' },
    TIMEOUT: { kind: 'decisive', rootCause: 'timeout', short: 'TO' },
    DEADLINE: { kind: 'decisive', rootCause: 'timeout', short: 'DL' },
    PREEMPTED: { kind: 'decisive', rootCause: 'preempted', short: 'PR' },
    NODE_FAIL: { kind: 'decisive', rootCause: 'node_failure', short: 'NF' },
    BOOT_FAIL: { kind: 'decisive', rootCause: 'node_failure', short: 'BF' },
    FAILED_NO_RESOURCE: { kind: 'authoritative', rootCause: 'provisioning' },
    FAILED_PRECHECKS: { kind: 'authoritative', rootCause: 'provisioning' },
    FAILED_CONTROLLER: { kind: 'authoritative', rootCause: 'controller_error' },
    CANCELLED: { kind: 'weak', rootCause: 'cancelled', short: 'CA' },
    CANCELLING: { kind: 'weak', rootCause: 'cancelled' },
    FAILED_SETUP: { kind: 'setup' },
};
const BY_SHORT = new Map(Object.entries(STATES).flatMap(([name, entry]) => (entry.short ? [[entry.short, name]] : [])));
const UNKNOWN = { kind: 'unknown', name: null, rootCause: null };
/** `CANCELLED by 1001` → `CANCELLED`; `ManagedJobStatus.FAILED_SETUP` → `FAILED_SETUP`; `OUT_OF_ME+` → `OUT_OF_MEMORY`. */
function normalise(raw) {
    const token = raw.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    const bare = token.slice(token.lastIndexOf('.') + 1);
    const truncated = bare.endsWith('+');
    const name = truncated ? bare.slice(0, -1) : bare;
    if (name in STATES)
        return name;
    const short = BY_SHORT.get(name);
    if (short !== undefined)
        return short;
    if (truncated && name.length >= 3) {
        const candidates = Object.keys(STATES).filter((known) => known.startsWith(name));
        if (candidates.length === 1)
            return candidates[0] ?? null;
    }
    return null;
}
function judgeState(raw) {
    if (raw === null)
        return UNKNOWN;
    const name = normalise(raw);
    const entry = name === null ? undefined : STATES[name];
    if (entry === undefined)
        return UNKNOWN;
    return { kind: entry.kind, name, rootCause: entry.rootCause ?? null };
}

;// CONCATENATED MODULE: ./src/core/signature.ts
/** A long run of hex digits is an id only if it mixes digits and letters (not `deadbeef`-like words). */
function hexId(match) {
    return /\d/.test(match) && /[a-f]/.test(match) ? '<HEX>' : match;
}
// Order matters: composite tokens (timestamps, paths, sizes) go before bare numbers.
const MASKS = [
    // ANSI colour codes (built from the code point: the linter rejects control characters in literals).
    { pattern: new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), replacement: '' },
    {
        pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
        replacement: '<UUID>',
    },
    // 2026-11-26T04:22:08, 2024-03-18 17:38:50,208, 2021/10/15 15:01:44.577626+02:00
    {
        pattern: /\b\d{4}[-/]\d{2}[-/]\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g,
        replacement: '<TS>',
    },
    // glog/syslog prefixes: E0321 02:07:08.408271, Nov 26 04:22:08, 06/26 18:54:31, 12:51:49.512
    { pattern: /\b[IWEF]\d{3,4} \d{2}:\d{2}:\d{2}(?:\.\d+)?/g, replacement: '<TS>' },
    { pattern: /\b[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}\b/g, replacement: '<TS>' },
    { pattern: /\b\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\b/g, replacement: '<TS>' },
    { pattern: /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, replacement: '<TS>' },
    { pattern: /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+|<\d+>)?(?!\d)/g, replacement: '<IP>' },
    { pattern: /\b0x[0-9a-f]+\b/gi, replacement: '<HEX>' },
    // Long hex ids: Ray actor ids, commit-ish hashes, CUDA stream handles.
    { pattern: /\b[0-9a-f]{12,}\b/g, replacement: hexId },
    // Paths with at least two segments: /a/b, ./ckpt/x.pth, ~/data, C:\x\y.
    { pattern: /(?:[A-Za-z]:|[.~]{1,2})?(?:[\\/][\w.@+%=-]+){2,}[\\/]?/g, replacement: '<PATH>' },
    // Host names in the places schedulers and launchers print them.
    { pattern: /(\*\*\* (?:JOB|STEP) \S+ ON )\S+/g, replacement: '$1<HOST>' },
    { pattern: /\bslurmstepd-[\w.-]+:/g, replacement: 'slurmstepd-<HOST>:' },
    {
        pattern: /((?:srun|salloc|sbatch): error: )(?!Node failure)[\w.-]+(?=: tasks?\b)/g,
        replacement: '$1<HOST>',
    },
    {
        pattern: /\b(Node failure on|[Nn]odes?|[Hh]ost(?:name)?[=:]?|on) +[A-Za-z][\w.-]*\d[\w.[\],-]*/g,
        replacement: '$1 <HOST>',
    },
    { pattern: /^[\w.-]+(?=:\d+:\d+ \[\d+\])/gm, replacement: '<HOST>' },
    // Ranks in their usual spellings, so rank 3 and rank 5 fail alike.
    { pattern: /\b((?:local_|global_)?[Rr]ank|RANK)(\s*[:=]?\s*)\d+/g, replacement: '$1$2<N>' },
    // Memory sizes: 2.00 GiB, 58982400 bytes, 3.96GiB, 2.12G, 40 MB.
    { pattern: /\b\d+(?:\.\d+)?\s?(?:[KMGTP]i?B|bytes|[KMGT])\b/g, replacement: '<SIZE>' },
    // Every other number not glued to a word (MulBackward0 and GLIBC_2.34 stay whole).
    { pattern: /(?<![\w.])[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])/gi, replacement: '<N>' },
    // Only runs and non-space whitespace: replacing every single space would cost the most.
    { pattern: /[ \t\r\n\f\v]{2,}|[\t\r\n\f\v]/g, replacement: ' ' },
];
const MAX_TEMPLATE = 240;
/** The evidence line with everything that varies between identical failures masked. */
function maskVolatile(line) {
    let text = line;
    for (const { pattern, replacement } of MASKS) {
        text =
            typeof replacement === 'string'
                ? text.replace(pattern, replacement)
                : text.replace(pattern, replacement);
    }
    text = text.trim();
    return text.length > MAX_TEMPLATE ? text.slice(0, MAX_TEMPLATE) : text;
}
/**
 * FNV-1a, 64-bit, over the UTF-8 bytes of the text, as 16 hex digits. The state is kept in
 * four 16-bit limbs so every intermediate product stays exact in a double.
 */
function fnv1a64(text) {
    let h0 = 0x2325;
    let h1 = 0x8422;
    let h2 = 0x9ce4;
    let h3 = 0xcbf2;
    const mix = (byte) => {
        h0 ^= byte;
        // Multiply by the FNV prime 0x100000001b3 = 0x1b3 + 0x100 << 32.
        const t0 = h0 * 0x1b3;
        const t1 = h1 * 0x1b3 + (t0 >>> 16);
        const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
        const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
        h0 = t0 & 0xffff;
        h1 = t1 & 0xffff;
        h2 = t2 & 0xffff;
        h3 = t3 & 0xffff;
    };
    for (let i = 0; i < text.length; i++) {
        let code = text.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
            const low = text.charCodeAt(i + 1);
            if (low >= 0xdc00 && low <= 0xdfff) {
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                i++;
            }
        }
        if (code < 0x80)
            mix(code);
        else if (code < 0x800) {
            mix(0xc0 | (code >> 6));
            mix(0x80 | (code & 0x3f));
        }
        else if (code < 0x10000) {
            mix(0xe0 | (code >> 12));
            mix(0x80 | ((code >> 6) & 0x3f));
            mix(0x80 | (code & 0x3f));
        }
        else {
            mix(0xf0 | (code >> 18));
            mix(0x80 | ((code >> 12) & 0x3f));
            mix(0x80 | ((code >> 6) & 0x3f));
            mix(0x80 | (code & 0x3f));
        }
    }
    const hex = (limb) => limb.toString(16).padStart(4, '0');
    return hex(h3) + hex(h2) + hex(h1) + hex(h0);
}
/** The masked template of a set of evidence lines, one line each, in order. */
function evidenceTemplate(evidence) {
    return evidence.map(maskVolatile).join('\n');
}
/** Root cause + masked evidence, hashed: equal signatures mean "failed identically". */
function signatureOf(rootCause, evidence) {
    return fnv1a64(`${rootCause}\n${evidenceTemplate(evidence)}`);
}

;// CONCATENATED MODULE: ./src/core/root-cause.ts



const NO_EXIT = { code: null, signal: null };
const EXIT_FORM = /^\s*(-?\d+)(?::(\d+))?\s*$/;
/** Parses the contract's exit_code; null when the value has none of the accepted forms. */
function parseExitCode(value) {
    if (value === null)
        return NO_EXIT;
    let code;
    let signal = null;
    if (typeof value === 'number') {
        if (!Number.isInteger(value))
            return null;
        code = value;
    }
    else {
        const match = EXIT_FORM.exec(value);
        if (match === null)
            return null;
        code = Number(match[1]);
        signal = match[2] === undefined || Number(match[2]) === 0 ? null : Number(match[2]);
    }
    // Python reports death by signal as a negative code; shells as 128 + signal.
    if (code < 0)
        return { code: null, signal: -code };
    if (signal === null && code > 128 && code <= 192)
        return { code, signal: code - 128 };
    return { code, signal };
}
const CRASH_SIGNALS = {
    4: 'SIGILL',
    6: 'SIGABRT',
    7: 'SIGBUS',
    8: 'SIGFPE',
    11: 'SIGSEGV',
};
const MAX_EVIDENCE_LINE = 300;
const UNKNOWN_TAIL = 3;
/** The last `count` non-blank lines, in order, clipped like evidence. */
function lastLines(log, count) {
    const lines = [];
    let end = log.length;
    while (end > 0 && lines.length < count) {
        const start = log.lastIndexOf('\n', end - 1) + 1;
        // Clipped at its end: of a tqdm line redrawn with \r, the last state is the one that counts.
        const raw = log.slice(start, end).replace(/\r$/, '');
        const line = clip(raw, Math.max(0, raw.length - 1));
        if (line !== '')
            lines.unshift(line);
        end = start - 1;
    }
    return lines;
}
function verdict(rootCause, confidence, rule, evidence) {
    return { rootCause, confidence, signature: signatureOf(rootCause, evidence), evidence, rule };
}
/** The claimed line (trimmed around the match when long) plus the lines the rule keeps after it. */
function evidenceOf(hit, log) {
    const lines = [clip(hit.line, hit.matchIndex)];
    let at = hit.lineEnd;
    for (let kept = 0; kept < (hit.rule.keepAfter ?? 0) && at < log.length;) {
        const next = log.indexOf('\n', at + 1);
        const line = log.slice(at + 1, next < 0 ? log.length : next).trim();
        at = next < 0 ? log.length : next;
        if (line !== '') {
            lines.push(clip(line, 0));
            kept++;
        }
    }
    return lines;
}
function clip(line, matchIndex) {
    // tqdm redraws with \r: keep the segment that holds the match.
    const segmentStart = line.lastIndexOf('\r', matchIndex) + 1;
    const segmentEnd = line.indexOf('\r', matchIndex);
    const segment = line.slice(segmentStart, segmentEnd < 0 ? line.length : segmentEnd);
    const at = matchIndex - segmentStart;
    const text = segment.length <= MAX_EVIDENCE_LINE ? segment : segment.slice(Math.max(0, at - 60), at + 240);
    return text.trim();
}
function fromHit(hit, log) {
    return verdict(hit.rule.rootCause, hit.rule.confidence, hit.rule.id, evidenceOf(hit, log));
}
function stateFact(state, raw) {
    return `scheduler_state: ${raw?.trim() ?? state.name ?? 'null'}`;
}
function fromState(state, raw, rootCause, confidence) {
    const name = (state.name ?? 'unknown').toLowerCase();
    return verdict(rootCause, confidence, `state.${name}`, [stateFact(state, raw)]);
}
const STATE_CONFIDENCE = { authoritative: 0.95, decisive: 0.9, weak: 0.85 };
function exitVerdict(exit, raw, echo) {
    if (exit.signal === null)
        return null;
    const name = CRASH_SIGNALS[exit.signal];
    if (name !== undefined) {
        return verdict('crash', 0.7, `exit.${name.toLowerCase()}`, [`exit_code: ${raw} (${name})`]);
    }
    // SIGKILL alone could be scancel's second signal; with a `Killed` report it is the OOM killer.
    if (exit.signal === 9 && echo?.rule.rootCause === 'host_oom') {
        return verdict('host_oom', 0.7, 'exit.sigkill', [`exit_code: ${raw} (SIGKILL)`, echo.line.trim()]);
    }
    return null;
}
function classify(input) {
    const state = judgeState(input.schedulerState);
    const exit = parseExitCode(input.exitCode) ?? NO_EXIT;
    const succeeded = state.kind === 'unknown' && exit.code === 0 && exit.signal === null;
    if (state.kind === 'healthy' || succeeded) {
        const kill = HEALTHY_RULES.scan(input.log);
        if (kill !== null)
            return fromHit(kill, input.log);
        const fact = succeeded ? `exit_code: ${input.exitCode}` : stateFact(state, input.schedulerState);
        return verdict('none', succeeded ? 0.8 : 0.9, 'none.healthy', [fact]);
    }
    const hit = ALL_RULES.scan(input.log);
    const stated = state.rootCause;
    if (state.kind === 'authoritative' && stated !== null) {
        return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.authoritative);
    }
    if (hit !== null && hit.rule.tier === TIER.cause)
        return fromHit(hit, input.log);
    if (state.kind === 'decisive' && stated !== null) {
        return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.decisive);
    }
    if (hit !== null && hit.rule.tier >= TIER.generic)
        return fromHit(hit, input.log);
    if (state.kind === 'weak' && stated !== null) {
        return fromState(state, input.schedulerState, stated, STATE_CONFIDENCE.weak);
    }
    const bySignal = exitVerdict(exit, input.exitCode, hit);
    if (bySignal !== null)
        return bySignal;
    if (state.kind === 'setup') {
        return fromState(state, input.schedulerState, 'env_import', 0.5);
    }
    if (hit !== null)
        return fromHit(hit, input.log);
    // The last words of the log are what clustering and signatures of unknowns need most.
    const tail = lastLines(input.log, UNKNOWN_TAIL);
    const facts = [stateFact(state, input.schedulerState), `exit_code: ${input.exitCode}`];
    return verdict('unknown', 0.2, 'unknown.no_evidence', tail.length > 0 ? tail : facts);
}

;// CONCATENATED MODULE: ./src/core/classify-jsonl.ts

function typeName(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'array';
    return typeof value;
}
function describe(value) {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
function parseRecord(line) {
    if (line.trim() === '')
        return { error: 'empty line: expected a JSON object' };
    let value;
    try {
        value = JSON.parse(line);
    }
    catch (cause) {
        return { error: `invalid JSON: ${cause instanceof Error ? cause.message : String(cause)}` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { error: `expected a JSON object, got ${typeName(value)}` };
    }
    const record = value;
    const log = record.log ?? '';
    if (typeof log !== 'string')
        return { error: `"log" must be a string, got ${typeName(log)}` };
    const state = record.scheduler_state ?? null;
    if (state !== null && typeof state !== 'string') {
        return { error: `"scheduler_state" must be a string or null, got ${typeName(state)}` };
    }
    const exit = record.exit_code ?? null;
    if (exit !== null && typeof exit !== 'string' && typeof exit !== 'number') {
        return { error: `"exit_code" must be "code:signal", an integer or null, got ${typeName(exit)}` };
    }
    if (parseExitCode(exit) === null) {
        return { error: `"exit_code" must be "code:signal", an integer or null, got ${describe(exit)}` };
    }
    return { input: { log, schedulerState: state, exitCode: exit } };
}
/** Maps one input line to one output line (without the newline). Never throws. */
function classifyJsonLine(line) {
    const parsed = parseRecord(line.endsWith('\r') ? line.slice(0, -1) : line);
    if ('error' in parsed)
        return JSON.stringify({ error: parsed.error });
    const result = classify(parsed.input);
    return JSON.stringify({
        root_cause: result.rootCause,
        confidence: Math.round(result.confidence * 100) / 100,
        signature: result.signature,
        evidence: result.evidence,
        rule: result.rule,
    });
}

;// CONCATENATED MODULE: ./src/cli/classify.ts


/**
 * `sweepwatch classify`: the stable JSON Lines contract of docs/root-causes.md. One output line
 * per input line, in order; a bad line gets {"error": …} and the rest goes on. Exit 0 unless
 * stdin cannot be read. Output is written in batches so 100,000 lines take seconds, not minutes.
 */
const BATCH = 1000;
function write(stream, text) {
    return new Promise((resolve, reject) => {
        stream.write(text, (error) => (error ? reject(error) : resolve()));
    });
}
const classifyCommand = {
    summary: 'classify failures from JSON Lines on stdin (the root-cause contract)',
    help: [
        'usage: sweepwatch classify < attempts.jsonl',
        '',
        'Reads one attempt per line: {"log": "...", "scheduler_state": "OUT_OF_MEMORY" | null, "exit_code": "137:0" | 1 | null}',
        'Writes one line per input line, in order:',
        '  {"root_cause": "...", "confidence": 0.0-1.0, "signature": "...", "evidence": [...], "rule": "..."}',
        'A line that is not valid JSON gets {"error": "..."}; the rest goes on.',
        'Exit status: 0, or 1 when stdin cannot be read.',
    ].join('\n'),
    async run(_args, io) {
        const lines = (0,external_node_readline_namespaceObject.createInterface)({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
        let batch = [];
        for await (const line of lines) {
            batch.push(classifyJsonLine(line));
            if (batch.length >= BATCH) {
                await write(io.stdout, `${batch.join('\n')}\n`);
                batch = [];
            }
        }
        if (batch.length > 0)
            await write(io.stdout, `${batch.join('\n')}\n`);
        return 0;
    },
};

;// CONCATENATED MODULE: ./src/cli/commands.ts

const COMMANDS = {
    classify: classifyCommand,
};

;// CONCATENATED MODULE: ./src/cli/main.ts

/**
 * The `sweepwatch` command: parses the subcommand, runs it, maps errors to one clear line and
 * an exit code. Exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic.
 */
const EXIT = { ok: 0, error: 1, usage: 2, degraded: 3, systemic: 4 };
const VERSION = '0.1.0';
function usage() {
    const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
    const lines = Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
    return [
        'usage: sweepwatch <command> [options]',
        '',
        'commands:',
        ...lines,
        '',
        "Run `sweepwatch <command> --help` for a command's options.",
        'exit codes: 0 ok/healthy, 1 error, 2 usage, 3 degraded, 4 systemic',
    ].join('\n');
}
async function runCli(argv, stdout, stderr, stdin = process.stdin) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        stdout.write(`${usage()}\n`);
        return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V') {
        stdout.write(`${VERSION}\n`);
        return EXIT.ok;
    }
    const command = COMMANDS[name];
    if (command === undefined) {
        stderr.write(`sweepwatch: unknown command "${name}"\nhint: run \`sweepwatch --help\` for the list\n`);
        return EXIT.usage;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
        stdout.write(`${command.help}\n`);
        return EXIT.ok;
    }
    const io = { stdout, stderr, stdin };
    try {
        return await command.run(rest, io);
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        stderr.write(`sweepwatch ${name}: ${message}\n`);
        if (rest.includes('--debug') && error instanceof Error && error.stack)
            stderr.write(`${error.stack}\n`);
        return EXIT.error;
    }
}


/***/ }),

/***/ 889:
/***/ (() => {


;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: ./src/shims/cjs-globals.ts
/**
 * ssh2's wasm crypto loader reads the CommonJS free variables __dirname and __filename, which an
 * ESM bundle does not have: without this the bundle dies at load with "__dirname is not defined".
 * This module must be the first import of every entry point, so that it runs before ssh2's code.
 * It is the project's one deliberate import-time side effect.
 */


const scope = globalThis;
scope.__filename ??= (0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url);
scope.__dirname ??= (0,external_node_path_namespaceObject.dirname)(scope.__filename);


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(486);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map