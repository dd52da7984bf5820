import { type Rule, TIER } from './types.js';

/**
 * Python itself: host MemoryError, the import machinery and the system it loads from,
 * configuration (Hydra/OmegaConf, argparse, pydantic, missing files), and, last of all, any
 * other exception that ends a traceback. This list goes last in the library because a line is
 * claimed by the first rule that matches it, and `RuntimeError: CUDA error: …` must reach the
 * CUDA rules before the generic one sees `RuntimeError:`.
 */
export const PYTHON_RULES: readonly Rule[] = [
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
