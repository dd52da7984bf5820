/**
 * The raw shape of the sweep file (snake_case, as written), in zod. Quantities are converted
 * here (memory → MB, time → minutes); sweep-config.ts maps the result to the camelCase
 * SweepConfig, and sweep-checks.ts adds what a schema cannot say (placeholders, factors).
 */
import { z } from 'zod';
import { policySchema } from './policy-schema.js';
import { memorySchema, secondsSchema, timeSchema } from './quantities.js';
import { strictObject } from './zod-issues.js';

export const SCHEDULERS = ['slurm', 'skypilot', 'local'] as const;
export type SchedulerKind = (typeof SCHEDULERS)[number];

const SLUG = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const USER = /^[A-Za-z_][A-Za-z0-9._-]*$/;
export const JUMP_HOST =
  /^(?:([A-Za-z_][A-Za-z0-9._-]*)@)?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

/** A YAML scalar written where text is meant (`--epochs`, `10`, `true`) becomes its text. */
const text = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string' }).transform(String);
const nonEmpty = z.string().min(1);

export const levelSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: 'a level must be a string, a number or true/false (not a list or a mapping)',
});

const connectionSchema = strictObject({
  type: z.enum(SCHEDULERS),
  host: z.string().regex(HOST, 'expected a host name or address, e.g. login.cluster.example.edu').optional(),
  port: z.int().min(1).max(65535).optional(),
  user: z.string().regex(USER, 'expected a user name').optional(),
  jump_hosts: z
    .array(z.string().regex(JUMP_HOST, 'expected [user@]host[:port], e.g. alice@bastion.example.edu:22'))
    .optional(),
  connect_timeout: secondsSchema.optional(),
  // SkyPilot only (sweep-checks.ts refuses them elsewhere): how to run sky on the far side, the
  // task YAML that runs each condition, and whether tasks may run on a bare VM image.
  sky_command: z
    .union(
      [
        z
          .string()
          .regex(/^\S+$/)
          .transform((program) => [program]),
        z.array(nonEmpty).min(1),
      ],
      {
        error: 'expected the sky program, or a command with arguments as a list like [uv, run, sky]',
      },
    )
    .optional(),
  task_yaml: nonEmpty.optional(),
  allow_bare_vm: z.boolean().optional(),
});

// `scheduler: slurm` is shorthand for `scheduler: {type: slurm}`.
const schedulerSchema = z.preprocess((v) => (typeof v === 'string' ? { type: v } : v), connectionSchema);

const skypilotResourcesSchema = strictObject({
  accelerators: nonEmpty.optional(),
  cloud: nonEmpty.optional(),
  region: nonEmpty.optional(),
  zone: nonEmpty.optional(),
  instance_type: nonEmpty.optional(),
  use_spot: z.boolean().optional(),
  disk_size: z.int().min(1).optional(),
  image_id: nonEmpty.optional(),
  cpus: text.optional(),
  memory: text.optional(),
});

const GPUS_HINT = 'expected a count or type:count, e.g. 2 or a100:2';

const resourcesSchema = strictObject({
  time: timeSchema.optional(),
  memory: memorySchema.optional(),
  cpus: z.int().min(1).optional(),
  gpus: z
    .union([z.int().min(0), z.string().regex(/^[\w.-]+:\d+$/, GPUS_HINT)], { error: GPUS_HINT })
    .optional(),
  partition: nonEmpty.optional(),
  account: nonEmpty.optional(),
  qos: nonEmpty.optional(),
  constraint: nonEmpty.optional(),
  skypilot: skypilotResourcesSchema.optional(),
});

const templateSchema = strictObject({
  command: z.union([z.array(text).min(1), nonEmpty], {
    error: 'expected an argv list like [python, train.py] or the path of a script',
  }),
  args: z.array(text).optional(),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid environment variable name'), text)
    .optional(),
  workdir: nonEmpty.optional(),
  log_dir: nonEmpty.optional(),
  resources: resourcesSchema.optional(),
});

export const sweepFileSchema = strictObject({
  experiment: z
    .string()
    .regex(SLUG, 'expected a slug: lower-case letters, digits, ".", "_" and "-", at most 64 characters'),
  scheduler: schedulerSchema,
  factors: z.record(z.string(), z.array(levelSchema).min(1, 'a factor needs at least one level')),
  include: z.array(z.record(z.string(), levelSchema)).optional(),
  exclude: z.array(z.record(z.string(), levelSchema)).optional(),
  template: templateSchema,
  outputs: strictObject({ expected: z.array(nonEmpty).optional() }).optional(),
  policy: policySchema.optional(),
});

export type RawSweepFile = z.output<typeof sweepFileSchema>;
