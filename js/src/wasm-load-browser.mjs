// Loading the wasm backend in a browser or a Web Worker. The asset URLs are written as
// new URL(<the file>, import.meta.url) so that bundlers (Vite, webpack 5, ...) emit the files; a page
// served as is finds them next to this package. options.baseUrl points elsewhere (a CDN, a static folder).
import { polyencError } from './errors.mjs';
import { WasmBackend } from './wasm-backend.mjs';
import { moduleConfig, threadsOf } from './wasm-config.mjs';
// static imports (no code splitting): a bundler's worker build (Vite's default 'iife') takes them as they are
import stFactory from '../wasm/polyenc-st.glue.mjs';
import mtFactory from '../wasm/polyenc-mt.glue.mjs';

const ASSETS = {
  st: {
    factory: stFactory,
    wasm: () => new URL('../wasm/polyenc-st.wasm', import.meta.url),
  },
  mt: {
    factory: mtFactory,
    wasm: () => new URL('../wasm/polyenc-mt.wasm', import.meta.url),
    main: () => new URL('../wasm/polyenc-mt.js', import.meta.url),
    worker: () => new URL('../wasm/polyenc-mt.worker.js', import.meta.url),
  },
};

/** 'mt' when the page can share memory (crossOriginIsolated), else 'st'; options.variant forces one. */
export function chooseVariant(options) {
  if (options.variant === 'st' || options.variant === 'mt') return options.variant;
  if (options.threads === false) return 'st';
  if (options.threads === true) return 'mt';
  return globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined' ? 'mt' : 'st';
}

const MISPLACED = "the page does not find the package's .wasm files there: with `vite dev`, set optimizeDeps: " +
  "{ exclude: ['polyenc'] } in vite.config; with a bundler that does not emit them, or a CDN, copy " +
  'node_modules/polyenc/wasm/ and pass init({ baseUrl })';

// Streams the compile when the server says application/wasm; else checks that the bytes are WebAssembly
// (a dev server's HTML fallback would otherwise be a CompileError about a magic word).
async function compile(wasmUrl) {
  let response;
  try {
    response = await fetch(wasmUrl, { credentials: 'same-origin' });
  } catch (cause) {
    throw polyencError('POLYENC_ERR_IO', `init: fetching ${wasmUrl} failed: ${(cause && cause.message) || cause}`, { cause });
  }
  if (!response.ok) throw polyencError('POLYENC_ERR_IO', `init: ${wasmUrl}: HTTP ${response.status}; ${MISPLACED}`);
  const type = response.headers.get('content-type') || '';
  if (WebAssembly.compileStreaming && type.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw polyencError('POLYENC_ERR_IO', `init: ${wasmUrl} is not WebAssembly (${type || 'no content type'}); ${MISPLACED}`);
  return WebAssembly.compile(bytes);
}

const hardwareThreads = () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 4;

export async function loadWasm(options = {}) {
  const variant = chooseVariant(options);
  const assets = ASSETS[variant];
  const url = (name, asset) => (options.baseUrl ? new URL(name, new URL(options.baseUrl, globalThis.location && location.href)) : asset());
  const maxThreads = threadsOf(variant, options, hardwareThreads());
  // emscripten's pthread worker is small: a bundler may inline it as a data: URL, which a worker cannot use
  // under COOP/COEP (an opaque origin); a blob: URL of the same text is the page's own origin
  let pthreadWorker = variant === 'mt' ? url('polyenc-mt.worker.js', assets.worker).href : null;
  if (pthreadWorker && pthreadWorker.startsWith('data:'))
    pthreadWorker = URL.createObjectURL(await (await fetch(pthreadWorker)).blob());
  const compiled = options.module || (await compile(url(`polyenc-${variant}.wasm`, assets.wasm).href));
  const config = moduleConfig(variant, options, maxThreads, compiled);
  config.locateFile = (name) => (name.endsWith('.worker.js') ? pthreadWorker : url(name, assets.wasm).href);
  if (variant === 'mt') config.mainScriptUrlOrBlob = url('polyenc-mt.js', assets.main).href;
  const mod = await assets.factory(config);
  return new WasmBackend(mod, { variant, maxThreads, compiled, loadOptions: options, maxMemory: options.maximumMemory });
}
