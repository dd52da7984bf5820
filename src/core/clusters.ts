import { fnv1a64, maskVolatile } from './signature.js';
import type { Classification, RootCause } from './types.js';

/**
 * Clusters of failures no rule could name (unknown) and of plain code errors, so that "the
 * same KeyError in 40 jobs" becomes one issue instead of 40. It is a small Drain (He et al.,
 * ICWS 2017): messages are masked, split into tokens and routed through a fixed-depth tree
 * (root cause → token count → first tokens) to a leaf holding a few templates; a message joins
 * the most similar template there or starts its own, and the positions where members disagree
 * become the wildcard `<*>`.
 */

export const WILDCARD = '<*>';

export interface DrainOptions {
  /** Share of equal tokens (wildcards excluded) needed to join a template. */
  readonly similarity: number;
  /** Leading tokens used to route a message, after its length. */
  readonly prefixTokens: number;
  /** Children per tree node before further tokens route to the wildcard child. */
  readonly maxChildren: number;
  /** Longer messages are cut: the head of an error carries its identity. */
  readonly maxTokens: number;
}

export const DEFAULT_DRAIN: DrainOptions = {
  similarity: 0.5,
  prefixTokens: 2,
  maxChildren: 100,
  maxTokens: 64,
};

export interface ClusterMember {
  readonly id: string;
  readonly message: string;
  /** ISO 8601 (or any string that sorts chronologically). */
  readonly at: string;
  readonly rootCause?: RootCause;
}

export interface FailureCluster {
  /** Stable for a given input: derived from the first member's template. */
  readonly id: string;
  readonly rootCause: RootCause | null;
  /** The masked message with disagreeing positions as `<*>`. */
  readonly template: string;
  /** The first member's message, unmasked, for people to read. */
  readonly representative: string;
  readonly count: number;
  readonly memberIds: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
}

interface MutableCluster {
  readonly id: string;
  readonly rootCause: RootCause | null;
  tokens: string[];
  readonly representative: string;
  readonly memberIds: string[];
  firstSeen: string;
  lastSeen: string;
}

interface TreeNode {
  readonly children: Map<string, TreeNode>;
  readonly clusters: MutableCluster[];
}

function node(): TreeNode {
  return { children: new Map(), clusters: [] };
}

/** Tokens that vary by nature route to the wildcard child instead of splitting the tree. */
function isVariable(token: string): boolean {
  return token.includes('<') || /\d/.test(token);
}

function earlier(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isNaN(ta) || Number.isNaN(tb) ? a < b : ta < tb;
}

function similarity(template: readonly string[], tokens: readonly string[]): number {
  let same = 0;
  for (let i = 0; i < tokens.length; i++) if (template[i] === tokens[i]) same++;
  return same / tokens.length;
}

function snapshot(cluster: MutableCluster): FailureCluster {
  return {
    id: cluster.id,
    rootCause: cluster.rootCause,
    template: cluster.tokens.join(' '),
    representative: cluster.representative,
    count: cluster.memberIds.length,
    memberIds: [...cluster.memberIds],
    firstSeen: cluster.firstSeen,
    lastSeen: cluster.lastSeen,
  };
}

/** An incremental clusterer: feed members in any order, read the clusters at any time. */
export class DrainClusterer {
  private readonly root = node();
  private readonly all: MutableCluster[] = [];

  constructor(private readonly options: DrainOptions = DEFAULT_DRAIN) {}

  add(member: ClusterMember): FailureCluster {
    const masked = maskVolatile(member.message);
    const tokens = (masked === '' ? ['<empty>'] : masked.split(' ')).slice(0, this.options.maxTokens);
    const leaf = this.leafFor(member.rootCause ?? null, tokens);
    let best: MutableCluster | null = null;
    let bestScore = -1;
    for (const cluster of leaf.clusters) {
      const score = similarity(cluster.tokens, tokens);
      if (score > bestScore) {
        best = cluster;
        bestScore = score;
      }
    }
    if (best === null || bestScore < this.options.similarity) {
      best = {
        id: `c${fnv1a64(`${member.rootCause ?? ''}\n${masked}`).slice(0, 12)}`,
        rootCause: member.rootCause ?? null,
        tokens,
        representative: member.message.trim(),
        memberIds: [],
        firstSeen: member.at,
        lastSeen: member.at,
      };
      leaf.clusters.push(best);
      this.all.push(best);
    } else {
      const template = best.tokens;
      best.tokens = template.map((token, i) => (token === tokens[i] ? token : WILDCARD));
      if (earlier(member.at, best.firstSeen)) best.firstSeen = member.at;
      if (earlier(best.lastSeen, member.at)) best.lastSeen = member.at;
    }
    best.memberIds.push(member.id);
    return snapshot(best);
  }

  /** All clusters, largest first (ties: earliest first seen). */
  clusters(): FailureCluster[] {
    return this.all
      .map(snapshot)
      .sort((a, b) => b.count - a.count || (earlier(a.firstSeen, b.firstSeen) ? -1 : 1));
  }

  private leafFor(rootCause: RootCause | null, tokens: readonly string[]): TreeNode {
    let current = this.child(this.root, rootCause ?? '', true);
    current = this.child(current, String(tokens.length), true);
    for (let depth = 0; depth < this.options.prefixTokens && depth < tokens.length; depth++) {
      const token = tokens[depth] ?? WILDCARD;
      current = this.child(current, isVariable(token) ? WILDCARD : token, false);
    }
    return current;
  }

  private child(parent: TreeNode, key: string, unbounded: boolean): TreeNode {
    const existing = parent.children.get(key);
    if (existing !== undefined) return existing;
    const full = !unbounded && parent.children.size >= this.options.maxChildren;
    const slot = full ? WILDCARD : key;
    const made = parent.children.get(slot) ?? node();
    parent.children.set(slot, made);
    return made;
  }
}

export interface ClassifiedAttempt {
  readonly id: string;
  readonly at: string;
  readonly classification: Classification;
}

/** The root causes worth clustering: the ones no rule explains beyond "the code raised". */
const CLUSTERED: ReadonlySet<RootCause> = new Set<RootCause>(['unknown', 'code_error']);

/** Clusters the unknown and code_error attempts by their evidence; others are ignored. */
export function clusterFailures(
  attempts: readonly ClassifiedAttempt[],
  options: DrainOptions = DEFAULT_DRAIN,
): FailureCluster[] {
  const clusterer = new DrainClusterer(options);
  for (const { id, at, classification } of attempts) {
    if (!CLUSTERED.has(classification.rootCause)) continue;
    clusterer.add({
      id,
      at,
      rootCause: classification.rootCause,
      message: classification.evidence.join(' '),
    });
  }
  return clusterer.clusters();
}
