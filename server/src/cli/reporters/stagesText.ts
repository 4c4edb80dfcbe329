import type { AnalysisScope, SetAsideStage, Stage, StageKind } from '../../engine/analysis/types';
import { relPath } from '../../engine/analysis/paths';

const KIND_WORDS: Record<StageKind, string> = {
  estimator: 'estimator class',
  folder: 'pipeline-folder export',
  registered: 'registered',
  constructed: 'pipeline constructor argument',
  tagged: '@stage',
};

/**
 * The stage summary under the text report: a count by rule (`list` false), or every stage with where it is
 * and how it was found (`check --stages`), then the estimator classes set aside and why.
 */
export function formatStagesText(
  root: string,
  stages: readonly Stage[],
  list: boolean,
  setAside: readonly SetAsideStage[] = [],
): string {
  const at = (s: Stage): string =>
    `${relPath(root, s.location.file)}:${s.location.range.start.line + 1}:${s.location.range.start.character + 1}`;
  const n = setAside.length;
  const aside = n > 0 ? ` ${n} more class${n === 1 ? '' : 'es'} set aside (see the note)` : '';
  const asideLines = list ? setAside.map((s) => `    not counted: ${at(s)} ${s.name} (${s.how}): ${s.why}`) : [];
  if (stages.length === 0)
    return (
      [
        `Stages: none found (see docs/rules/untested-stage.md for what makes a stage).${aside ? `${aside.replace(' more', '')}.` : ''}`,
        ...asideLines,
      ].join('\n') + '\n'
    );
  const counts = new Map<StageKind, number>();
  for (const s of stages) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${c} ${KIND_WORDS[k]}`);
  const head = `Stages: ${stages.length} (${parts.join(', ')})${aside ? `;${aside}` : ''}${list ? ':' : '; --stages lists them.'}`;
  if (!list) return head + '\n';
  const lines = stages.map((s) => `    ${at(s)} ${s.name} (${s.how})`);
  return [head, ...lines, ...asideLines].join('\n') + '\n';
}

/** What was analysed, so that "No findings" over a handful of files cannot pass for the project's. */
export function formatScopeText(scope: AnalysisScope): string {
  const n = (k: number, word: string): string => `${k} ${word} file${k === 1 ? '' : 's'}`;
  const left = scope.notAnalysed
    ? ` ${n(scope.notAnalysed, 'source')} of the project not analysed (see the note).`
    : '';
  const aux = scope.auxiliaryFiles
    ? `, besides ${scope.auxiliaryFiles} file${scope.auxiliaryFiles === 1 ? '' : 's'} of benchmarks, scripts or examples, not library code (see the note)`
    : '';
  return `Analysed ${n(scope.sourceFiles, 'source')} and ${n(scope.testFiles, 'test')}${scope.from ? ` (from ${scope.from})` : ''}${aux}.${left}\n`;
}
