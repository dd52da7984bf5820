import { defineConfig } from 'vitest/config';

// Four projects: unit (pure, fast), int (the real Slurm + sshd lab, brought up once in a
// globalSetup), e2e (the bundled dist/ against the lab), fault (faults that disturb the lab).
export default defineConfig({
  test: {
    // Projects run in groups: unit and the lab tests together, then the cluster faults alone,
    // because a node going DOWN or slurmdbd stopping would break any lab test running beside it.
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 1 },
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          // GitHub's workflow parser imports its JSON schemas without import attributes, which
          // Node 20's ESM loader refuses; letting Vite transform it resolves them.
          server: { deps: { inline: ['@actions/workflow-parser'] } },
        },
      },
      {
        test: {
          name: 'int',
          include: ['test/int/**/*.int.test.ts'],
          sequence: { groupOrder: 1 },
          globalSetup: ['test/helpers/lab-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          sequence: { groupOrder: 1 },
          globalSetup: ['test/helpers/lab-global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'fault',
          include: ['test/fault/**/*.fault.test.ts'],
          globalSetup: ['test/helpers/lab-global-setup.ts'],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
