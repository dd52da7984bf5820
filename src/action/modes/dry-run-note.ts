import type { Session } from '../session.js';

/** In dry-run mode, the summary ends with what would have been done. */
export function dryRunNote(session: Session): string {
  if (session.dryRun === null) return '';
  const actions = session.dryRun.actions;
  if (actions.length === 0) return '\n\n> Dry run: nothing would have been changed.\n';
  const lines = actions.map((a) => `- \`${a.kind}\``);
  return `\n\n> Dry run: nothing was changed. It would have done ${actions.length} thing(s):\n\n${lines.join('\n')}\n`;
}
