// Rewrites docs/reliability.md from the last recorded fault and fuzz runs (see
// test/helpers/reliability/). The generator is TypeScript, shared with the fault suite's own
// afterAll; tsx loads it here so that there is one generator, not two.
import { tsImport } from 'tsx/esm/api';

const { writeReliabilityReport, REPORT_PATH } = await tsImport(
  '../test/helpers/reliability/report.ts',
  import.meta.url,
);
writeReliabilityReport();
console.log(`wrote ${REPORT_PATH}`);
