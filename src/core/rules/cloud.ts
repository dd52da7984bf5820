import { type Rule, TIER } from './types.js';

/**
 * SkyPilot and the clouds under it: capacity and quota refusals, spot reclaims and the managed
 * jobs controller. Capacity and quota errors come from the provider's API, so they keep the
 * provider's own spelling (AWS InsufficientInstanceCapacity, GCE ZONE_RESOURCE_POOL_EXHAUSTED).
 */
export const CLOUD_RULES: readonly Rule[] = [
  {
    id: 'skypilot.resources_unavailable',
    rootCause: 'provisioning',
    tier: TIER.cause,
    confidence: 0.95,
    needles: [
      'ResourcesUnavailableError',
      'Failed to provision',
      'No launchable resource',
      'Catalog does not contain',
    ],
    patterns: [
      /ResourcesUnavailableError/,
      /Failed to provision all possible launchable resources/,
      /No launchable resource found/,
      /Catalog does not contain any instances satisfying/,
    ],
    hint: 'Retry later, or widen the resources (more regions, clouds or accelerator types).',
  },
  {
    id: 'cloud.capacity',
    rootCause: 'provisioning',
    tier: TIER.cause,
    confidence: 0.95,
    needles: ['InsufficientInstanceCapacity', 'ZONE_RESOURCE_POOL_EXHAUSTED', 'enough resources available'],
    patterns: [
      /InsufficientInstanceCapacity/,
      /ZONE_RESOURCE_POOL_EXHAUSTED/,
      /does not have enough resources available to fulfill the request/,
    ],
    hint: 'The zone is out of capacity: retry later or allow other zones.',
  },
  {
    id: 'cloud.quota',
    rootCause: 'provisioning',
    tier: TIER.cause,
    confidence: 0.9,
    needles: ["Quota '", 'exceed quota limits', 'LimitExceeded', 'QuotaExceeded'],
    patterns: [
      /Quota '[^']+' exceeded/,
      /exceed quota limits/,
      /[A-Z][a-z]+LimitExceeded\b/,
      /QuotaExceeded/,
    ],
    hint: 'Raise the cloud quota, or use a region or accelerator with quota.',
  },
  {
    id: 'skypilot.controller',
    rootCause: 'controller_error',
    tier: TIER.cause,
    confidence: 0.9,
    needles: ['FAILED_CONTROLLER', 'JobsController', 'Controller process'],
    patterns: [
      /status: FAILED_CONTROLLER/,
      /terminal state FAILED_CONTROLLER/,
      /Setting the job status to FAILED_CONTROLLER/,
      /Unexpected error in JobsController/,
      /Controller process (?:for job \d+ )?has exited abnormally/,
    ],
    hint: 'The jobs controller failed, not the job: relaunch as is; open an issue if it repeats.',
  },
  {
    id: 'cloud.preempted',
    rootCause: 'preempted',
    tier: TIER.cause,
    confidence: 0.9,
    needles: ['preempted', 'termination is imminent', 'nstance interruption'],
    patterns: [
      /[Cc]luster is preempted/,
      /node was preempted/,
      /[Ii]nstance was preempted/,
      /termination is imminent/,
      /[Ss]pot [Ii]nstance interruption/,
    ],
    hint: 'The spot capacity was reclaimed: relaunch as is, ideally resuming from a checkpoint.',
  },
];
