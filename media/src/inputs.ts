import { formatInputValue } from '../../server/src/engine/format/numbers';
import { table, td } from './dom';
import type { InputUsage } from './types';

/** The inputs as fed: dtype, concrete shape, declared shape, value range, how they were generated or cast. */
export function inputsTable(inputs: InputUsage[]): HTMLElement {
  return table(
    'inputs',
    ['Input', 'Fed as', 'Declared', 'Values', 'Generated', 'Cast'],
    inputs.map((u) => ({
      attrs: { class: u.defaultedDims?.length ? 'defaulted' : '' },
      cells: [
        u.name,
        `${u.dtype}[${u.shape.join(', ')}]${u.shapeVaries ? ' (varies)' : ''}`,
        u.declared,
        u.min === undefined || u.max === undefined
          ? td('–', { class: 'n', title: 'no numeric values (strings, or no fixture read)' })
          : td(`[${formatInputValue(u.min)}, ${formatInputValue(u.max)}]`, { class: 'n' }),
        (!u.generated
          ? 'from fixtures'
          : 'value' in u.generated
            ? `fill ${formatInputValue(u.generated.value)}`
            : `uniform [${formatInputValue(u.generated.range[0])}, ${formatInputValue(u.generated.range[1])})`) +
          (u.carriedFrom ? `; steps 1+: own ${u.carriedFrom}` : ''),
        [
          u.fixtureDtype ? `fixtures from ${u.fixtureDtype}` : '',
          ...Object.entries(u.castTo ?? {}).map(([side, t]) => `${side}: ${t}`),
        ]
          .filter(Boolean)
          .join(', ') || 'none',
      ],
    })),
  );
}
