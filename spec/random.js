// @imagegen/spec/internal/random (types in random.d.ts): the repo's one seeded PRNG, kept here because every package
// that draws from a seed (the mock, the contract suite, the types' spec-mutation test) depends on the spec already.

/** mulberry32: floats in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
