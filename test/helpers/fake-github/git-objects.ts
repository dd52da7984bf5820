import { createHash } from 'node:crypto';
import { unprocessable } from './http-error.js';

/**
 * An in-memory git object database with real git object ids: a blob, tree or commit hashes to the
 * same sha it would in git, so identical content dedupes and a tree sha is stable like GitHub's.
 */

export type EntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  readonly name: string;
  /** As the API shows it: `100644`, `100755`, `040000`, `160000`, `120000`. */
  readonly mode: string;
  readonly type: EntryType;
  readonly sha: string;
}

export interface Person {
  readonly name: string;
  readonly email: string;
  readonly date: string;
}

export type GitObject =
  | { readonly type: 'blob'; readonly sha: string; readonly content: Buffer }
  | { readonly type: 'tree'; readonly sha: string; readonly entries: readonly TreeEntry[] }
  | {
      readonly type: 'commit';
      readonly sha: string;
      readonly tree: string;
      readonly parents: readonly string[];
      readonly message: string;
      readonly author: Person;
      readonly committer: Person;
    };

/** A leaf of a flattened tree, keyed by its full path. */
export interface Leaf {
  readonly mode: string;
  readonly type: EntryType;
  readonly sha: string;
}

function hashObject(type: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

/** Git sorts tree entries by name, comparing a subtree's name as if it ended in `/`. */
function sortKey(e: TreeEntry): string {
  return e.type === 'tree' ? `${e.name}/` : e.name;
}

function personLine(role: string, p: Person): string {
  return `${role} ${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
}

export class GitObjects {
  private readonly objects = new Map<string, GitObject>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  getAs<T extends GitObject['type']>(sha: string, type: T): Extract<GitObject, { type: T }> | undefined {
    const object = this.objects.get(sha);
    return object?.type === type ? (object as Extract<GitObject, { type: T }>) : undefined;
  }

  putBlob(content: Buffer): string {
    const sha = hashObject('blob', content);
    this.objects.set(sha, { type: 'blob', sha, content });
    return sha;
  }

  putTree(entries: readonly TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const body = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([Buffer.from(`${e.mode.replace(/^0+/, '')} ${e.name}\0`), Buffer.from(e.sha, 'hex')]),
      ),
    );
    const sha = hashObject('tree', body);
    this.objects.set(sha, { type: 'tree', sha, entries: sorted });
    return sha;
  }

  putCommit(commit: Omit<Extract<GitObject, { type: 'commit' }>, 'type' | 'sha'>): string {
    const lines = [
      `tree ${commit.tree}`,
      ...commit.parents.map((p) => `parent ${p}`),
      personLine('author', commit.author),
      personLine('committer', commit.committer),
      '',
      commit.message,
    ];
    const sha = hashObject('commit', Buffer.from(lines.join('\n')));
    this.objects.set(sha, { type: 'commit', sha, ...commit });
    return sha;
  }

  /** Every blob (and submodule) under a tree, by full path. */
  flatten(treeSha: string, prefix = '', out = new Map<string, Leaf>()): Map<string, Leaf> {
    const tree = this.getAs(treeSha, 'tree');
    if (!tree) throw unprocessable('Invalid tree info');
    for (const e of tree.entries) {
      const path = `${prefix}${e.name}`;
      if (e.type === 'tree') this.flatten(e.sha, `${path}/`, out);
      else out.set(path, { mode: e.mode, type: e.type, sha: e.sha });
    }
    return out;
  }

  /** Builds nested trees from full paths, as POST /git/trees does for `a/b/c` paths. */
  buildTree(leaves: ReadonlyMap<string, Leaf>): string {
    const direct: TreeEntry[] = [];
    const subdirs = new Map<string, Map<string, Leaf>>();
    for (const [path, leaf] of leaves) {
      const slash = path.indexOf('/');
      if (slash === -1) {
        direct.push({ name: path, ...leaf });
        continue;
      }
      const dir = path.slice(0, slash);
      const inner = subdirs.get(dir) ?? new Map<string, Leaf>();
      inner.set(path.slice(slash + 1), leaf);
      subdirs.set(dir, inner);
    }
    for (const [dir, inner] of subdirs) {
      direct.push({ name: dir, mode: '040000', type: 'tree', sha: this.buildTree(inner) });
    }
    return this.putTree(direct);
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    const seen = new Set<string>();
    const queue = [descendant];
    for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      queue.push(...(this.getAs(sha, 'commit')?.parents ?? []));
    }
    return false;
  }
}
