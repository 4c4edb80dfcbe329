import { formatInputValue } from '../../engine/format/numbers';
import type { InputUsage } from '../../engine/fixtures/inputUsage';

/**
 * One line per input for text reports, e.g.
 * `x  float32[8,3] (declared [batch, 3])  values [-1, 0.998]  synthetic uniform [-1, 1)`.
 */
export function inputUsageLine(u: InputUsage): string {
  const parts = [
    u.name,
    `${u.dtype}[${u.shape.join(',')}]${u.shapeVaries ? ' (first fixture; shapes vary)' : ''} (declared ${u.declared})`,
  ];
  if (u.min !== undefined && u.max !== undefined)
    parts.push(`values [${formatInputValue(u.min)}, ${formatInputValue(u.max)}]`);
  if (u.generated) {
    parts.push(
      'value' in u.generated
        ? `synthetic fill ${formatInputValue(u.generated.value)}`
        : `synthetic uniform [${formatInputValue(u.generated.range[0])}, ${formatInputValue(u.generated.range[1])})`,
    );
  }
  if (u.carriedFrom) parts.push(`steps 1+: each model's own ${u.carriedFrom}`);
  if (u.fixtureDtype) parts.push(`fixtures cast from ${u.fixtureDtype}`);
  const casts = Object.entries(u.castTo ?? {}).map(([side, t]) => `cast to ${t} for the ${side}`);
  parts.push(...casts);
  return parts.join('  ');
}
