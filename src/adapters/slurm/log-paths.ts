/**
 * Slurm's filename patterns for --output/--error (sbatch(1) "filename pattern"): we expand them
 * ourselves because squeue and sacct 22.05 never give the expanded paths after MinJobAge.
 * Placeholders we cannot know (an array task's %a before it exists, %N the node) stay as is.
 */

export interface LogPathFacts {
  /** The job id sbatch printed (for an array, the master id). */
  readonly jobId: string;
  /** The job is an array: %j is then each task's own id, which only the scheduler knows. */
  readonly isArray?: boolean;
  /** For one array task: its index and its own job id. */
  readonly arrayTaskId?: string;
  readonly taskJobId?: string;
  readonly name?: string;
  readonly user?: string;
  /** Relative patterns are relative to the job's working directory. */
  readonly workdir?: string;
}

/**
 * `%j`, `%3j`, `%A`, `%a`, `%x`, `%u`, `%%`; a backslash anywhere turns expansion off, as in
 * Slurm. `%J` (job.step) and `%N` (node) are left as they are.
 */
export function expandLogPattern(pattern: string, facts: LogPathFacts): string {
  if (pattern.includes('\\')) return absolute(pattern.replaceAll('\\', ''), facts.workdir);
  const expanded = pattern.replace(/%(\d*)([%Aajxu])/g, (whole, width: string, letter: string) => {
    const pad = (value: string | undefined) =>
      value === undefined ? whole : width === '' ? value : value.padStart(Number(width), '0');
    switch (letter) {
      case '%':
        return '%';
      case 'A':
        return pad(facts.jobId);
      case 'j':
        return pad(facts.isArray ? facts.taskJobId : facts.jobId);
      case 'a':
        return pad(facts.arrayTaskId);
      case 'x':
        return facts.name ?? whole;
      case 'u':
        return facts.user ?? whole;
      default:
        return whole;
    }
  });
  return absolute(expanded, facts.workdir);
}

function absolute(path: string, workdir: string | undefined): string {
  if (path.startsWith('/') || workdir === undefined || workdir === '') return path;
  return `${workdir.replace(/\/+$/, '')}/${path}`;
}

/**
 * For a task of an array: the job id of the task is not the master's, but %j in an array's
 * pattern means the task's own id, which only the scheduler knows. %A_%a is the stable form.
 */
export function defaultLogPatterns(name: string, isArray: boolean): { stdout: string; stderr: string } {
  const stem = isArray ? `${name}-%A_%a` : `${name}-%j`;
  return { stdout: `${stem}.out`, stderr: `${stem}.err` };
}
