/**
 * mulberry32: a small, fast seeded PRNG (floats in [0, 1)), so that what is drawn from a seed can be drawn again.
 * The mock varies colours and ids with it; the contract suite draws its generated requests with it (`--seed`); the
 * types' codegen test draws its spec mutations with it.
 */
export declare function mulberry32(seed: number): () => number;
