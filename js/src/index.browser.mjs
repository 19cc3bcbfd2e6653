// polyenc for the browser (and Web Workers): the C library compiled to WebAssembly, with WebCodecs for
// video where the browser can. `await init()` loads the module first (the threaded build when the page is
// crossOriginIsolated); then the API is the one of Node.
import { polyencError } from './errors.mjs';
import { platform } from './platform.mjs';
import { initOptions } from './api.mjs';
import { loadWasm } from './wasm-load-browser.mjs';
import { WorkerEncoder } from './worker-proxy.mjs';

const state = { backend: null, loading: null };

platform.backend = (what) => {
  if (!state.backend) throw polyencError('POLYENC_ERR_STATE', `${what}: call \`await init()\` first (it loads the WebAssembly module)`);
  return state.backend;
};
platform.resultType = 'blob';
platform.worker = (options) => new WorkerEncoder(options, platform.backend('new Encoder({ worker: true })'));

/**
 * Loads the WebAssembly module (once; later calls return the same promise until the module stops).
 * options: variant 'auto' | 'st' | 'mt', baseUrl (where the .wasm files are, if not next to this
 * package), maxThreads, maximumMemory. Resolves to backendInfo().
 */
export function init(options) {
  let o;
  try {
    o = initOptions(options);
    if (o.backend === 'native') throw polyencError('POLYENC_ERR_UNSUPPORTED', 'init: the browser has no native backend; use wasm');
  } catch (e) {
    return Promise.reject(e);
  }
  if (state.loading && !(state.backend && state.backend.dead)) return state.loading;
  state.backend = null;
  state.loading = loadWasm(o).then((b) => {
    state.backend = b;
    return b.info();
  }, (e) => {
    state.loading = null;
    throw e;
  });
  return state.loading;
}

export { Encoder, VideoStream, AudioStream, createEncoder } from './encoder.mjs';
export { version, hasEncoder, cudaDeviceCount, backendInfo } from './api.mjs';
import { Encoder, VideoStream, AudioStream, createEncoder } from './encoder.mjs';
import { version, hasEncoder, cudaDeviceCount, backendInfo } from './api.mjs';
export default { init, Encoder, VideoStream, AudioStream, createEncoder, version, hasEncoder, cudaDeviceCount, backendInfo };
