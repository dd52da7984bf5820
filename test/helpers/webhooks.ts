import { createRequire } from 'node:module';

/** Real webhook payloads from @octokit/webhooks-examples, looked up by event and action. */
interface WebhookExamples {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as readonly WebhookExamples[];

export function webhookExamples(event: string, action?: string): readonly Record<string, unknown>[] {
  const found = examples.find((e) => e.name === event)?.examples ?? [];
  const matching = action === undefined ? found : found.filter((e) => e.action === action);
  if (matching.length === 0)
    throw new Error(`no @octokit/webhooks-examples payload for ${event}/${action ?? '*'}`);
  return matching;
}
