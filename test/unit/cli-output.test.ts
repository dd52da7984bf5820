// The terminal output: the status block (cropped to the width, so a redraw moves up exactly
// as many lines as it drew), the one-line form for logs, and the live display's redraw on a
// TTY versus plain lines elsewhere.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveDisplay, terminalWidth } from '../../src/cli/live-display.js';
import { progressBar, type StatusSource, statusLine, statusLines } from '../../src/cli/status-view.js';
import { evaluateSweep } from '../../src/core/outcome.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { SweepSnapshot } from '../../src/core/snapshot.js';

function source(overrides: Partial<StatusSource> = {}): StatusSource {
  const snapshot: SweepSnapshot = {
    now: '2026-03-02T09:00:00Z',
    factors: [{ name: 'batch', levels: ['small', 'large'] }],
    relaunchCycles: 0,
    conditions: [
      {
        id: 'batch=small',
        factors: { batch: 'small' },
        attempts: [{ cycle: 0, jobId: '1', state: 'COMPLETED' }],
      },
      {
        id: 'batch=large',
        factors: { batch: 'large' },
        attempts: [{ cycle: 0, jobId: '2', state: 'OUT_OF_MEMORY', endedAt: '2026-03-02T08:59:00Z' }],
      },
    ],
  };
  return { experiment: 'demo', outcome: evaluateSweep(snapshot, DEFAULT_POLICY), maxCycles: 2, ...overrides };
}

function capture(tty: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (tty) stream.isTTY = true;
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('progressBar', () => {
  it.each([
    [0, 10, '[░░░░░░░░░░]'],
    [5, 10, '[█████░░░░░]'],
    [10, 10, '[██████████]'],
    [3, 0, '[░░░░░░░░░░]'],
  ])('%i of %i', (done, total, bar) => {
    expect(progressBar(done, total, 10)).toBe(bar);
  });
});

describe('statusLines', () => {
  it('shows terminal/total, the counts, the band, the decision and the root causes', () => {
    const lines = statusLines(source({ tick: 3, at: '2026-03-02T09:00:01Z', nextPollSeconds: 2 }), {
      color: false,
      width: 200,
    });
    expect(lines[0]).toBe('sweepwatch · demo · cycle 0/2 · tick 3 · 09:00:01');
    expect(lines[1]).toMatch(/^\[█{30}\] 2\/2 terminal$/);
    expect(lines[2]).toBe('  succeeded 1   failed 1   running 0   pending 0   cancelled 0');
    expect(lines[3]).toMatch(/^ {2}health {4}systemic: /);
    expect(lines[4]).toMatch(/^ {2}decision {2}intervene \(systemic_root_cause\)/);
    expect(lines).toContain('  root causes');
    expect(lines.some((l) => /^ {4}host_oom +1 +50 % +relaunch_escalated$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('  next poll in 2 s');
  });

  it('never writes a line wider than the terminal', () => {
    for (const line of statusLines(source(), { color: false, width: 40 }))
      expect([...line].length).toBeLessThanOrEqual(40);
  });

  it('colours only when asked, and only the header, the bar and the band', () => {
    expect(statusLines(source(), { color: false, width: 200 }).join('\n')).not.toContain('\u001b[');
    const colored = statusLines(source(), { color: true, width: 200 });
    expect(colored[1]?.startsWith(`\u001b[31m[${'█'.repeat(30)}]\u001b[0m`)).toBe(true);
    expect(colored[3]).toContain('\u001b[31msystemic\u001b[0m');
  });
});

describe('statusLine', () => {
  it('is one line with the counts and the decision', () => {
    expect(statusLine(source({ tick: 7, at: '2026-03-02T09:00:01Z', nextPollSeconds: 2 }))).toBe(
      'tick 7 · 09:00:01 · 2/2 terminal (1 ok, 1 failed, 0 running, 0 pending) · cycle 0/2 · systemic · intervene (systemic_root_cause) · next poll 2 s',
    );
  });
});

describe('LiveDisplay', () => {
  it('on a TTY redraws the block in place and keeps events above it', () => {
    const out = capture(true);
    const display = new LiveDisplay(out.stream, true);
    display.status(['a', 'b'], 'plain 1');
    display.event('✗ failed');
    display.status(['c', 'd', 'e'], 'plain 2');
    display.finish();
    display.event('after');
    expect(out.text()).toBe(
      [
        'a\nb\n',
        '\u001b[2F\u001b[J',
        '✗ failed\n',
        'a\nb\n',
        '\u001b[2F\u001b[J',
        'c\nd\ne\n',
        'after\n',
      ].join(''),
    );
  });

  it('elsewhere writes plain lines, top to bottom', () => {
    const out = capture(false);
    const display = new LiveDisplay(out.stream, false);
    display.status(['a', 'b'], 'plain 1');
    display.event('✗ failed');
    display.status(['c'], 'plain 2');
    expect(out.text()).toBe('plain 1\n✗ failed\nplain 2\n');
  });

  it('takes the terminal width, or 120 when the terminal reports none', () => {
    const s = new PassThrough() as PassThrough & { columns?: number };
    expect(terminalWidth(s)).toBe(120);
    s.columns = 0;
    expect(terminalWidth(s)).toBe(120);
    s.columns = 90;
    expect(terminalWidth(s)).toBe(90);
  });
});
