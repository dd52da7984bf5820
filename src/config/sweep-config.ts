/**
 * The sweep file (default `.github/sweepwatch.yml`) → a typed SweepConfig, or a ConfigError
 * listing every problem with file, key path and line. Secrets are refused (secrets.ts); the
 * policy block is merged over DEFAULT_POLICY (policy-schema.ts).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Assignment, FactorialSpec, FactorSpec } from '../core/conditions.js';
import type { Policy } from '../core/policy.js';
import { ConfigError, type ConfigIssue, formatPath } from './config-error.js';
import { toPolicy } from './policy-schema.js';
import { findSecrets } from './secrets.js';
import { semanticIssues } from './sweep-checks.js';
import { JUMP_HOST, type RawSweepFile, type SchedulerKind, sweepFileSchema } from './sweep-schema.js';
import { lineForPath, parseYaml } from './yaml-source.js';
import { toConfigIssues } from './zod-issues.js';

export type { SchedulerKind } from './sweep-schema.js';

export const DEFAULT_SWEEP_FILE = '.github/sweepwatch.yml';

export interface SshHop {
  readonly host: string;
  readonly port: number;
  readonly user: string | null;
}

export interface SchedulerConfig {
  readonly kind: SchedulerKind;
  /** null: the scheduler's commands run on this machine (local transport). */
  readonly host: string | null;
  readonly port: number;
  readonly user: string | null;
  readonly jumpHosts: readonly SshHop[];
  readonly connectTimeoutSeconds: number | null;
  /** SkyPilot: the argv prefix that runs sky on the far side; null: `sky` on its PATH. */
  readonly skyCommand: readonly string[] | null;
  /**
   * SkyPilot: the task YAML (on the sky host, relative to template.workdir) that runs conditions
   * whose command is not a .yaml itself, with `run: eval "$SWEEPWATCH_COMMAND"`.
   */
  readonly taskYaml: string | null;
  /** SkyPilot: launch tasks that pin no container image (false: refused before launching). */
  readonly allowBareVm: boolean;
}

export type CommandSpec =
  | { readonly kind: 'argv'; readonly argv: readonly string[] }
  | { readonly kind: 'script'; readonly path: string };

export interface SkypilotResources {
  readonly accelerators: string | null;
  readonly cloud: string | null;
  readonly region: string | null;
  readonly zone: string | null;
  readonly instanceType: string | null;
  readonly useSpot: boolean | null;
  readonly diskSizeGb: number | null;
  readonly imageId: string | null;
  readonly cpus: string | null;
  readonly memory: string | null;
}

export interface Resources {
  readonly timeMinutes: number | null;
  readonly memoryMb: number | null;
  readonly cpus: number | null;
  /** A count, or Slurm's `type:count` (`a100:2`). */
  readonly gpus: number | string | null;
  readonly partition: string | null;
  readonly account: string | null;
  readonly qos: string | null;
  readonly constraint: string | null;
  readonly skypilot: SkypilotResources | null;
}

/** Strings may hold `{factor}`, `{condition}`, `{experiment}`, `{job_name}` (see render-job.ts). */
export interface JobTemplate {
  readonly command: CommandSpec;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string | null;
  readonly logDir: string | null;
  readonly resources: Resources;
}

export interface SweepConfig {
  /** The file as the user named it; used in every message. */
  readonly source: string;
  /** `sha256:<hex>` of the file's bytes; the manifest records it to notice edits between launches. */
  readonly digest: string;
  readonly experiment: string;
  readonly scheduler: SchedulerConfig;
  /** In file order: the order of the parts of every condition id. */
  readonly factors: readonly FactorSpec[];
  readonly include: readonly Assignment[];
  readonly exclude: readonly Assignment[];
  readonly template: JobTemplate;
  /** Path templates relative to workdir; each must exist, be non-empty and hold finite numbers. */
  readonly outputs: { readonly expected: readonly string[] };
  readonly policy: Policy;
}

function toHop(text: string): SshHop {
  const m = JUMP_HOST.exec(text);
  return { host: m?.[2] ?? text, port: m?.[3] === undefined ? 22 : Number(m[3]), user: m?.[1] ?? null };
}

function toConfig(raw: RawSweepFile, source: string, digest: string): SweepConfig {
  const { scheduler: s, template: t } = raw;
  const r = t.resources ?? {};
  const sky = r.skypilot;
  return {
    source,
    digest,
    experiment: raw.experiment,
    scheduler: {
      kind: s.type,
      host: s.host ?? null,
      port: s.port ?? 22,
      user: s.user ?? null,
      jumpHosts: (s.jump_hosts ?? []).map(toHop),
      connectTimeoutSeconds: s.connect_timeout ?? null,
      skyCommand: s.sky_command ?? null,
      taskYaml: s.task_yaml ?? null,
      allowBareVm: s.allow_bare_vm ?? false,
    },
    factors: Object.entries(raw.factors).map(([name, levels]) => ({ name, levels })),
    include: raw.include ?? [],
    exclude: raw.exclude ?? [],
    template: {
      command:
        typeof t.command === 'string'
          ? { kind: 'script', path: t.command }
          : { kind: 'argv', argv: t.command },
      args: t.args ?? [],
      env: t.env ?? {},
      workdir: t.workdir ?? null,
      logDir: t.log_dir ?? null,
      resources: {
        timeMinutes: r.time ?? null,
        memoryMb: r.memory ?? null,
        cpus: r.cpus ?? null,
        gpus: r.gpus ?? null,
        partition: r.partition ?? null,
        account: r.account ?? null,
        qos: r.qos ?? null,
        constraint: r.constraint ?? null,
        skypilot:
          sky === undefined
            ? null
            : {
                accelerators: sky.accelerators ?? null,
                cloud: sky.cloud ?? null,
                region: sky.region ?? null,
                zone: sky.zone ?? null,
                instanceType: sky.instance_type ?? null,
                useSpot: sky.use_spot ?? null,
                diskSizeGb: sky.disk_size ?? null,
                imageId: sky.image_id ?? null,
                cpus: sky.cpus ?? null,
                memory: sky.memory ?? null,
              },
      },
    },
    outputs: { expected: raw.outputs?.expected ?? [] },
    policy: toPolicy(raw.policy),
  };
}

/** Parses the sweep file's text. `source` is the path shown in messages. Throws ConfigError. */
export function parseSweepConfig(text: string, source: string = DEFAULT_SWEEP_FILE): SweepConfig {
  const yaml = parseYaml(text);
  if (!yaml.ok) throw new ConfigError(source, yaml.issues);
  const { data } = yaml.source;
  const lineOf = (path: readonly PropertyKey[]) => lineForPath(yaml.source, path);
  if (data === null || data === undefined) {
    throw new ConfigError(source, [{ path: '', message: 'the sweep file is empty', line: null }]);
  }
  const issues: ConfigIssue[] = findSecrets(data).map((f) => ({
    path: formatPath(f.path),
    message: f.message,
    line: lineOf(f.path),
  }));
  const secretPaths = new Set(issues.map((i) => i.path));
  const parsed = sweepFileSchema.safeParse(data);
  if (parsed.success) {
    const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const config = toConfig(parsed.data, source, digest);
    issues.push(
      ...semanticIssues(config).map((p) => ({ ...p, path: formatPath(p.path), line: lineOf(p.path) })),
    );
    if (issues.length === 0) return config;
  } else {
    // zod's own issues are added, except the "unknown key" it also reports for a refused secret.
    issues.push(...toConfigIssues(parsed.error, data, lineOf).filter((i) => !secretPaths.has(i.path)));
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ConfigError(source, issues);
}

/** Reads and parses a sweep file; a missing file is a ConfigError that says how to create one. */
export async function loadSweepConfig(path: string = DEFAULT_SWEEP_FILE): Promise<SweepConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'not found' : String(error);
    throw new ConfigError(path, [
      { path: '', message: `cannot read the sweep file (${reason}); create it or pass its path`, line: null },
    ]);
  }
  return parseSweepConfig(text, path);
}

/** The factorial part, for expandConditions. */
export function factorialOf(config: SweepConfig): FactorialSpec {
  return {
    experiment: config.experiment,
    factors: config.factors,
    include: config.include,
    exclude: config.exclude,
  };
}
