/**
 * One condition's concrete job: the template with its placeholders filled. Adapters submit
 * this; sweep-checks.ts has already refused unknown placeholders, so substitution cannot fail
 * on a valid config.
 */
import { type Condition, conditionVars, substitutePlaceholders } from '../core/conditions.js';
import type { Resources, SweepConfig } from './sweep-config.js';

export interface RenderedJob {
  readonly jobName: string;
  /** Never a shell string: the transport quotes each element. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string | null;
  readonly logDir: string | null;
  readonly expectedOutputs: readonly string[];
  readonly resources: Resources;
}

export function renderJob(config: SweepConfig, condition: Condition): RenderedJob {
  const vars = conditionVars(config.experiment, condition);
  const fill = (text: string) => substitutePlaceholders(text, vars);
  const { command, args, env, workdir, logDir, resources } = config.template;
  const base = command.kind === 'argv' ? command.argv : [command.path];
  return {
    jobName: condition.jobName,
    argv: [...base, ...args].map(fill),
    env: Object.fromEntries(Object.entries(env).map(([name, value]) => [name, fill(value)])),
    workdir: workdir === null ? null : fill(workdir),
    logDir: logDir === null ? null : fill(logDir),
    expectedOutputs: config.outputs.expected.map(fill),
    resources,
  };
}
