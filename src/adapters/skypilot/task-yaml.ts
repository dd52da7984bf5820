/**
 * The launch preflight on a SkyPilot task YAML: every task must run in a pinned container
 * image, `resources.image_id: docker:<image>` (a bare VM image drifts with the cloud's
 * defaults and makes failures across a sweep incomparable). A bare VM is allowed only when
 * the adapter is told so (allowBareVm). The image, and its digest when pinned by
 * `@sha256:`, is what each launch records. An image given for every launch (`--image-id`, from
 * the sweep file) replaces every candidate's, as sky applies the flag: the YAML's are then moot.
 *
 * What counts, per SkyPilot's task schema: a file may hold several YAML documents (a pipeline:
 * an optional header document with only `name`, then one task per document); `resources` may
 * list candidates under `any_of` or `ordered`, each inheriting the base fields it does not set.
 * Every candidate of every task must resolve to a `docker:` image.
 */
import { parseAllDocuments } from 'yaml';

export interface Accelerator {
  readonly type: string;
  readonly count: number;
}

export type TaskCheck =
  | {
      readonly ok: true;
      readonly file: string;
      /** The first task's image without `docker:` (`repo/img@sha256:…`), or null on a bare VM. */
      readonly image: string | null;
      /** `sha256:<hex>` when the image is pinned by digest. */
      readonly imageDigest?: string;
      /** The accelerators the YAML asks for (to turn a bare GPU count into `--gpus TYPE:N`). */
      readonly accelerators: readonly Accelerator[];
      /** Not blocking: e.g. an image pinned by tag only. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly file: string; readonly key: string; readonly message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const TASK_KEYS = ['run', 'setup', 'resources', 'envs', 'workdir', 'file_mounts', 'num_nodes'];

export interface TaskCheckOptions {
  readonly allowBareVm: boolean;
  /** The `--image-id` every launch carries, if any. */
  readonly imageId?: string;
}

export function checkTaskYaml(text: string, file: string, options: TaskCheckOptions): TaskCheck {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) {
    const why = broken.errors[0]?.message.split('\n')[0] ?? 'invalid YAML';
    return { ok: false, file, key: '(document)', message: `${file}: not valid YAML: ${why}` };
  }
  const values: unknown[] = list.map((d) => d.toJS());
  // A pipeline's header document names the pipeline and holds no task fields.
  const tasks = values.filter((v): v is Obj => isObj(v) && TASK_KEYS.some((k) => k in v));
  if (tasks.length === 0) {
    if (values.length === 1 && isObj(values[0])) tasks.push(values[0]);
    else return { ok: false, file, key: '(document)', message: `${file}: holds no SkyPilot task` };
  }
  const images: string[] = [];
  const accelerators: Accelerator[] = [];
  for (const [t, task] of tasks.entries()) {
    const at = tasks.length > 1 ? `task ${t + 1}: ` : '';
    const resources = task.resources === undefined || task.resources === null ? {} : task.resources;
    if (!isObj(resources)) return refusal(file, `${at}resources`, 'is not a mapping');
    accelerators.push(...readAccelerators(resources.accelerators));
    const candidates = [...list2(resources.any_of, 'any_of'), ...list2(resources.ordered, 'ordered')];
    const checks = candidates.length > 0 ? candidates : [{ key: '', value: {} as Obj }];
    for (const c of checks) {
      if (!isObj(c.value)) return refusal(file, `${at}resources.${c.key}`, 'is not a mapping');
      accelerators.push(...readAccelerators(c.value.accelerators));
      const own = c.value.image_id;
      const image = options.imageId ?? own ?? resources.image_id;
      const key =
        options.imageId !== undefined
          ? '--image-id'
          : own !== undefined && c.key !== ''
            ? `${at}resources.${c.key}.image_id`
            : `${at}resources.image_id`;
      if (image === undefined || image === null) {
        if (options.allowBareVm) continue;
        return refusal(file, key, 'is not set');
      }
      if (typeof image !== 'string' || !image.startsWith('docker:') || image.length <= 'docker:'.length) {
        if (options.allowBareVm) continue;
        const shown = typeof image === 'string' ? `'${image}'` : 'a per-region map';
        return refusal(file, key, `is ${shown}, a VM image, not a container`);
      }
      images.push(image.slice('docker:'.length));
    }
  }
  const image = images[0] ?? null;
  const digest = image === null ? undefined : /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
  const warnings: string[] = [];
  if (image !== null && digest === undefined)
    warnings.push(
      `${file}: image ${image} is pinned by tag, not by digest (@sha256:…): it can change under the sweep`,
    );
  if (new Set(images).size > 1) warnings.push(`${file}: tasks use different images; the first is recorded`);
  return {
    ok: true,
    file,
    image,
    ...(digest !== undefined ? { imageDigest: digest } : {}),
    accelerators,
    warnings,
  };
}

function refusal(file: string, key: string, what: string): TaskCheck {
  return {
    ok: false,
    file,
    key,
    message:
      `${file}: ${key} ${what}: pin a container image (resources.image_id: docker:<image>@sha256:<digest> ` +
      'in the task, or template.resources.skypilot.image_id in the sweep file), ' +
      'or allow bare VMs explicitly (scheduler.allow_bare_vm: true)',
  };
}

function list2(value: unknown, name: string): { key: string; value: unknown }[] {
  return Array.isArray(value) ? value.map((v, i) => ({ key: `${name}[${i}]`, value: v })) : [];
}

/** `A100:8`, `A100`, `{A100: 8}`, `[A100:8, H100:8]`, `{A100:8, H100:8}` (a set) → type/count pairs. */
export function readAccelerators(value: unknown): Accelerator[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => {
        const [type = '', count] = s.split(':');
        return { type, count: count === undefined ? 1 : Number(count) };
      });
  }
  if (Array.isArray(value)) return value.flatMap((v) => readAccelerators(v));
  if (isObj(value)) {
    return Object.entries(value).map(([type, count]) => ({
      type,
      count: typeof count === 'number' ? count : count === null ? 1 : Number(count),
    }));
  }
  return [];
}
