import type { Corpus } from './corpus';
import { seeded } from './rng';

/** One editor change: the file's full new text. */
export interface Edit {
  rel: string;
  text: string;
  what: 'body' | 'test-add-call' | 'test-remove-call';
}

/**
 * `count` edits of distinct files, applied cumulatively to `corpus.files`: mostly token-changing body
 * edits of stage and helper modules, every fifth one adds (or later removes) a stage call in a test.
 */
export function editSequence(corpus: Corpus, count: number, seed: number): Edit[] {
  const r = seeded(seed);
  const sources = [...corpus.kinds].filter(([, k]) => k === 'stage' || k === 'helper').map(([rel]) => rel);
  const tests = [...corpus.kinds].filter(([, k]) => k === 'test').map(([rel]) => rel);
  const used = new Set<string>();
  const fresh = (pool: string[]): string => {
    for (;;) {
      const rel = r.pick(pool);
      if (!used.has(rel)) {
        used.add(rel);
        return rel;
      }
    }
  };
  const added: { rel: string; line: string }[] = [];
  const out: Edit[] = [];
  for (let k = 0; k < count; k++) {
    if (k % 5 === 4 && added.length > 0 && k % 10 === 9) {
      // Take back a call added earlier (that test file is edited a second time; all others are distinct).
      const { rel, line } = added.shift() as { rel: string; line: string };
      const text = (corpus.files.get(rel) as string).replace(line + '\n', '');
      corpus.files.set(rel, text);
      out.push({ rel, text, what: 'test-remove-call' });
    } else if (k % 5 === 4) {
      const rel = fresh(tests);
      const before = corpus.files.get(rel) as string;
      const call = /s(\d+)\.(\w+)\(sample, ctx\)/.exec(before);
      const fn = call ? call[2].replace(/F\d$/, `F${(Number(call[2].slice(-1)) + 1) % 3}`) : '';
      const line = `  it('edit ${k}', () => assert.ok(s${call?.[1]}.${fn}(sample, ctx).length >= 0));`;
      const text = before.replace(/\n\}\);\n$/, `\n${line}\n});\n`);
      corpus.files.set(rel, text);
      added.push({ rel, line });
      out.push({ rel, text, what: 'test-add-call' });
    } else {
      const rel = fresh(sources);
      const lines = (corpus.files.get(rel) as string).split('\n');
      const returns = lines.flatMap((l, i) => (l === '  return rows;' ? [i] : []));
      const at = returns.length > 0 ? r.pick(returns) : lines.length - 1;
      // Typing a new statement into a function body: tokens and every later position change.
      lines.splice(at, 0, `  rows = rows.map((row) => row.map((x) => x + ${k} * ctx.epsilon));`);
      const text = lines.join('\n');
      corpus.files.set(rel, text);
      out.push({ rel, text, what: 'body' });
    }
  }
  return out;
}
