import { manifestMissing } from '../app/errors.js';
import { levelText } from '../core/conditions.js';
import { manifestToSnapshot } from '../core/manifest-snapshot.js';
import { evaluateSweep } from '../core/outcome.js';
import { effectiveCause, latestAttempt } from '../core/snapshot.js';
import { systemClock } from '../ports/clock.js';
import { EXIT_HELP, noPositionals, parseFlags, SWEEP_HELP, SWEEP_OPTIONS } from './args.js';
import type { CliCommand } from './commands.js';
import { openSweep, shown } from './context.js';
import { statusJson, writeJson } from './json-output.js';
import { statusLines } from './status-view.js';
import { verdictJson } from './to-json.js';
import { bandExit } from './watch-loop.js';

const OPTIONS = { ...SWEEP_OPTIONS, conditions: { type: 'boolean' } } as const;

export const statusCommand: CliCommand = {
  summary: 'the sweep as the manifest last recorded it (no scheduler call, no side effect)',
  help: [
    'usage: sweepwatch status [options]',
    '',
    'Reads the manifest and rates it with the same core the ticks use; contacts nothing and',
    'writes nothing. Run `sweepwatch tick` to observe the cluster first.',
    '',
    ...SWEEP_HELP,
    '  --conditions          list every condition with its latest job',
    '',
    EXIT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, OPTIONS);
    noPositionals(positionals);
    const sweep = await openSweep(values, io);
    const loaded = await sweep.store.load();
    if (loaded === null) throw manifestMissing(sweep.config.experiment);
    const m = loaded.manifest;
    const now = m.observedAt ?? systemClock.now().toISOString();
    const snapshot = manifestToSnapshot(m, { now, defaults: sweep.config.template.resources });
    const outcome = evaluateSweep(snapshot, sweep.config.policy);
    const rows = snapshot.conditions.map((c) => {
      const record = m.conditions.find((x) => x.id === c.id);
      const last = latestAttempt(c);
      const raw = record?.attempts.at(-1);
      return {
        id: c.id,
        attempts: c.attempts.length,
        cycle: last?.cycle ?? null,
        job_id: raw?.jobId ?? null,
        state: raw?.state ?? raw?.phase ?? null,
        root_cause: last === undefined || raw?.state === null ? null : effectiveCause(last),
      };
    });
    if (values.json) {
      writeJson(io.stdout, statusJson, {
        command: 'status',
        state: sweep.paths.state,
        ...verdictJson(m.experiment, outcome),
        cycles: m.cycles.map((k) => ({
          cycle: k.cycle,
          at: k.at,
          digest: k.digest,
          reason: k.reason,
          requested_by: k.requestedBy,
          jobs: m.conditions.reduce((n, c) => n + c.attempts.filter((a) => a.cycle === k.cycle).length, 0),
        })),
        last_decision: (() => {
          const d = m.decisions.at(-1);
          return d === undefined
            ? null
            : { at: d.at, decision: d.decision, band: d.band, reason_code: d.reasonCode };
        })(),
        conditions: values.conditions === true ? rows : null,
      });
      return bandExit(outcome.health.band);
    }
    const block = statusLines(
      { experiment: m.experiment, outcome, maxCycles: sweep.config.policy.maxRelaunchCycles, at: now },
      { color: false, width: 200 },
    );
    io.stdout.write(`${block.join('\n')}\n`);
    io.stdout.write(`manifest ${shown(io, sweep.paths.state)}, last observed ${m.observedAt ?? 'never'}\n`);
    if (values.conditions === true) {
      const names = m.factors.map((f) => f.name);
      io.stdout.write(`\n${['condition', 'attempts', 'job', 'state', 'root cause'].join('\t')}\n`);
      for (const r of rows) {
        const c = m.conditions.find((x) => x.id === r.id);
        const label =
          c === undefined ? r.id : names.map((n) => `${n}=${levelText(c.values[n] ?? '')}`).join(',');
        io.stdout.write(
          `${[label, r.attempts, r.job_id ?? '—', r.state ?? '—', r.root_cause ?? '—'].join('\t')}\n`,
        );
      }
    }
    return bandExit(outcome.health.band);
  },
};
