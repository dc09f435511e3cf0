/**
 * The model's weights as named tf.Variables. The model is written as plain functions over
 * these (no tf.layers), so the same code serves training, whole-sequence and streaming
 * inference, and a checkpoint is simply the name → Float32 array map.
 */
import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from '../util/seeded-random.js';

export interface ParameterSpec {
  name: string;
  shape: number[];
}

export type Initialiser = (index: number, random: SeededRandom) => number;

/** tf.Variable names are global to the tf engine; a counter keeps several models apart. */
let variableCounter = 0;

export class ParameterStore {
  private readonly variables = new Map<string, tf.Variable>();

  constructor(private readonly random: SeededRandom) {}

  /** Creates a trainable variable; values come from the seeded generator, so init is reproducible. */
  create(name: string, shape: number[], init: Initialiser): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = init(i, this.random);
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, true, `${name}#${variableCounter++}`);
    // The variable holds its own reference to the data; the initial tensor would otherwise leak.
    initial.dispose();
    this.variables.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  names(): string[] {
    return [...this.variables.keys()];
  }

  specs(): ParameterSpec[] {
    return this.names().map((name) => ({ name, shape: this.get(name).shape }));
  }

  list(): tf.Variable[] {
    return [...this.variables.values()];
  }

  count(): number {
    return this.list().reduce((n, v) => n + v.size, 0);
  }

  /** Replaces every value (checkpoint load); shapes must already match (checked by the caller). */
  assign(values: ReadonlyMap<string, Float32Array>): void {
    for (const [name, variable] of this.variables) {
      const data = values.get(name);
      if (!data) throw new Error(`no values for parameter ${name}`);
      tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
    }
  }

  /** Every value as Float32 arrays, in definition order (checkpoint save). */
  async read(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, variable] of this.variables) out.set(name, (await variable.data()) as Float32Array);
    return out;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

/** Glorot-uniform for a [fanIn, fanOut] matrix. */
export function glorot(fanIn: number, fanOut: number): Initialiser {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return (_i, r) => r.uniform(-limit, limit);
}

export function constant(value: number): Initialiser {
  return () => value;
}

export function fromValues(values: readonly number[]): Initialiser {
  return (i) => values[i]!;
}
