/** The human report of a run: one small table per suite, then the targets. */
import type { BenchResults } from './results.js';

type Row = readonly (string | number)[];

const n = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
const mib = (bytes: number) => n(bytes / 2 ** 20, 0);

function table(title: string, head: Row, rows: readonly Row[]): string {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    `\n${title}`,
    line(cells[0] ?? []),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function renderTables(r: BenchResults): string {
  const out: string[] = [
    `sweepwatch bench (${r.mode}) — ${r.machine.cpus} CPUs, Node ${r.machine.node}, load ${r.machine.load.map((l) => n(l, 1)).join(' → ')}, ${n(r.seconds, 0)} s`,
  ];
  const { core, lab, startup, roundTrips, github, manifest, classify } = r.suites;
  if (core) {
    const rows = core.sizes.map((s) =>
      s.result
        ? [
            n(s.size),
            n(s.result.tickMs),
            mib(s.result.peakRssBytes),
            mib(s.result.baseRssBytes),
            n(s.result.bytesIn / 1e6, 1),
            n(s.result.newlyFailed),
            s.result.reasonCode,
          ]
        : [n(s.size), '—', '—', '—', '—', '—', s.error ?? 'failed'],
    );
    out.push(
      table(
        '1. core tick (simulated cluster)',
        ['jobs', 'tick ms', 'peak MiB', 'base MiB', 'MB in', 'new fails', 'decision'],
        rows,
      ),
    );
    out.push(`   scaling ${n(core.scaling ?? Number.NaN, 2)}× for ×10 jobs`);
    const last = [...core.sizes].reverse().find((s) => s.result)?.result;
    if (last) {
      const stages = Object.entries(last.stages).map(([k, v]) => [k, n(v)]);
      out.push(table(`   stages at ${n(last.size)} jobs (warm, one by one)`, ['stage', 'ms'], stages));
    }
  }
  if (lab) {
    const rows = [lab.firstTick, lab.steadyTick].map((s, i) => [
      i === 0
        ? `first tick (${lab.observed} observed, ${lab.newlyFailed} new failures)`
        : 'steady tick (live jobs only)',
      n(s.medianTickMs),
      n(s.medianFloorMs),
      n(s.medianRatio, 2),
      `${n(Math.min(...s.ratios), 2)}–${n(Math.max(...s.ratios), 2)}`,
    ]);
    out.push(
      table(
        `2. lab: tick vs floor, ${lab.firstTick.ratios.length} interleaved pairs`,
        ['tick', 'tick ms', 'floor ms', 'ratio', 'range'],
        rows,
      ),
    );
    const parts = [lab.firstTick, lab.steadyTick].flatMap((s, i) => {
      const name = i === 0 ? 'first' : 'steady';
      return [
        [`${name} tick`, n(s.tick.connect), n(s.tick.observe), n(s.tick.tails), n(s.tick.local)],
        [`${name} floor`, n(s.floor.connect), n(s.floor.observe), '—', '—'],
      ];
    });
    out.push(
      table('   where the time goes (medians, ms)', ['', 'connect', 'observe', 'log tails', 'local'], parts),
    );
  }
  if (startup) {
    out.push(
      table(
        '   start-up (median)',
        ['process', 'first line ms', 'exit ms'],
        [
          [startup.entry, n(startup.firstLineMs), n(startup.exitMs)],
          ['node -e (Node alone)', n(startup.nodeFirstLineMs), '—'],
        ],
      ),
    );
  }
  if (roundTrips) {
    const rows = roundTrips.rows.map((x) => [
      n(x.jobs),
      n(x.observed),
      n(x.newlyFailed),
      x.roundTrips,
      x.cancelRequests,
      n(x.statusBytesIn + x.statusBytesOut),
      n(x.statusBytesPerJob),
      n(x.tailBytesIn + x.tailBytesOut),
      n(x.tailBytesPerFailed ?? Number.NaN),
    ]);
    out.push(
      table(
        `3. round trips and bytes per tick (${roundTrips.transport})`,
        ['jobs', 'observed', 'new fails', 'trips', 'cancels*', 'status B', 'B/job', 'tails B', 'B/fail'],
        rows,
      ),
    );
  }
  if (github) {
    const rows = github.ticks.map((t) => [t.label, t.requests, t.issuesTouched, t.dispatches, t.decision]);
    out.push(
      table(
        `4. GitHub requests per tick (${n(github.conditions)} conditions)`,
        ['tick', 'requests', 'issues', 'dispatch', 'decision'],
        rows,
      ),
    );
    out.push(
      `   one hour (12 ticks): ${github.hourRequests} requests = ${n(github.hourBudgetShare * 100, 1)} % of 1,000/h`,
    );
  }
  if (manifest) {
    out.push(
      table(
        '5. manifest',
        ['conditions', 'attempts', 'bytes', 'B/attempt', 'load ms', 'save ms'],
        [
          [
            n(manifest.conditions),
            n(manifest.attempts),
            n(manifest.bytes),
            n(manifest.bytesPerAttempt, 1),
            n(manifest.loadMs),
            n(manifest.saveMs),
          ],
        ],
      ),
    );
  }
  if (classify) {
    out.push(
      table(
        '6. classify (JSON lines)',
        ['lines', 'MB in', 'seconds', 'lines/s'],
        [
          [
            n(classify.lines),
            n(classify.inputBytes / 1e6, 1),
            n(classify.seconds, 2),
            n(classify.linesPerSecond),
          ],
        ],
      ),
    );
  }
  for (const [suite, why] of Object.entries(r.skipped)) out.push(`\n(${suite} not run: ${why})`);
  const checks = r.checks.map((c) => [
    c.pass ? 'ok' : 'MISS',
    c.label,
    `${n(c.value, c.unit === '×' ? 2 : 0)} ${c.unit}`.trim(),
    `≤ ${n(c.limit, c.unit === '×' ? 2 : 0)}`,
  ]);
  out.push(table('targets', ['', 'figure', 'value', 'target'], checks));
  return `${out.join('\n')}\n`;
}
