import { CLOUD_RULES } from './cloud.js';
import { DISTRIBUTED_RULES } from './distributed.js';
import { FILESYSTEM_RULES } from './filesystem.js';
import { JAX_TF_RULES } from './jax-tf.js';
import { NATIVE_RULES } from './native.js';
import { PYTHON_RULES } from './python.js';
import { PYTORCH_RULES } from './pytorch.js';
import { RuleSet } from './scan.js';
import { SLURM_RULES } from './slurm.js';
import type { Rule } from './types.js';

/**
 * The whole library, in claiming order: a line belongs to the first rule that matches it, so
 * specific domains come first and Python's catch-all exception rule comes last.
 */
export const RULES: readonly Rule[] = [
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
export const ALL_RULES = new RuleSet(RULES);

/** Only external kills, for attempts the scheduler reports as completed or still running. */
export const HEALTHY_RULES = new RuleSet(RULES.filter((rule) => rule.evenWhenHealthy === true));

const BY_ID = new Map(RULES.map((rule) => [rule.id, rule]));

export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

export { type Rule, TIER, type Tier } from './types.js';
