import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { relPath } from '../../server/src/engine/analysis/paths';

// relPath answers the common case (a normalised file under a normalised root) without path.relative;
// whatever the paths, its answer must be path.relative's with forward slashes.

const segment = fc.constantFrom('a', 'src', 'b.ts', '.', '..', '', '.git', '..x', 'x..', '.d');
const absolute = fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/'));

describe('relPath', () => {
  it('is path.relative with forward slashes, for any pair of POSIX paths', () => {
    fc.assert(
      fc.property(absolute, fc.array(segment, { maxLength: 4 }), fc.boolean(), (root, rest, under) => {
        const file = under ? `${root}/${rest.join('/')}` : '/' + rest.join('/');
        assert.equal(relPath(root, file), path.relative(root, file).split(path.sep).join('/'), `${root} → ${file}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the shortcut for a plain file under a plain root', () => {
    assert.equal(relPath('/w/p', '/w/p/src/a.ts'), 'src/a.ts');
    assert.equal(relPath('/w/p', '/w/p/.github/x.ts'), '.github/x.ts');
    assert.equal(relPath('/w/p', '/w/p2/a.ts'), '../p2/a.ts');
    assert.equal(relPath('/w/p/', '/w/p/a.ts'), 'a.ts');
    assert.equal(relPath('/w/p', '/w/p/x/../a.ts'), 'a.ts');
  });
});
