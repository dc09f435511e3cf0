/**
 * Chooses the TensorFlow.js backend the model runs on, in the product's order of preference:
 * CUDA (`@tensorflow/tfjs-node-gpu`), native CPU (`@tensorflow/tfjs-node`), WebAssembly
 * (`@tensorflow/tfjs-backend-wasm`), then the pure-JS cpu backend. The two native packages are
 * optional dependencies whose install downloads libtensorflow from a host that is often
 * unreachable, so their absence is an expected, reported outcome, never a failure.
 *
 * The same model code runs on every backend; only speed differs. One backend per process (or
 * worker thread): TensorFlow.js keeps its engine global.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export type BackendCandidate = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendCandidate[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: BackendCandidate;
  ok: boolean;
  /** Why it was (not) chosen, in words for `genomaic doctor`. */
  reason: string;
}

export interface BackendSelection {
  /** The tf backend name now active (`tensorflow`, `wasm` or `cpu`). */
  backend: string;
  /** Which candidate supplied it. */
  candidate: BackendCandidate;
  tried: BackendAttempt[];
}

export interface BackendOptions {
  /**
   * Skip candidates before this one (tests and benchmarks pin a backend; users can set
   * GENOMAIC_TF_BACKEND). The skipped ones are listed as not tried.
   */
  prefer?: BackendCandidate;
}

/** The part of the tfjs-node module we rely on: importing it registers the `tensorflow` backend. */
interface TfjsNodeModule {
  version?: { 'tfjs-node'?: string };
}

const PACKAGE_OF: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

/** The folder holding the tfjs-backend-wasm .wasm binaries, from the installed package. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  // The package's main entry lives in dist/, beside the .wasm files.
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const firstLine = message.split('\n')[0] ?? message;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed (optional dependency: its install downloads libtensorflow, which failed or was skipped)';
  return firstLine.length > 200 ? `${firstLine.slice(0, 200)}…` : firstLine;
}

async function tryNative(candidate: 'tfjs-node-gpu' | 'tfjs-node'): Promise<BackendAttempt> {
  // A variable specifier keeps TypeScript from resolving a module that is usually absent.
  const specifier: string = PACKAGE_OF[candidate];
  try {
    const loaded = (await import(specifier)) as TfjsNodeModule;
    if (!(await tf.setBackend('tensorflow'))) return { name: candidate, ok: false, reason: 'imported, but the tensorflow backend failed to initialise' };
    await tf.ready();
    const version = loaded.version?.['tfjs-node'];
    return { name: candidate, ok: true, reason: `loaded ${specifier}${version ? ` ${version}` : ''}` };
  } catch (err) {
    return { name: candidate, ok: false, reason: describeError(err) };
  }
}

let wasmPathsSet = false;

async function tryWasm(): Promise<BackendAttempt> {
  try {
    const folder = wasmBinaryFolder();
    const binary = join(folder, 'tfjs-backend-wasm.wasm');
    if (!existsSync(binary)) return { name: 'wasm', ok: false, reason: `${binary} is missing` };
    if (!wasmPathsSet) {
      // A plain file path (with trailing separator) and no platform fetch: in Node the
      // Emscripten loader then reads the file with fs, which needs no URL scheme.
      setWasmPaths(`${folder}/`);
      // Node has no cross-origin-isolated SharedArrayBuffer workers for XNNPACK threads; one
      // thread per backend instance, parallelism comes from worker threads instead.
      setThreadsCount(1);
      wasmPathsSet = true;
    }
    if (!(await tf.setBackend('wasm'))) return { name: 'wasm', ok: false, reason: 'the wasm backend failed to initialise' };
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return { name: 'wasm', ok: true, reason: `WebAssembly${simd ? ' with SIMD' : ' without SIMD'}, one thread, binaries in ${folder}` };
  } catch (err) {
    return { name: 'wasm', ok: false, reason: describeError(err) };
  }
}

async function tryCpu(): Promise<BackendAttempt> {
  try {
    if (!(await tf.setBackend('cpu'))) return { name: 'cpu', ok: false, reason: 'the cpu backend failed to initialise' };
    await tf.ready();
    return { name: 'cpu', ok: true, reason: 'pure JavaScript backend (always available, slowest)' };
  } catch (err) {
    return { name: 'cpu', ok: false, reason: describeError(err) };
  }
}

function preferenceFromEnvironment(env: NodeJS.ProcessEnv): BackendCandidate | undefined {
  const value = env.GENOMAIC_TF_BACKEND;
  return value && (BACKEND_ORDER as readonly string[]).includes(value) ? (value as BackendCandidate) : undefined;
}

let current: Promise<BackendSelection> | undefined;
let currentPreference: BackendCandidate | undefined;

/**
 * Activates the best available backend (memoised per process and preference). Never throws:
 * the cpu backend is bundled with @tensorflow/tfjs and is the last resort.
 */
export function selectBackend(options: BackendOptions = {}): Promise<BackendSelection> {
  const prefer = options.prefer ?? preferenceFromEnvironment(process.env);
  if (current && prefer === currentPreference) return current;
  currentPreference = prefer;
  current = (async () => {
    const tried: BackendAttempt[] = [];
    const start = prefer ? BACKEND_ORDER.indexOf(prefer) : 0;
    for (const [index, candidate] of BACKEND_ORDER.entries()) {
      if (index < start) {
        tried.push({ name: candidate, ok: false, reason: `not tried (backend pinned to ${prefer})` });
        continue;
      }
      const attempt = candidate === 'wasm' ? await tryWasm() : candidate === 'cpu' ? await tryCpu() : await tryNative(candidate);
      tried.push(attempt);
      if (attempt.ok) return { backend: tf.getBackend(), candidate, tried };
    }
    // Unreachable in practice (cpu ships with tfjs); reported rather than thrown.
    return { backend: tf.getBackend(), candidate: 'cpu', tried };
  })();
  return current;
}

/** The selection as lines for people (`genomaic doctor`, training logs). */
export function describeSelection(selection: BackendSelection): string[] {
  return [
    `backend in use: ${selection.backend} (from ${selection.candidate})`,
    ...selection.tried.map((t) => `  ${t.ok ? 'ok  ' : 'no  '} ${t.name}: ${t.reason}`),
  ];
}
