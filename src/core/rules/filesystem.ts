import { type Rule, TIER } from './types.js';

/** Full disks and exhausted quotas, however the writer phrases errno 28 (ENOSPC) and 122 (EDQUOT). */
export const FILESYSTEM_RULES: readonly Rule[] = [
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
