import { attr, ModelBuilder } from './graph';
import { mulberry32, uniform } from './prng';

export interface ConvNetOptions {
  /** Residual blocks of 9 nodes; default 33 (about 300 nodes, 5.5 MB of weights at 48 channels). */
  blocks?: number;
  channels?: number;
  /** Adds `amount` to one weight of this block's second Conv (`conv_b{block}_2`), the node that diverges. */
  perturb?: { block: number; amount: number };
}

/**
 * A ResNet-style conv net `image` [batch, 3, H, W] → `score` [batch, 1, H, W] for the locate benchmark:
 * a stem Conv, then blocks Conv-BN-Relu-Conv-BN-Mul-Add(residual)-Relu-Add(shift), then a 1×1 Conv and a
 * Sigmoid. Its intermediates are full-resolution activations, as in a detection network.
 */
export function convNet(o: ConvNetOptions = {}): Uint8Array {
  const blocks = o.blocks ?? 33;
  const c = o.channels ?? 48;
  const rng = mulberry32(17);
  const m = new ModelBuilder('conv_net');
  m.input('image', 'float32', ['batch', 3, 'height', 'width']);
  const pads = { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) };
  const conv = (name: string, x: string, cin: number, cout: number, perturb?: number): string => {
    const limit = Math.sqrt(2 / (cin * 9));
    const w = uniform(rng, cout * cin * 9, -limit, limit);
    if (perturb) w[0] += perturb;
    m.initializer(`${name}_w`, [cout, cin, 3, 3], w);
    m.initializer(`${name}_b`, [cout], uniform(rng, cout, -0.05, 0.05));
    m.node('Conv', [x, `${name}_w`, `${name}_b`], [`${name}_out`], pads, { name });
    return `${name}_out`;
  };
  const bn = (name: string, x: string): string => {
    m.initializer(`${name}_scale`, [c], uniform(rng, c, 0.8, 1.2));
    m.initializer(`${name}_bias`, [c], uniform(rng, c, -0.1, 0.1));
    m.initializer(`${name}_mean`, [c], uniform(rng, c, -0.1, 0.1));
    m.initializer(`${name}_var`, [c], uniform(rng, c, 0.8, 1.2));
    m.node(
      'BatchNormalization',
      [x, `${name}_scale`, `${name}_bias`, `${name}_mean`, `${name}_var`],
      [`${name}_out`],
      {},
      { name },
    );
    return `${name}_out`;
  };
  let h = conv('stem', 'image', 3, c);
  for (let b = 0; b < blocks; b++) {
    const p = o.perturb?.block === b ? o.perturb.amount : undefined;
    const a = bn(`bn_b${b}_1`, conv(`conv_b${b}_1`, h, c, c));
    m.node('Relu', [a], [`relu_b${b}_1`], {}, { name: `relu_b${b}_1` });
    const d = bn(`bn_b${b}_2`, conv(`conv_b${b}_2`, `relu_b${b}_1`, c, c, p));
    m.initializer(`gate_b${b}`, [1, c, 1, 1], uniform(rng, c, 0.2, 0.5));
    m.node('Mul', [d, `gate_b${b}`], [`gated_b${b}`], {}, { name: `gate_b${b}` });
    m.node('Add', [h, `gated_b${b}`], [`sum_b${b}`], {}, { name: `res_b${b}` });
    m.node('Relu', [`sum_b${b}`], [`relu_b${b}_2`], {}, { name: `relu_b${b}_2` });
    m.initializer(`shift_b${b}`, [1, c, 1, 1], uniform(rng, c, -0.02, 0.02));
    m.node('Add', [`relu_b${b}_2`, `shift_b${b}`], [`h_b${b}`], {}, { name: `shift_b${b}` });
    h = `h_b${b}`;
  }
  m.initializer('head_w', [1, c, 1, 1], uniform(rng, c, -0.2, 0.2));
  m.initializer('head_b', [1], new Float32Array([0]));
  m.node('Conv', [h, 'head_w', 'head_b'], ['head_out'], { kernel_shape: attr.ints([1, 1]) }, { name: 'head' });
  m.node('Sigmoid', ['head_out'], ['score'], {}, { name: 'score' });
  m.output('score', 'float32', ['batch', 1, 'height', 'width']);
  return m.toBytes();
}
