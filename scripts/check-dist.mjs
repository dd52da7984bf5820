// Fails when dist/ is not exactly what the source builds: run after `npm run package`.
import { execFileSync } from 'node:child_process';

const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist/'], {
  encoding: 'utf8',
});
if (status.trim() !== '') {
  console.error('dist/ differs from what the source builds. Run `npm run package` and commit dist/:');
  console.error(status);
  execFileSync('git', ['--no-pager', 'diff', '--stat', '--', 'dist/'], { stdio: 'inherit' });
  process.exit(1);
}
console.log('dist/ is what the source builds.');
