/**
 * What the schema cannot say: factor names usable as placeholders, a consistent factorial,
 * placeholders that exist, and resources that fit the chosen scheduler.
 */
import { BUILTIN_PLACEHOLDERS, checkFactorial, levelText, placeholdersIn } from '../core/conditions.js';
import { clip, listOf } from './config-error.js';
import { skypilotProblems } from './skypilot-checks.js';
import { didYouMean } from './suggest.js';
import type { SweepConfig } from './sweep-config.js';

export interface SemanticProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PER_CONDITION = new Set<string>(['condition', 'job_name']);

function templateStrings(config: SweepConfig): { path: (string | number)[]; text: string }[] {
  const t = config.template;
  const out: { path: (string | number)[]; text: string }[] = [];
  if (t.command.kind === 'script') out.push({ path: ['template', 'command'], text: t.command.path });
  else for (const [i, text] of t.command.argv.entries()) out.push({ path: ['template', 'command', i], text });
  for (const [i, text] of t.args.entries()) out.push({ path: ['template', 'args', i], text });
  for (const [name, text] of Object.entries(t.env)) out.push({ path: ['template', 'env', name], text });
  if (t.workdir !== null) out.push({ path: ['template', 'workdir'], text: t.workdir });
  if (t.logDir !== null) out.push({ path: ['template', 'log_dir'], text: t.logDir });
  for (const [i, text] of config.outputs.expected.entries())
    out.push({ path: ['outputs', 'expected', i], text });
  return out;
}

function factorProblems(config: SweepConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const names = config.factors.map((f) => f.name);
  for (const name of names) {
    if (!IDENTIFIER.test(name)) {
      problems.push({
        path: ['factors', name],
        message: 'a factor name must be an identifier (letters, digits, _), as it is also a {placeholder}',
      });
    } else if ((BUILTIN_PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push({
        path: ['factors', name],
        message: `"${name}" is reserved for the built-in {${name}} placeholder`,
      });
    }
  }
  for (const problem of checkFactorial({
    experiment: config.experiment,
    factors: config.factors,
    include: config.include,
    exclude: config.exclude,
  })) {
    const [section, , key] = problem.path;
    let hint = '';
    if ((section === 'include' || section === 'exclude') && typeof key === 'string') {
      if (!names.includes(key)) hint = `${didYouMean(key, names)}; factors: ${listOf(names)}`;
      else {
        const levels = config.factors.find((f) => f.name === key)?.levels.map(levelText) ?? [];
        const value = problem.path.length === 3 ? config.exclude[Number(problem.path[1])]?.[key] : undefined;
        if (value !== undefined) hint = didYouMean(levelText(value), levels);
      }
    }
    problems.push({ path: [...problem.path], message: problem.message + hint });
  }
  return problems;
}

function placeholderProblems(config: SweepConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const factorNames = config.factors.map((f) => f.name);
  const known = [...factorNames, ...BUILTIN_PLACEHOLDERS];
  for (const { path, text } of templateStrings(config)) {
    for (const name of placeholdersIn(text)) {
      if (known.includes(name)) continue;
      problems.push({
        path,
        message:
          `unknown placeholder {${clip(name)}}${didYouMean(name, known)}; factors: ${listOf(factorNames)}; ` +
          `built-ins: ${BUILTIN_PLACEHOLDERS.join(', ')} (write {{ and }} for literal braces)`,
      });
    }
  }
  // Two conditions writing one output file would pass each other's check.
  const workdirNames = placeholdersIn(config.template.workdir ?? '');
  config.outputs.expected.forEach((text, i) => {
    const used = new Set([...workdirNames, ...placeholdersIn(text)]);
    const distinct = [...PER_CONDITION].some((n) => used.has(n)) || factorNames.every((n) => used.has(n));
    if (!distinct) {
      problems.push({
        path: ['outputs', 'expected', i],
        message:
          'every condition would check the same file; include {condition} (or every factor) in the path',
      });
    }
  });
  return problems;
}

function schedulerProblems(config: SweepConfig): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const { kind, host } = config.scheduler;
  const r = config.template.resources;
  if (kind === 'local' && host !== null) {
    problems.push({
      path: ['scheduler', 'host'],
      message: 'the local scheduler runs jobs on this machine; remove host',
    });
  }
  if (config.template.command.kind === 'script' && /\s/.test(config.template.command.path)) {
    const words = config.template.command.path.trim().split(/\s+/);
    problems.push({
      path: ['template', 'command'],
      message: `looks like a command line; sweepwatch never runs shell strings, write it as a list: ${clip(`[${words.join(', ')}]`)}`,
    });
  }
  const slurmOnly = { partition: r.partition, account: r.account, qos: r.qos, constraint: r.constraint };
  for (const [key, value] of Object.entries(slurmOnly)) {
    if (value !== null && kind !== 'slurm') {
      problems.push({
        path: ['template', 'resources', key],
        message: `is a Slurm setting; the scheduler is ${kind}`,
      });
    }
  }
  if (r.skypilot !== null && kind !== 'skypilot') {
    problems.push({
      path: ['template', 'resources', 'skypilot'],
      message: `applies to SkyPilot; the scheduler is ${kind}`,
    });
  }
  return problems;
}

export function semanticIssues(config: SweepConfig): SemanticProblem[] {
  return [
    ...factorProblems(config),
    ...placeholderProblems(config),
    ...schedulerProblems(config),
    ...skypilotProblems(config),
  ];
}
