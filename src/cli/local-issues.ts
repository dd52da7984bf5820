/**
 * Issues without GitHub: the CLI's issue tracker is a folder of files next to the manifest,
 * one JSON record per issue (what the tick reads back by its hidden marker) and a markdown
 * rendering beside it for people. Same contract as the GitHub adapter: found by marker, never
 * duplicated, updated in place, reopened when written again.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type {
  EnsuredIssue,
  IssueFinder,
  IssueSpec,
  IssueWriter,
  TrackedIssue,
} from '../ports/issue-tracker.js';

const recordSchema = z.object({
  number: z.int().positive(),
  title: z.string(),
  body: z.string(),
  state: z.enum(['open', 'closed']),
  labels: z.array(z.string()),
  comments: z.array(z.string()),
});
type IssueRecord = z.infer<typeof recordSchema>;

const FILE = /^issue-(\d+)\.json$/;

export class LocalIssues implements IssueFinder, IssueWriter {
  constructor(readonly dir: string) {}

  private jsonPath(n: number): string {
    return join(this.dir, `issue-${n}.json`);
  }

  markdownPath(n: number): string {
    return join(this.dir, `issue-${n}.md`);
  }

  async all(): Promise<IssueRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: IssueRecord[] = [];
    for (const name of names.filter((n) => FILE.test(n))) {
      const parsed = recordSchema.safeParse(JSON.parse(await readFile(join(this.dir, name), 'utf8')));
      // A record edited into something unreadable is skipped, never overwritten by a guess.
      if (parsed.success) out.push(parsed.data);
    }
    return out.sort((a, b) => a.number - b.number);
  }

  private toTracked(r: IssueRecord): TrackedIssue {
    return {
      number: r.number,
      title: r.title,
      body: r.body,
      state: r.state,
      labels: r.labels,
      url: `file://${this.markdownPath(r.number)}`,
    };
  }

  async findByMarker(label: string, marker: string): Promise<TrackedIssue | null> {
    const found = (await this.all())
      .filter((r) => r.labels.includes(label) && r.body.includes(marker))
      .sort((a, b) => (a.state === b.state ? a.number - b.number : a.state === 'open' ? -1 : 1));
    return found[0] === undefined ? null : this.toTracked(found[0]);
  }

  async ensureIssue(spec: IssueSpec): Promise<EnsuredIssue> {
    const body = spec.body.includes(spec.marker) ? spec.body : `${spec.marker}\n${spec.body}`;
    const existing = await this.findByMarker(spec.labels[0], spec.marker);
    const all = await this.all();
    if (existing !== null) {
      const record = all.find((r) => r.number === existing.number);
      if (record === undefined) throw new Error(`issue ${existing.number} vanished`);
      const labels = [...new Set([...record.labels, ...spec.labels])];
      if (
        record.title === spec.title &&
        record.body === body &&
        record.state === 'open' &&
        labels.length === record.labels.length
      ) {
        return { outcome: 'unchanged', issue: existing };
      }
      const next = { ...record, title: spec.title, body, state: 'open' as const, labels };
      await this.write(next);
      return { outcome: 'updated', issue: this.toTracked(next) };
    }
    const number = Math.max(0, ...all.map((r) => r.number)) + 1;
    const record: IssueRecord = {
      number,
      title: spec.title,
      body,
      state: 'open',
      labels: [...spec.labels],
      comments: [],
    };
    await this.write(record);
    return { outcome: 'created', issue: this.toTracked(record) };
  }

  async close(issueNumber: number, comment?: string): Promise<void> {
    const record = (await this.all()).find((r) => r.number === issueNumber);
    if (record === undefined || record.state === 'closed') return;
    await this.write({
      ...record,
      state: 'closed',
      comments: comment === undefined ? record.comments : [...record.comments, comment],
    });
  }

  private async write(r: IssueRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.jsonPath(r.number), `${JSON.stringify(r, null, 2)}\n`);
    const comments = r.comments.map((c) => `\n---\n\n${c}\n`).join('');
    const header = `<!-- ${r.state} · labels: ${r.labels.join(', ')} -->\n# #${r.number} ${r.title}\n\n`;
    await writeFile(this.markdownPath(r.number), `${header}${r.body}\n${comments}`);
  }
}
