import { type Rule, TIER } from './types.js';

/**
 * JAX/XLA and TensorFlow. Both spell an accelerator OOM as RESOURCE_EXHAUSTED, but so do a
 * full disk and a cloud quota; only the `Out of memory while trying to allocate` and `OOM when
 * allocating` forms are device memory. TensorFlow's BFC allocator warning ("ran out of memory
 * … this is not a failure") deliberately matches nothing.
 */
export const JAX_TF_RULES: readonly Rule[] = [
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
