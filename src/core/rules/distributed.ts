import { type Rule, TIER } from './types.js';

/**
 * NCCL, torch.distributed (c10d, elastic rendezvous, TCPStore, Gloo), JAX's coordination
 * service, and Ray's actor bookkeeping. Collective failures sit one tier below the causes:
 * when one rank dies of an OOM, its peers time out in NCCL, and the OOM is the root cause.
 * `NCCL INFO` lines never count (the scan drops them), however alarming their words.
 */
export const DISTRIBUTED_RULES: readonly Rule[] = [
  {
    id: 'nccl.watchdog_timeout',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.9,
    needles: ['collective operation timeout'],
    patterns: [/Watchdog caught collective operation timeout/],
    hint: 'A collective hung: look for a rank that died or stalled; relaunch once.',
  },
  {
    id: 'nccl.error',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.9,
    needles: ['NCCL error', 'nccl', 'DistBackendError', 'communicator was aborted'],
    patterns: [
      /NCCL error/,
      /nccl(?:System|Internal|InvalidUsage|InvalidArgument|Remote|UnhandledCuda)Error/,
      /DistBackendError/,
      /NCCL communicator was aborted/,
    ],
    // NCCL prints the underlying socket or IB error on the lines after `Last error:`.
    keepAfter: 2,
    hint: 'NCCL failed: check the network (NCCL_SOCKET_IFNAME, IB), then relaunch once.',
  },
  {
    id: 'dist.store',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.85,
    needles: [
      'DistStoreError',
      'DistNetworkError',
      'Socket Timeout',
      'socket has timed out',
      'socket has failed',
    ],
    patterns: [
      /DistStoreError/,
      /DistNetworkError/,
      /Socket Timeout/,
      /The client socket has timed out after/,
      /The server socket has failed to/,
    ],
    hint: 'Ranks could not meet at the store: check MASTER_ADDR/PORT and that all nodes started.',
  },
  {
    id: 'dist.rendezvous',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.9,
    needles: ['Rendezvous'],
    patterns: [/Rendezvous(?:Timeout|Closed|Connection|State)?Error/],
    hint: 'The elastic rendezvous failed: check the endpoint and that every node joined in time.',
  },
  {
    id: 'dist.connection_reset',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.75,
    needles: ['Connection reset by peer', 'Connection closed by peer'],
    patterns: [
      /(?:gloo|c10d|ProcessGroup|NCCL|torch\.distributed).*Connection (?:reset|closed) by peer/,
      /Connection (?:reset|closed) by peer.*(?:gloo|c10d|ProcessGroup)/,
    ],
    hint: 'A peer went away mid-collective; it usually died first, so check the other ranks.',
  },
  {
    id: 'jax.coordination',
    rootCause: 'distributed',
    tier: TIER.collective,
    confidence: 0.8,
    needles: ['Barrier timed out', 'coordination service'],
    patterns: [
      /DEADLINE_EXCEEDED: Barrier timed out/,
      /[Ff]ailed to connect to (?:the )?coordination service/,
    ],
    hint: 'The JAX processes could not synchronise: check the coordinator address and peers.',
  },
  {
    id: 'ray.node_died',
    rootCause: 'node_failure',
    tier: TIER.cause,
    confidence: 0.85,
    needles: ['node has died', 'node has crashed', 'marked dead'],
    patterns: [
      /its node has died/,
      /node has crashed/,
      /has been marked dead because the \w+ has missed too many heartbeats/,
    ],
    hint: 'A Ray node went away: relaunch; exclude the node if it repeats.',
  },
  {
    id: 'ray.actor_died',
    rootCause: 'unknown',
    tier: TIER.echo,
    confidence: 0.3,
    needles: ['RayActorError', 'ActorDiedError', 'actor died', 'actor is dead', 'entrypoint command failed'],
    patterns: [
      /RayActorError/,
      /ActorDiedError/,
      /The actor died unexpectedly/,
      /The actor is dead because/,
      /Job entrypoint command failed/,
    ],
    hint: 'A Ray actor died; its worker log (or the raylet log) holds the cause.',
  },
];
