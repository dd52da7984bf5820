/**
 * Requests the real service would refuse or a real client would never send: recorded, so a test
 * fails on them (expectNone in afterEach) even when the client under test swallowed the error.
 */

export interface ArtifactViolation {
  /** `results` (the Twirp service) or `blob` (the storage). */
  readonly service: 'results' | 'blob';
  readonly where: string;
  readonly problem: string;
}

export class Violations {
  private readonly found: ArtifactViolation[] = [];

  record(service: ArtifactViolation['service'], where: string, problem: string): void {
    this.found.push({ service, where, problem });
  }

  list(): readonly ArtifactViolation[] {
    return this.found;
  }

  /** The violations so far, forgotten: for a test that provokes them on purpose. */
  take(): ArtifactViolation[] {
    return this.found.splice(0, this.found.length);
  }

  expectNone(): void {
    if (this.found.length === 0) return;
    const lines = this.found.map((v) => `${v.service}: ${v.where}: ${v.problem}`);
    throw new Error(`the fake artifact services saw ${this.found.length} violation(s):\n${lines.join('\n')}`);
  }
}
