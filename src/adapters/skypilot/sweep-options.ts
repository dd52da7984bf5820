/**
 * The sweep file's SkyPilot settings as SkyPilotScheduler options: the sky command, the task
 * YAML, the bare-VM switch (`scheduler.*`) and the resources every launch asks for
 * (`template.resources.skypilot`). The config has been checked (config/skypilot-checks.ts).
 *
 * A fixed workdir goes along: each launch reads a relative task YAML in its job's workdir (sky
 * is started there), so preflight must read it there too, not in the login directory.
 */
import type { SkypilotResources, SweepConfig } from '../../config/sweep-config.js';
import type { SkyResourceDefaults } from './resource-defaults.js';
import type { SkyPilotSchedulerOptions } from './skypilot-scheduler.js';

export type SweepSkyOptions = Pick<
  SkyPilotSchedulerOptions,
  'skyCommand' | 'taskYaml' | 'allowBareVm' | 'resources' | 'workdir'
>;

export function skyOptionsOf(config: Pick<SweepConfig, 'scheduler' | 'template'>): SweepSkyOptions {
  const { scheduler, template } = config;
  const workdir = template.workdir;
  const resources = template.resources.skypilot;
  return {
    ...(scheduler.skyCommand !== null ? { skyCommand: scheduler.skyCommand } : {}),
    ...(scheduler.taskYaml !== null ? { taskYaml: scheduler.taskYaml } : {}),
    ...(workdir !== null && !workdir.includes('{') ? { workdir } : {}),
    allowBareVm: scheduler.allowBareVm,
    ...(resources !== null ? { resources: defaultsOf(resources) } : {}),
  };
}

function defaultsOf(r: SkypilotResources): SkyResourceDefaults {
  return {
    ...(r.accelerators !== null ? { accelerators: r.accelerators } : {}),
    ...(r.cloud !== null ? { cloud: r.cloud } : {}),
    ...(r.region !== null ? { region: r.region } : {}),
    ...(r.zone !== null ? { zone: r.zone } : {}),
    ...(r.instanceType !== null ? { instanceType: r.instanceType } : {}),
    ...(r.useSpot !== null ? { useSpot: r.useSpot } : {}),
    ...(r.diskSizeGb !== null ? { diskSizeGb: r.diskSizeGb } : {}),
    ...(r.imageId !== null ? { imageId: r.imageId } : {}),
    ...(r.cpus !== null ? { cpus: r.cpus } : {}),
    ...(r.memory !== null ? { memory: r.memory } : {}),
  };
}
