// polyenc for Node: `import { Encoder } from 'polyenc'` (or require('polyenc')). The native addon runs when
// it loads, else the WebAssembly build; POLYENC_BACKEND=native|wasm (or init({ backend })) forces one.
// No init() is needed: the backend loads at the first use.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { polyencError } from './errors.mjs';
import { platform } from './platform.mjs';
import { initOptions } from './api.mjs';
import { loadNative } from './native-backend.mjs';
import { loadWasm, loadWasmSync } from './wasm-load-node.mjs';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const wasmDir = path.join(packageRoot, 'wasm');
let current = null;
let nativeError = null; // why the native backend did not load, when it did not

function wanted(choice) {
  const v = choice || process.env.POLYENC_BACKEND || 'auto';
  if (!['auto', 'native', 'wasm'].includes(v))
    throw polyencError('POLYENC_ERR_ARGUMENT', `POLYENC_BACKEND must be 'native', 'wasm' or 'auto', got '${v}'`);
  return v;
}

function tryNative(want, what) {
  try {
    return loadNative(packageRoot);
  } catch (e) {
    nativeError = e.message;
    if (want === 'native') throw polyencError('POLYENC_ERR_UNSUPPORTED', `${what}: the native backend was asked for, but ${e.message}`, { cause: e });
    return null;
  }
}

function wasmError(what, e) {
  return polyencError('POLYENC_ERR_UNSUPPORTED', `${what}: the WebAssembly backend does not load: ${e.message}` +
    (nativeError ? `; and the native one: ${nativeError}` : ''), { cause: e });
}

function choose(what, options = {}) {
  const want = wanted(options.backend);
  if (want !== 'wasm' && options.variant !== 'mt') {
    const native = tryNative(want, what);
    if (native) return native;
  }
  try {
    return loadWasmSync(wasmDir, options);
  } catch (e) {
    throw wasmError(what, e);
  }
}

platform.backend = (what) => {
  if (!current || current.dead) current = choose(what);
  return current;
};
platform.resultType = 'buffer';
platform.filePath = (p) => (p instanceof URL ? fileURLToPath(p) : p);
platform.notes = () => (nativeError && current.name !== 'native' ? { nativeError } : {});

/**
 * Loads a backend now (optional in Node: the first use loads one). options.backend: 'auto' | 'native' |
 * 'wasm'; options.variant 'mt': the threaded wasm build; maximumMemory, maxThreads: the wasm module's.
 * Resolves to backendInfo().
 */
export async function init(options) {
  const o = initOptions(options);
  if (!current || current.dead || Object.keys(o).length) {
    if (o.variant === 'mt') {
      if (wanted(o.backend) === 'native') throw polyencError('POLYENC_ERR_ARGUMENT', "init: variant 'mt' is a wasm build; the native backend has threads of its own");
      try {
        current = await loadWasm(wasmDir, o);
      } catch (e) {
        throw wasmError('init', e);
      }
    } else {
      current = choose('init', o);
    }
  }
  return { ...current.info(), ...platform.notes() };
}

export { Encoder, VideoStream, AudioStream, createEncoder } from './encoder.mjs';
export { version, hasEncoder, cudaDeviceCount, backendInfo } from './api.mjs';
import { Encoder, VideoStream, AudioStream, createEncoder } from './encoder.mjs';
import { version, hasEncoder, cudaDeviceCount, backendInfo } from './api.mjs';
export default { init, Encoder, VideoStream, AudioStream, createEncoder, version, hasEncoder, cudaDeviceCount, backendInfo };
