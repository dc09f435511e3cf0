/**
 * Seeded pseudo-random numbers for everything done at random (model weight init, synthetic data,
 * batch order, augmentation; generated benchmark and test inputs), so a run is a function of its
 * config and seed. The model avoids tf.random* ops for that reason: their streams differ across
 * backends.
 */

/** mulberry32: small, fast, full-period 32-bit generator; plenty for init and sampling. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box–Muller; the second value is dropped to keep the stream simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Binomial(n, p) by summing Bernoulli draws; n is a read depth here, so this is cheap. */
  binomial(n: number, p: number): number {
    let k = 0;
    for (let i = 0; i < n; i++) if (this.next() < p) k++;
    return k;
  }

  /** Poisson(mean) by Knuth's method for small means, normal approximation above 60. */
  poisson(mean: number): number {
    if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let product = this.next();
    while (product > limit) {
      k++;
      product *= this.next();
    }
    return k;
  }

  /** A child generator whose stream depends only on this one's seed and `salt`. */
  fork(salt: number): SeededRandom {
    return new SeededRandom((Math.imul(this.int(0x7fffffff) ^ salt, 0x9e3779b1) >>> 0) ^ salt);
  }
}

/** The generator as a plain `() => number` in [0, 1), for code that needs only uniform draws. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
