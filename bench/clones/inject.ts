import { ts } from 'ts-morph';
import { tokenize, type CloneType } from '../../server/src/engine/analysis/clones';
import { scanTokens, variantFor } from '../../server/src/engine/analysis/clones/lexer';
import { mulberry32 as rng } from '../../server/src/engine/random';
import type { CorpusFile, Injection } from './types';

interface Candidate {
  file: number;
  text: string;
  startLine: number; // 1-based
  endLine: number;
  isMember: boolean;
}

const extOf = (rel: string): string => rel.slice(rel.lastIndexOf('.'));

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

/** Functions and methods of 6–50 lines and 70–500 tokens: realistic units that get copy-pasted. */
function candidates(files: CorpusFile[]): Candidate[] {
  const out: Candidate[] = [];
  files.forEach((f, file) => {
    const sf = ts.createSourceFile(f.rel, f.text, ts.ScriptTarget.Latest, false);
    const visit = (node: ts.Node): void => {
      const isFn = ts.isFunctionDeclaration(node) && node.body !== undefined;
      const isMember = (ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && node.body !== undefined;
      if (isFn || isMember) {
        const start = node.getStart(sf);
        const text = f.text.slice(start, node.end);
        const lines = text.split('\n').length;
        const tokens = lines >= 6 && lines <= 50 ? tokenize(`x${f.rel}`, text).count : 0;
        if (tokens >= 70 && tokens <= 500) {
          out.push({ file, text, startLine: lineAt(f.text, start), endLine: lineAt(f.text, node.end), isMember });
          return; // no nested candidates: keeps injected sources disjoint
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  });
  return out;
}

/** Consistently renames about half the identifiers and changes every literal. */
function renameAndRelabel(text: string, rel: string, random: () => number, n: number): string | undefined {
  const edits: { start: number; end: number; text: string }[] = [];
  const renames = new Map<string, string>();
  scanTokens(text, variantFor(rel), false, (kind, start, end) => {
    const tok = text.slice(start, end);
    if (kind === ts.SyntaxKind.Identifier) {
      if (!renames.has(tok)) renames.set(tok, random() < 0.5 ? `${tok}R${n}` : tok);
      const to = renames.get(tok) as string;
      if (to !== tok) edits.push({ start, end, text: to });
    } else if (kind === ts.SyntaxKind.NumericLiteral) {
      edits.push({ start, end, text: String(n + 7) });
    } else if (kind === ts.SyntaxKind.StringLiteral) {
      edits.push({ start, end, text: `"s${n}"` });
    }
  });
  if (edits.length < 3) return undefined;
  let out = text;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Inserts or deletes one short statement line in the middle half of the fragment. */
function gapEdit(text: string, random: () => number, n: number): string | undefined {
  const lines = text.split('\n');
  const lo = Math.floor(lines.length / 4);
  const hi = Math.ceil((lines.length * 3) / 4);
  const options: number[] = [];
  for (let i = Math.max(1, lo); i < Math.min(lines.length - 1, hi); i++) {
    const t = lines[i].trim();
    if (t.endsWith(';') && !/[{}]/.test(t) && t.length <= 60 && !t.startsWith('//')) options.push(i);
  }
  if (options.length === 0) return undefined;
  const at = options[Math.floor(random() * options.length)];
  const indent = /^\s*/.exec(lines[at])?.[0] ?? '';
  if (random() < 0.5) lines.splice(at + 1, 0, `${indent}const mlParityExtra${n} = Math.max(${n}, ${n + 1});`);
  else lines.splice(at, 1);
  return lines.join('\n');
}

/**
 * Appends `perType` copies of each clone type to the files (in place) and returns where they are.
 * Copies go to the end of another file, so the lines of the original code never move.
 */
export function injectClones(files: CorpusFile[], perType: number, seed: number): Injection[] {
  const random = rng(seed);
  const pool = candidates(files);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const injections: Injection[] = [];
  const plan: CloneType[] = [];
  for (let i = 0; i < perType; i++) plan.push(1, 2, 3);
  let n = 0;
  for (const c of pool) {
    if (n >= plan.length) break;
    const type = plan[n];
    const src = files[c.file];
    let copy: string | undefined = c.text;
    if (type === 2) copy = renameAndRelabel(c.text, src.rel, random, n);
    if (type === 3) {
      const renamed = random() < 0.5 ? renameAndRelabel(c.text, src.rel, random, n) : c.text;
      copy = renamed && gapEdit(renamed, random, n);
    }
    if (!copy) continue;
    // Same language as the source: jscpd only compares files of one format with each other.
    const sameLang = files.filter((f, i) => i !== c.file && extOf(f.rel) === extOf(src.rel));
    const dest = sameLang[Math.floor(random() * sameLang.length)];
    const block = c.isMember ? `\nexport class MlParityInjected${n} {\n${copy}\n}\n` : `\n${copy}\n`;
    const base = dest.text.endsWith('\n') ? dest.text : `${dest.text}\n`;
    const firstLine = base.split('\n').length + 1 + (c.isMember ? 1 : 0);
    dest.text = base + block;
    injections.push({
      type,
      source: { file: src.rel, start: c.startLine, end: c.endLine },
      copy: { file: dest.rel, start: firstLine, end: firstLine + copy.split('\n').length - 1 },
    });
    n++;
  }
  return injections;
}
