/**
 * Whether GitHub markdown is safe to post when it quotes hostile text: outside code (fenced
 * blocks and inline spans, where GitHub renders everything literally and pings nobody) there
 * must be no HTML from the hostile text (tags, an unclosed comment) and no live @-mention; every fence must close where sweepwatch meant it
 * to (what follows a stray fence in the log stays code); table rows keep their cells.
 * A small CommonMark subset, enough for what the renderers produce.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** The text of one line outside inline code spans (a run of n backticks closes on n). */
function outsideCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\') {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== '`') {
      out += line[i];
      i += 1;
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n += 1;
    const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
    close.lastIndex = i + n;
    const end = close.exec(line);
    if (end === null) {
      out += line.slice(i, i + n);
      i += n;
    } else i = end.index + n;
  }
  return out;
}

/**
 * Problems found; empty when the markdown is safe. A fence closed early by hostile text shows as
 * the HTML and mentions that follow it landing outside code.
 */
export function markdownProblems(
  md: string,
  hostileHandles: readonly string[] = ['octocat', 'org'],
): string[] {
  // Only the hostile text's handles: a reply addresses its commenter with a deliberate mention.
  const mention = new RegExp(`(^|[^\\w\`\\\\])@(${hostileHandles.join('|')})\\b`);
  const problems: string[] = [];
  let fence: { char: string; length: number } | null = null;
  let tableCells: number | null = null;
  md.split('\n').forEach((line, i) => {
    const at = `line ${i + 1}`;
    const f = FENCE.exec(line);
    if (fence !== null) {
      const closing =
        f !== null && f[1]?.[0] === fence.char && (f[1]?.length ?? 0) >= fence.length && f[2]?.trim() === '';
      if (closing) fence = null;
      return;
    }
    if (f !== null && !(f[1]?.startsWith('`') && f[2]?.includes('`'))) {
      fence = { char: f[1]?.[0] ?? '`', length: f[1]?.length ?? 3 };
      return;
    }
    const text = outsideCodeSpans(line);
    // sweepwatch's own markup (<sub>, <details>, its hidden marker) is trusted; these are not.
    if (/(?<!\\)<(img|script|iframe|svg|\/details|!--(?! sweepwatch:))/i.test(text))
      problems.push(`${at}: raw HTML: ${line.slice(0, 120)}`);
    if (mention.test(text)) problems.push(`${at}: a live @-mention: ${line.slice(0, 120)}`);
    // A table row with more cells than its header: a quoted `|` split it.
    if (text.trimStart().startsWith('|')) {
      const cells = text.replace(/\\\|/g, '').split('|').length;
      if (tableCells === null) tableCells = cells;
      else if (cells !== tableCells)
        problems.push(`${at}: ${cells - 1} cells in a ${tableCells - 1}-cell table`);
    } else tableCells = null;
  });
  if (fence !== null) problems.push('a code fence is never closed: the rest of the page is swallowed');
  return problems;
}

/** A job log as hostile as a job can print: fences, mentions, HTML, links, table pipes. */
export const HOSTILE_LOG = [
  'Traceback (most recent call last):',
  '  File "/home/alice/train.py", line 42, in main',
  '```',
  '</details><img src=x onerror=alert(2)> @octocat | x |',
  '~~~~',
  '<script>alert(3)</script> @org/team',
  'KeyError: "```` @octocat <img src=x onerror=alert(1)> [x](javascript:alert(1)) | a | b | ~~~ <!--"',
].join('\n');
