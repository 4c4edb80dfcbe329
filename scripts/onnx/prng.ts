/** The engine's seeded generator, shared so weights, fixtures and corpora use one algorithm. */
export { mulberry32, uniform, type Rng } from '../../server/src/engine/random';
