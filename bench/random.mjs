// A seeded PRNG (mulberry32), so generated corpora are the same on every run and machine.
export function seededRandom(seed) {
  let state = seed;
  const random = () => {
    state |= 0;
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { random, pick: (xs) => xs[Math.floor(random() * xs.length)] };
}
