/** Shared by the model tests: one backend per test file (vitest forks), seeded random arrays. */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendSelection } from '../../../engine/model/backend.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';

/** The backend the product would pick here (wasm on these machines). */
export async function useProductBackend(): Promise<BackendSelection> {
  const selection = await selectBackend();
  return selection;
}

export function randomArray(random: SeededRandom, size: number, scale = 1, offset = 0): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = offset + scale * random.normal();
  return out;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
  return max;
}

export { tf };
