// The module-level functions, the same in Node and the browser, over the platform's backend.
import { show, typeError, typeName } from './errors.mjs';
import { platform } from './platform.mjs';

/** Version of the C library. */
export function version() {
  return platform.backend('version').version();
}

/** True if the codec (a spec name such as 'h264', or an implementation such as 'libx264') can be opened. */
export function hasEncoder(codec) {
  if (typeof codec !== 'string') throw typeError(`hasEncoder: codec must be a string, got ${typeName(codec)}`);
  if (codec.includes('\0')) return false;
  return platform.backend('hasEncoder').hasEncoder(codec);
}

/** CUDA devices usable for video streams (0 without CUDA support, and always 0 in wasm). */
export function cudaDeviceCount() {
  return platform.backend('cudaDeviceCount').cudaDeviceCount();
}

/** Which backend runs new encoders, and what it holds: { backend: 'native' | 'wasm', ... }. */
export function backendInfo() {
  const info = platform.backend('backendInfo').info();
  return platform.notes ? { ...info, ...platform.notes() } : info;
}

const INIT_KEYS = ['backend', 'variant', 'threads', 'baseUrl', 'maxThreads', 'maximumMemory', 'initialMemory', 'pthreadPoolSize', 'module'];

/** init()'s options, checked: the same keys in Node and the browser. */
export function initOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw typeError(`init: options must be an object, got ${typeName(options)}`);
  for (const key of Object.keys(options))
    if (!INIT_KEYS.includes(key)) throw typeError(`init: unknown option '${key}' (known: ${INIT_KEYS.join(', ')})`);
  const { backend, variant } = options;
  if (backend !== undefined && !['auto', 'native', 'wasm'].includes(backend))
    throw typeError(`init: backend must be 'auto', 'native' or 'wasm', got ${show(backend)}`);
  if (variant !== undefined && !['auto', 'st', 'mt'].includes(variant))
    throw typeError(`init: variant must be 'st', 'mt' or 'auto', got ${show(variant)}`);
  for (const key of ['maxThreads', 'maximumMemory', 'initialMemory', 'pthreadPoolSize']) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0))
      throw typeError(`init: ${key} must be a positive integer, got ${typeName(v)} ${String(v)}`);
  }
  return options;
}
