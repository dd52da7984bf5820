import type { ActionOutputs } from '../io.js';

/** What one mode hands back to main(): outputs, the job summary, annotations, and a failure. */
export interface RunResult {
  readonly outputs: ActionOutputs;
  readonly summary: string;
  readonly annotations?: readonly { readonly level: 'warning' | 'error'; readonly message: string }[];
  /** Set when the step must fail; the outputs are written all the same. */
  readonly failure?: string;
}
