import { defineConfig } from 'vitest/config';

// Three projects: unit (pure, fast), int (real Slurm + sshd lab, brought up once in a
// globalSetup), e2e (the bundled dist/ against the lab and a fake GitHub).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
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
          globalSetup: ['test/helpers/lab-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/helpers/lab-global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
