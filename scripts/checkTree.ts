// Lint step: the tracked tree must stand on its own in a fresh clone. A symlink committed by accident
// (a worktree's link to a shared .e2e/, say) breaks CI's clone before any test runs, so refuse them all.
import { execFileSync } from 'node:child_process';

const staged = execFileSync('git', ['ls-files', '--stage', '-z'], { encoding: 'utf8' });
const links = staged
  .split('\0')
  .filter((entry) => entry.startsWith('120000 '))
  .map((entry) => entry.slice(entry.indexOf('\t') + 1));
if (links.length > 0) {
  console.error(`checkTree: tracked symlinks are not allowed (git rm --cached them): ${links.join(', ')}`);
  process.exit(1);
}
