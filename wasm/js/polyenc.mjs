// polyenc for the browser (and Node 20): the C library compiled to WebAssembly, with the same Encoder
// API as the Node addon (node/index.d.ts, the types are shared).
//
//   import { init, Encoder } from './polyenc.mjs';
//   await init();                                   // loads polyenc-st.wasm, or polyenc-mt.wasm when
//                                                   // crossOriginIsolated (SharedArrayBuffer + threads)
//   const enc = new Encoder();                      // or new Encoder({ worker: true }): all in a Web Worker
//   const video = enc.addVideo({ width: 640, height: 360, frameRate: 30 });
//   const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
//   enc.openMemory({ format: 'mp4' });              // or openStream(writableStream, { format: 'mp4' })
//   await video.addFrames(canvas);                  // ImageData, VideoFrame, canvas, or bytes + layout
//   await audio.addSamples(audioBuffer);            // AudioBuffer, Float32Array(s)
//   const blob = await enc.close();                 // Blob of type video/mp4
//
// In direct mode the encoding runs synchronously in the calling thread when each promise's turn comes;
// worker mode moves the whole encoder to a Web Worker (frames are transferred), so a page never freezes.

import { webcodecsAvailable, webcodecsObstacle, chooseConfig, WebCodecsVideo } from './webcodecs.mjs';

const IS_NODE = typeof process === 'object' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined' && typeof importScripts !== 'function' && typeof WorkerGlobalScope === 'undefined';

const STATUS_NAMES = {
  0: 'POLYENC_OK', [-1]: 'POLYENC_ERR_ARGUMENT', [-2]: 'POLYENC_ERR_STATE', [-3]: 'POLYENC_ERR_UNSUPPORTED',
  [-4]: 'POLYENC_ERR_IO', [-5]: 'POLYENC_ERR_NOMEM', [-6]: 'POLYENC_ERR_CODEC',
};
const FRAME_LAYOUTS = ['rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p'];
const BATCH_BYTES = 32 << 20; // frames and samples are copied into the wasm memory in batches of this size

function polyencError(code, message, extra) {
  const err = new Error(message);
  err.code = code;
  const status = Object.keys(STATUS_NAMES).find((k) => STATUS_NAMES[k] === code);
  if (status !== undefined) err.status = Number(status);
  return Object.assign(err, extra);
}

// Wrong JS types and out-of-range integers: TypeError / RangeError with the codes the Node addon gives them.
function typeError(message) {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}
function rangeError(message) {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

// ------------------------------------------------------------------ loading the module

const state = {
  mod: null, // the live emscripten module
  variant: null,
  loading: null,
  options: {},
  compiled: null, // WebAssembly.Module, handed to workers
  maxThreads: 1,
  maxMemory: 2 ** 31,
};

function baseUrl(options) {
  if (options.baseUrl) return new URL(options.baseUrl, typeof location !== 'undefined' ? location.href : undefined);
  return new URL('./', import.meta.url);
}

function hardwareThreads() {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  return 4;
}

function chooseVariant(options) {
  if (options.variant === 'st' || options.variant === 'mt') return options.variant;
  if (options.variant !== undefined && options.variant !== 'auto')
    throw typeError(`init: variant must be 'st', 'mt' or 'auto', got ${JSON.stringify(options.variant)}`);
  if (options.threads === false) return 'st';
  if (options.threads === true) return 'mt';
  if (IS_NODE) return 'st';
  return globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined' ? 'mt' : 'st';
}

async function loadModule(options) {
  const variant = chooseVariant(options);
  const base = baseUrl(options);
  const cpus = IS_NODE ? (await import('node:os')).availableParallelism?.() || 4 : hardwareThreads();
  const maxThreads = variant === 'mt' ? Math.max(1, Math.min(options.maxThreads || cpus, 16)) : 1;
  const sinks = new Map();
  const config = {
    noInitialRun: true,
    print: (s) => console.log(s),
    printErr: (s) => console.warn(s),
    locateFile: (path) => (IS_NODE ? new URL(path, base).pathname : new URL(path, base).href),
    // x264 starts threads + 1 lookahead thread (+ a lookahead pool); two video streams fit
    pthreadPoolSize: options.pthreadPoolSize || 3 * maxThreads + 2,
    polyencWrite: (id, ptr, size) => {
      const sink = sinks.get(id);
      return sink ? sink(ptr, size) : -1;
    },
  };
  if (options.initialMemory) config.INITIAL_MEMORY = options.initialMemory;
  if (options.maximumMemory) {
    const page = 65536;
    const initial = Math.ceil((options.initialMemory || (variant === 'mt' ? 64 : 32) << 20) / page);
    config.wasmMemory = new WebAssembly.Memory({
      initial, maximum: Math.max(initial, Math.floor(options.maximumMemory / page)), shared: variant === 'mt',
    });
  }
  let factory;
  let compiled = options.module || null;
  if (IS_NODE) {
    const { createRequire } = await import('node:module');
    const fs = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const require = createRequire(import.meta.url);
    factory = require(fileURLToPath(new URL(`polyenc-${variant}.js`, base)));
    if (!compiled) compiled = await WebAssembly.compile(fs.readFileSync(new URL(`polyenc-${variant}.wasm`, base)));
  } else {
    factory = (await import(new URL(`polyenc-${variant}.glue.mjs`, base).href)).default;
    if (!compiled) {
      const url = new URL(`polyenc-${variant}.wasm`, base).href;
      compiled = WebAssembly.compileStreaming
        ? await WebAssembly.compileStreaming(fetch(url, { credentials: 'same-origin' }))
        : await WebAssembly.compile(await (await fetch(url)).arrayBuffer());
    }
    if (variant === 'mt') config.mainScriptUrlOrBlob = new URL(`polyenc-${variant}.js`, base).href;
  }
  config.instantiateWasm = (imports, receive) => {
    WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
    return {};
  };
  const mod = await factory(config);
  if (IS_NODE && variant === 'mt' && mod.PThread) {
    // the pthread pool must not keep a Node process alive
    for (const w of mod.PThread.unusedWorkers.concat(mod.PThread.runningWorkers)) if (w.unref) w.unref();
  }
  mod.sinks = sinks;
  mod.variant = variant;
  mod.dead = false;
  state.mod = mod;
  state.variant = variant;
  state.compiled = compiled;
  state.maxThreads = maxThreads;
  state.options = options;
  state.maxMemory = config.wasmMemory && options.maximumMemory ? options.maximumMemory : 2 ** 31;
  return mod;
}

/**
 * Loads the WebAssembly module (once; later calls return the same promise). Options:
 *   variant: 'auto' (default: 'mt' when crossOriginIsolated, else 'st'; Node: 'st') | 'st' | 'mt'
 *   baseUrl: where polyenc-*.wasm and the glue live (default: next to this file)
 *   maxThreads: encoder threads of the mt build (default: the machine's cores, at most 16)
 *   maximumMemory: bytes the wasm memory may grow to (default 2 GiB)
 */
export function init(options = {}) {
  if (options === null || typeof options !== 'object') throw typeError('init: options must be an object');
  if (state.mod && !state.mod.dead) return state.loading;
  state.loading = loadModule(options).catch((err) => {
    state.loading = null;
    throw err;
  });
  return state.loading;
}

function liveModule(what) {
  const m = state.mod;
  if (!m) throw polyencError('POLYENC_ERR_STATE', `${what}: call \`await init()\` first (it loads the WebAssembly module)`);
  if (m.dead) {
    throw polyencError('POLYENC_ERR_STATE',
      `${what}: the WebAssembly module stopped after an error (${m.deathReason}); call \`await init()\` again`);
  }
  return m;
}

/** What was loaded: { variant: 'st' | 'mt', maxThreads, heapBytes, heapInUse }. */
export function wasmInfo() {
  const m = liveModule('wasmInfo');
  return { variant: m.variant, maxThreads: state.maxThreads, heapBytes: m.heapU8().length, heapInUse: m._pew_heap_in_use() };
}

export function version() {
  const m = liveModule('version');
  return m.UTF8ToString(m._polyenc_version());
}

export function hasEncoder(codec) {
  if (typeof codec !== 'string') throw typeError(`hasEncoder: codec must be a string, got ${typeof codec}`);
  const m = liveModule('hasEncoder');
  return withStrings(m, [codec], ([p]) => m._polyenc_has_encoder(p) === 1);
}

export function cudaDeviceCount() {
  return 0;
}

// ------------------------------------------------------------------ helpers over the module

// Calls into wasm; a trap or an abort (the module is then unusable) becomes a polyenc error.
function guard(m, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError || (m.isAborted && m.isAborted())) {
      m.dead = true;
      m.deathReason = String(e && e.message ? e.message : e);
      const oom = /memory|alloc/i.test(m.deathReason);
      throw polyencError(oom ? 'POLYENC_ERR_NOMEM' : 'POLYENC_ERR_CODEC',
        `the WebAssembly module stopped: ${m.deathReason}. The encoders of this module are lost; ` +
        'call `await init()` to load a fresh one', { cause: e });
    }
    throw e;
  }
}

const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

function nearMemoryLimit(m) {
  const size = m.heapU8().length;
  return size > 0.85 * state.maxMemory || state.maxMemory - size < (64 << 20);
}

function mallocOrThrow(m, bytes, what) {
  const p = bytes > 0 && bytes < 2 ** 32 ? m._malloc(bytes) : 0;
  if (!p) {
    throw polyencError('POLYENC_ERR_NOMEM',
      `${what}: out of WebAssembly memory: could not allocate ${mib(bytes)} (memory: ${mib(m.heapU8().length)}, ` +
      `in use: ${mib(m._pew_heap_in_use())})`);
  }
  return p;
}

function allocString(m, s) {
  const n = m.lengthBytesUTF8(s) + 1;
  const p = mallocOrThrow(m, n, 'string');
  m.stringToUTF8(s, p, n);
  return p;
}

// Allocates C strings (null/undefined -> NULL) for the duration of fn.
function withStrings(m, strings, fn) {
  const ptrs = [];
  try {
    for (const s of strings) ptrs.push(s === undefined || s === null ? 0 : allocString(m, s));
    return fn(ptrs);
  } finally {
    for (const p of ptrs) if (p) m._free(p);
  }
}

// ------------------------------------------------------------------ argument checks (as the Node addon)

function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'Array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return v.constructor && v.constructor !== Object ? v.constructor.name : 'object';
  return typeof v;
}

function checkObject(o, what) {
  if (o === null || typeof o !== 'object') throw typeError(`${what} expects an options object, got ${typeName(o)}`);
  return o;
}

function optsOf(o, what) {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object') throw typeError(`${what}: options must be an object, got ${typeof o}`);
  return o;
}

const present = (v) => v !== undefined && v !== null;

function num(o, ctx, name, required) {
  const v = o[name];
  if (!present(v)) {
    if (required) throw typeError(`${ctx}.${name} is required (a number)`);
    return undefined;
  }
  if (typeof v !== 'number') throw typeError(`${ctx}.${name} must be a number, got ${typeName(v)}`);
  return v;
}

function int(o, ctx, name, required, lo = -2147483648, hi = 2147483647) {
  const v = o[name];
  if (!present(v)) {
    if (required) throw typeError(`${ctx}.${name} is required (an integer)`);
    return undefined;
  }
  if (typeof v !== 'number') throw typeError(`${ctx}.${name} must be a number, got ${typeName(v)}`);
  if (!Number.isInteger(v)) throw typeError(`${ctx}.${name} must be an integer, got ${v}`);
  if (v < lo || v > hi) throw rangeError(`${ctx}.${name} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

function str(o, ctx, name) {
  const v = o[name];
  if (!present(v)) return undefined;
  if (typeof v !== 'string') throw typeError(`${ctx}.${name} must be a string, got ${typeName(v)}`);
  if (v.includes('\0')) throw typeError(`${ctx}.${name} must not contain NUL characters`);
  return v;
}

// options: { key: value } or [[key, value], ...] -> ['key', 'value', ...]
function optionList(o, ctx) {
  const v = o.options;
  if (!present(v)) return null;
  const what = `${ctx}.options`;
  if (typeof v !== 'object') throw typeError(`${what} must be an object of key: value pairs, got ${typeName(v)}`);
  const pairs = Array.isArray(v) ? v : Object.entries(v);
  const out = [];
  pairs.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw typeError(`${what}[${i}] must be a [key, value] pair, got ${typeName(pair)}`);
    const [key, val] = pair;
    if (typeof key !== 'string') throw typeError(`${what} key must be a string, got ${typeName(key)}`);
    if (!['string', 'number', 'boolean'].includes(typeof val))
      throw typeError(`${what}.${key} must be a string, number or boolean, got ${typeName(val)}`);
    out.push(key, String(val));
  });
  return out;
}

// A NULL-terminated char *[] in wasm memory; returns [pointer, strings to free].
function allocStringArray(m, list) {
  if (!list) return [0, []];
  const strings = list.map((s) => allocString(m, s));
  const arr = mallocOrThrow(m, 4 * (strings.length + 1), 'options');
  const u32 = new Uint32Array(m.heapU8().buffer, arr, strings.length + 1);
  strings.forEach((p, i) => (u32[i] = p));
  u32[strings.length] = 0;
  return [arr, strings];
}

function frameBytes(layout, h, w) {
  if (layout === 4) return h * w + 2 * Math.ceil(h / 2) * Math.ceil(w / 2);
  return h * w * (layout === 2 || layout === 3 ? 4 : 3);
}

function layoutName(l) {
  return FRAME_LAYOUTS[l];
}

function readFrameLayout(v) {
  if (!present(v)) return 0;
  if (typeof v !== 'string') throw typeError(`layout must be a string, got ${typeName(v)}`);
  const i = FRAME_LAYOUTS.indexOf(v);
  if (i < 0) throw typeError(`layout must be 'rgb-planar', 'rgb24', 'rgba', 'bgra' or 'yuv420p', got '${v}'`);
  return i;
}

// ------------------------------------------------------------------ browser inputs -> bytes

const isImageDataLike = (v) =>
  v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && v.data instanceof Uint8ClampedArray &&
  Number.isInteger(v.width) && Number.isInteger(v.height);
const isVideoFrame = (v) => typeof VideoFrame !== 'undefined' && v instanceof VideoFrame;
const isCanvas = (v) =>
  (typeof HTMLCanvasElement !== 'undefined' && v instanceof HTMLCanvasElement) ||
  (typeof OffscreenCanvas !== 'undefined' && v instanceof OffscreenCanvas);
const isImageBitmap = (v) => typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap;
const isAudioBuffer = (v) =>
  v !== null && typeof v === 'object' && typeof v.getChannelData === 'function' && Number.isInteger(v.numberOfChannels);

let scratchCanvas = null;
function drawToImageData(source, width, height) {
  if (!scratchCanvas || scratchCanvas.width !== width || scratchCanvas.height !== height) {
    scratchCanvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
    scratchCanvas.width = width;
    scratchCanvas.height = height;
  }
  const ctx = scratchCanvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

function canvasImageData(canvas) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx) return ctx.getImageData(0, 0, canvas.width, canvas.height);
  return drawToImageData(canvas, canvas.width, canvas.height); // a WebGL / bitmaprenderer canvas
}

function checkSize(what, w, h, stream) {
  if (w !== stream.width || h !== stream.height) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addFrames: ${what} is ${w}x${h}, the stream is ${stream.width}x${stream.height}`);
  }
}

// Any frame input -> { bytes: Uint8Array, layout: number, frames?: 1 }.
async function frameInput(data, layout, stream) {
  if (isImageDataLike(data)) {
    checkSize('ImageData', data.width, data.height, stream);
    return { bytes: new Uint8Array(data.data.buffer, data.data.byteOffset, data.data.byteLength), layout: 2, single: true };
  }
  if (isCanvas(data)) {
    checkSize('the canvas', data.width, data.height, stream);
    const img = canvasImageData(data);
    return { bytes: new Uint8Array(img.data.buffer), layout: 2, single: true };
  }
  if (isImageBitmap(data)) {
    checkSize('the ImageBitmap', data.width, data.height, stream);
    const img = drawToImageData(data, data.width, data.height);
    return { bytes: new Uint8Array(img.data.buffer), layout: 2, single: true };
  }
  if (isVideoFrame(data)) {
    const w = data.displayWidth, h = data.displayHeight;
    checkSize('the VideoFrame', w, h, stream);
    const direct = { RGBA: 2, RGBX: 2, BGRA: 3, BGRX: 3, I420: 4 }[data.format];
    const plain = data.codedWidth === w && data.codedHeight === h && (!data.visibleRect ||
      (data.visibleRect.x === 0 && data.visibleRect.y === 0));
    if (direct !== undefined && plain) {
      const bytes = new Uint8Array(data.allocationSize());
      const planes = await data.copyTo(bytes);
      if (planes.length === 1 ? planes[0].stride === w * 4 : planes[0].stride === w && planes[1].stride === Math.ceil(w / 2) &&
        planes[1].offset === w * h && planes[2].offset === w * h + Math.ceil(w / 2) * Math.ceil(h / 2))
        return { bytes, layout: direct, single: true };
    }
    const img = drawToImageData(data, w, h);
    return { bytes: new Uint8Array(img.data.buffer), layout: 2, single: true };
  }
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
    return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), layout: readFrameLayout(layout) };
  }
  throw typeError(
    `addFrames: data must be a Uint8Array, Uint8ClampedArray, ImageData, VideoFrame, canvas or ImageBitmap, got ${typeName(data)}`);
}

// How many whole frames of the stream's size `input` holds (numFrames: the caller's count, optional).
function countFrames(input, stream, numFrames) {
  const fb = frameBytes(input.layout, stream.height, stream.width);
  const bytes = input.bytes;
  if (input.single) {
    if (bytes.length < fb) throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: ${bytes.length} bytes, a frame needs ${fb}`);
    return 1;
  }
  if (present(numFrames)) {
    if (typeof numFrames !== 'number') throw typeError(`numFrames must be a number, got ${typeName(numFrames)}`);
    if (!Number.isInteger(numFrames)) throw typeError(`numFrames must be an integer, got ${numFrames}`);
    if (numFrames < 0 || numFrames > 2147483647) throw rangeError(`numFrames must be in [0, 2147483647], got ${numFrames}`);
    if (numFrames * fb > bytes.length) {
      throw polyencError('POLYENC_ERR_ARGUMENT',
        `addFrames: numFrames=${numFrames} needs ${numFrames * fb} bytes of ${stream.width}x${stream.height} ${layoutName(input.layout)}, got ${bytes.length}`);
    }
    return numFrames;
  }
  if (bytes.length % fb) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addFrames: ${bytes.length} bytes is not a whole number of ${stream.width}x${stream.height} ` +
      `${layoutName(input.layout)} frames (${fb} bytes each); pass numFrames to use only the start of the data`);
  }
  return bytes.length / fb;
}

function checkFormat(o, what) {
  if (o.format === undefined) throw typeError(`${what}: options.format is required (e.g. { format: 'mp4' })`);
  if (typeof o.format !== 'string') throw typeError(`${what}: options.format must be a string, got ${typeName(o.format)}`);
}

// Any sample input -> { channels: Float32Array[] | null, flat: Float32Array | null, layout, nch, n }.
function sampleInput(data, layout, stream) {
  if (isAudioBuffer(data)) {
    const chans = [];
    for (let c = 0; c < data.numberOfChannels; c++) chans.push(data.getChannelData(c));
    data = chans;
    layout = undefined;
  }
  if (Array.isArray(data)) {
    if (present(layout) && layout !== 'planar') {
      throw typeError("addSamples: an array of Float32Array (one per channel) is planar; layout " +
        `'${layout}' does not apply`);
    }
    if (data.length !== stream.numChannels)
      throw polyencError('POLYENC_ERR_ARGUMENT', `addSamples: Expected ${stream.numChannels} channels, got ${data.length}`);
    data.forEach((c, i) => {
      if (!(c instanceof Float32Array)) throw typeError(`addSamples: data[${i}] must be a Float32Array, got ${typeName(c)}`);
    });
    const n = data.length ? data[0].length : 0;
    data.forEach((c, i) => {
      if (c.length !== n) {
        throw polyencError('POLYENC_ERR_ARGUMENT',
          `addSamples: data[${i}] has ${c.length} samples, data[0] has ${n}; every channel needs the same count`);
      }
    });
    return { channels: data, flat: null, layout: 0, n };
  }
  if (!(data instanceof Float32Array)) {
    throw typeError('addSamples: data must be a Float32Array or an array of Float32Array (one per channel), ' +
      `got ${typeName(data)}`);
  }
  let l = 0;
  if (present(layout)) {
    if (layout === 'planar') l = 0;
    else if (layout === 'interleaved') l = 1;
    else throw typeError(`layout must be 'planar' or 'interleaved', got '${layout}'`);
  }
  const c = stream.numChannels;
  if (data.length % c) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addSamples: ${data.length} values are not a whole number of samples for ${c} channels`);
  }
  return { channels: null, flat: data, layout: l, n: data.length / c };
}

function mimeType(format, hasVideo) {
  const f = String(format).toLowerCase();
  const av = (v, a) => (hasVideo ? v : a);
  if (['mp4', 'm4v'].includes(f)) return av('video/mp4', 'audio/mp4');
  if (['ipod', 'm4a'].includes(f)) return 'audio/mp4';
  if (['mov', 'qt'].includes(f)) return 'video/quicktime';
  if (f === 'webm') return av('video/webm', 'audio/webm');
  if (['matroska', 'mkv', 'mka'].includes(f)) return av('video/x-matroska', 'audio/x-matroska');
  if (['ogg', 'oga', 'opus'].includes(f)) return 'audio/ogg';
  if (f === 'wav') return 'audio/wav';
  if (f === 'flac') return 'audio/flac';
  if (['adts', 'aac'].includes(f)) return 'audio/aac';
  if (f === 'mp3') return 'audio/mpeg';
  return 'application/octet-stream';
}

// ------------------------------------------------------------------ outputs that write to JS

let nextSinkId = 1;

// A WHATWG WritableStream or a Node Writable, written after each call; backpressure is honoured by
// waiting before the next call runs (writer.ready / 'drain').
function streamTarget(target) {
  if (target && typeof target.getWriter === 'function') {
    if (target.locked) throw typeError('openStream: the WritableStream is locked (it already has a writer)');
    let writer;
    try {
      writer = target.getWriter();
    } catch (cause) {
      throw Object.assign(typeError(`openStream: the WritableStream's getWriter() failed: ${(cause && cause.message) || cause}`), { cause });
    }
    return {
      async write(chunk) {
        await writer.ready;
        writer.write(chunk).catch(() => {}); // the error surfaces through writer.ready / close
      },
      async end() {
        await writer.close();
      },
      abort(err) {
        writer.abort(err).catch(() => {});
      },
    };
  }
  if (target && typeof target.write === 'function' && typeof target.on === 'function' && typeof target.end === 'function') {
    let error = null;
    target.on('error', (e) => (error = error || e));
    // a Writable destroyed or ended before the encoder finished takes no more bytes and never drains
    const usable = () => {
      if (!error && (target.destroyed || target.writableEnded)) {
        error = new Error('openStream: the writable was closed before the encoder finished');
      }
      if (error) throw error;
    };
    return {
      async write(chunk) {
        usable();
        if (!target.write(chunk)) {
          await new Promise((resolve, reject) => {
            const done = (e) => {
              target.off('drain', done);
              target.off('error', done);
              target.off('close', closed);
              e ? reject(e) : resolve();
            };
            const closed = () => done(error || new Error('openStream: the writable was closed before the encoder finished'));
            target.on('drain', done);
            target.on('error', done);
            target.on('close', closed);
          });
        }
      },
      async end() {
        usable();
        await new Promise((resolve, reject) => {
          target.end((e) => (e ? reject(e) : resolve()));
        });
      },
      abort(err) {
        if (typeof target.destroy === 'function') target.destroy(err);
      },
    };
  }
  throw typeError('openStream: expected a WHATWG WritableStream (or, in Node, a Writable), got ' + typeName(target));
}

// ------------------------------------------------------------------ the Encoder

const registry = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry(({ m, ptr }) => {
    if (!m.dead && ptr.value) {
      try {
        m._polyenc_encoder_free(ptr.value);
      } catch {}
    }
  })
  : null;

export class VideoStream {
  constructor(encoder, ptr, index, o) {
    this._encoder = encoder;
    this._ptr = ptr;
    this.index = index;
    this.width = o.width;
    this.height = o.height;
    this.frameRate = o.frameRate;
    /** 'webcodecs' or 'wasm': the encoder that runs; null until the first awaited call decides ('auto'). */
    this.encoderName = o.encoderName || null;
    this._cfg = o.cfg;
    this._webcodecs = null;
  }

  /** data: Uint8Array | Uint8ClampedArray (numFrames frames in options.layout), ImageData, VideoFrame, canvas. */
  addFrames(data, options) {
    let o;
    try {
      o = optsOf(options, 'addFrames');
    } catch (e) {
      return Promise.reject(e); // feeding methods reject, they do not throw
    }
    if (this._encoder._proxy) return this._encoder._proxy.addFrames(this, data, o);
    return this._encoder._run(async () => {
      if (this._webcodecs) return this._encoder._addFramesWebCodecs(this, data, o);
      const input = await frameInput(data, o.layout, this);
      return this._encoder._addFrames(this, input, o.numFrames);
    });
  }
}

export class AudioStream {
  constructor(encoder, ptr, index, o) {
    this._encoder = encoder;
    this._ptr = ptr;
    this.index = index;
    this.sampleRate = o.sampleRate;
    this.numChannels = o.numChannels;
    this._cfg = o.cfg;
  }

  /** data: Float32Array (planar C x N by default, or interleaved), Float32Array[] (one per channel), AudioBuffer. */
  addSamples(data, options) {
    let o;
    try {
      o = optsOf(options, 'addSamples');
    } catch (e) {
      return Promise.reject(e); // feeding methods reject, they do not throw
    }
    if (this._encoder._proxy) return this._encoder._proxy.addSamples(this, data, o);
    return this._encoder._run(async () => this._encoder._addSamples(this, sampleInput(data, o.layout, this)));
  }
}

export class Encoder {
  /** options.worker: run this encoder in its own Web Worker (browser; frames are transferred). */
  constructor(options) {
    const o = optsOf(options, 'Encoder');
    if (o.worker) {
      this._proxy = new WorkerProxy(this, o);
      return;
    }
    this._m = liveModule('new Encoder()');
    const ptr = guard(this._m, () => this._m._polyenc_encoder_new());
    if (!ptr) throw polyencError('POLYENC_ERR_NOMEM', 'polyenc_encoder_new: out of memory');
    this._ptr = { value: ptr };
    this._streams = [];
    this._hasVideo = false;
    this._output = null;
    this._queue = Promise.resolve();
    this._closing = null;
    this._closed = false;
    this._deferred = false; // a stream may use WebCodecs: the C streams and the open wait for _resolve()
    this._resolving = null;
    registry && registry.register(this, { m: this._m, ptr: this._ptr }, this);
  }

  _check(st) {
    if (st === 0) return;
    const m = this._m;
    const msg = this._ptr.value ? m.UTF8ToString(m._polyenc_last_error(this._ptr.value)) : '';
    let code = STATUS_NAMES[st] || 'POLYENC_ERR_CODEC';
    const extra = {};
    let note = '';
    if ((code === 'POLYENC_ERR_CODEC' || code === 'POLYENC_ERR_NOMEM') && nearMemoryLimit(m)) {
      // an encoder's malloc failed inside the library (x264 says "Generic error in an external library")
      code = 'POLYENC_ERR_NOMEM';
      note = ` (out of WebAssembly memory: ${mib(m.heapU8().length)} of at most ${mib(state.maxMemory)} in use; ` +
        'close other encoders, or use smaller frames, a faster preset or fewer threads)';
    }
    if (code === 'POLYENC_ERR_IO' && this._output && this._output.error) extra.cause = this._output.error;
    throw polyencError(code, (msg || code) + note, extra);
  }

  _live(what) {
    if (this._closed) throw polyencError('POLYENC_ERR_STATE', `${what}: the encoder was closed (close() was called)`);
    if (this._m.dead) liveModule(what);
    return this._m;
  }

  // Serialises the async operations, then writes what they produced to an openStream target.
  _run(op, resolveFirst = true) {
    const p = this._queue.then(async () => {
      if (resolveFirst) await this._resolve();
      const r = await op();
      await this._flush();
      return r;
    });
    this._queue = p.catch(() => {});
    return p;
  }

  async _flush() {
    const out = this._output;
    if (!out || !out.target) return;
    while (out.chunks.length) {
      const chunk = out.chunks.shift();
      try {
        await out.target.write(chunk);
      } catch (e) {
        out.error = out.error || e;
      }
    }
  }

  addVideo(options) {
    if (this._proxy) return this._proxy.addVideo(options);
    const ctx = 'addVideo';
    checkObject(options, 'addVideo()');
    const o = options;
    const cfg = {
      width: int(o, ctx, 'width', true), height: int(o, ctx, 'height', true), frameRate: num(o, ctx, 'frameRate', true),
      device: str(o, ctx, 'device'), codec: str(o, ctx, 'codec'), pixelFormat: str(o, ctx, 'pixelFormat'),
      crf: num(o, ctx, 'crf'), preset: str(o, ctx, 'preset'),
      bitRate: int(o, ctx, 'bitRate', false, -9007199254740991, 9007199254740991),
      gopSize: int(o, ctx, 'gopSize'), colorSpace: str(o, ctx, 'colorSpace'), colorRange: str(o, ctx, 'colorRange'),
      threads: int(o, ctx, 'threads'), list: optionList(o, ctx), encoder: str(o, ctx, 'encoder') || 'auto',
    };
    if (!['auto', 'webcodecs', 'wasm'].includes(cfg.encoder))
      throw typeError(`addVideo.encoder must be 'auto', 'webcodecs' or 'wasm', got '${cfg.encoder}'`);
    if (cfg.device && /^cuda(:\d+)?$/.test(cfg.device))
      throw polyencError('POLYENC_ERR_UNSUPPORTED', `device '${cfg.device}': the WebAssembly build of polyenc has no CUDA support`);
    // WebCodecs is decided at the first awaited call (isConfigSupported is async; the container's default
    // codec is known after open): what already rules it out is checked now
    let candidate = cfg.encoder !== 'wasm' && webcodecsAvailable();
    if (candidate) {
      const obstacle = webcodecsObstacle(cfg, cfg.codec || 'h264');
      if (obstacle && cfg.encoder === 'webcodecs') throw polyencError('POLYENC_ERR_UNSUPPORTED', `addVideo.encoder 'webcodecs': ${obstacle}`);
      candidate = !obstacle;
    } else if (cfg.encoder === 'webcodecs') {
      throw polyencError('POLYENC_ERR_UNSUPPORTED', "addVideo.encoder 'webcodecs': this environment has no WebCodecs VideoEncoder");
    }
    if (candidate && this._output) {
      throw polyencError('POLYENC_ERR_STATE', 'Cannot add a stream after open() was called: add every stream before open().');
    }
    // the wasm stream is added now in any case: it checks the options, and it is the fallback
    const sptr = this._cAddVideo(cfg);
    const index = this._m._polyenc_stream_index(sptr);
    const s = new VideoStream(this, sptr, index, { ...cfg, cfg, encoderName: candidate ? null : 'wasm' });
    this._streams[index] = s;
    this._hasVideo = true;
    if (candidate) this._deferred = true;
    return s;
  }

  _cAddVideo(cfg) {
    let threads = cfg.threads;
    if (this._m.variant === 'mt') {
      // x264 in wasm sees one CPU: the thread count is set here, within the pthread pool
      threads = Math.min(threads || state.maxThreads, state.maxThreads);
    } else if (threads && threads > 1) {
      threads = 1; // the single-threaded build has no threads to give
    }
    const m = this._live('addVideo');
    const out = mallocOrThrow(m, 4, 'addVideo');
    const [optArr, optStrings] = allocStringArray(m, cfg.list);
    try {
      const { device, codec, pixelFormat, preset, colorSpace, colorRange, crf } = cfg;
      withStrings(m, [device, codec, pixelFormat, preset, colorSpace, colorRange], ([pd, pc, pf, pp, pcs, pcr]) => {
        this._check(guard(m, () => m._pew_add_video(this._ptr.value, cfg.width, cfg.height, cfg.frameRate, pd, pc, pf,
          crf === undefined ? 0 : crf, crf === undefined ? 0 : 1, pp, cfg.bitRate || 0, cfg.gopSize || 0, pcs, pcr,
          threads || 0, optArr, out)));
      });
      return new Uint32Array(m.heapU8().buffer, out, 1)[0];
    } finally {
      m._free(out);
      if (optArr) m._free(optArr);
      optStrings.forEach((p) => m._free(p));
    }
  }

  // A mux-only stream for a WebCodecs encoder's chunks; description: the avcC record (H.264) or null.
  _cAddEncodedVideo(cfg, codec, description) {
    const m = this._live('addVideo');
    const out = mallocOrThrow(m, 4, 'addVideo');
    const extra = description ? mallocOrThrow(m, description.length, 'addVideo') : 0;
    try {
      if (extra) m.heapU8().set(description, extra);
      withStrings(m, [codec], ([pc]) => this._check(guard(m, () => m._pew_add_encoded_video(this._ptr.value, pc,
        cfg.width, cfg.height, cfg.frameRate, extra, description ? description.length : 0, out))));
      return new Uint32Array(m.heapU8().buffer, out, 1)[0];
    } finally {
      m._free(out);
      if (extra) m._free(extra);
    }
  }

  addAudio(options) {
    if (this._proxy) return this._proxy.addAudio(options);
    const ctx = 'addAudio';
    checkObject(options, 'addAudio()');
    const o = options;
    const cfg = {
      sampleRate: int(o, ctx, 'sampleRate', true), numChannels: int(o, ctx, 'numChannels', true), codec: str(o, ctx, 'codec'),
      bitRate: int(o, ctx, 'bitRate', false, -9007199254740991, 9007199254740991),
      outSampleRate: int(o, ctx, 'outSampleRate'), outNumChannels: int(o, ctx, 'outNumChannels'), list: optionList(o, ctx),
    };
    if (this._deferred && this._output) {
      throw polyencError('POLYENC_ERR_STATE', 'Cannot add a stream after open() was called: add every stream before open().');
    }
    const sptr = this._cAddAudio(cfg);
    const index = this._m._polyenc_stream_index(sptr);
    const s = new AudioStream(this, sptr, index, { ...cfg, cfg });
    this._streams[index] = s;
    return s;
  }

  _cAddAudio(cfg) {
    const m = this._live('addAudio');
    const out = mallocOrThrow(m, 4, 'addAudio');
    const [optArr, optStrings] = allocStringArray(m, cfg.list);
    try {
      withStrings(m, [cfg.codec], ([pc]) => {
        this._check(guard(m, () => m._pew_add_audio(this._ptr.value, cfg.sampleRate, cfg.numChannels, pc, cfg.bitRate || 0,
          cfg.outSampleRate || 0, cfg.outNumChannels || 0, optArr, out)));
      });
      return new Uint32Array(m.heapU8().buffer, out, 1)[0];
    } finally {
      m._free(out);
      if (optArr) m._free(optArr);
      optStrings.forEach((p) => m._free(p));
    }
  }

  /** Node only (with the native addon); the WebAssembly build has no file system. */
  openFile() {
    throw polyencError('POLYENC_ERR_UNSUPPORTED',
      'openFile: the WebAssembly build writes no files; use openMemory({ format }) or openStream(writable, { format })');
  }

  /** close() resolves to a Blob (browser) or a Buffer (Node) with the whole file. */
  openMemory(options) {
    if (this._proxy) return this._proxy.openMemory(options);
    const o = optsOf(options, 'openMemory');
    checkFormat(o, 'openMemory');
    this._open({ kind: 'memory', format: o.format, type: o.type });
  }

  /** A WHATWG WritableStream (or a Node Writable); mp4/mov become fragmented MP4. */
  openStream(writable, options) {
    if (this._proxy) return this._proxy.openStream(writable, options);
    const o = optsOf(options, 'openStream');
    const target = streamTarget(writable);
    checkFormat(o, 'openStream');
    this._open({ kind: 'stream', format: o.format, target, chunks: [], error: null, end: o.end !== false, id: 0 });
  }

  // With a possible WebCodecs stream the C open waits for _resolve(), at the first awaited call.
  _open(out) {
    const m = this._live(out.kind === 'memory' ? 'openMemory' : 'openStream');
    if (this._deferred) {
      if (this._output) throw polyencError('POLYENC_ERR_STATE', 'open() was already called.');
      this._output = out;
      return;
    }
    this._cOpen(m, out);
    this._output = out;
  }

  _cOpen(m, out) {
    if (out.kind === 'memory') {
      withStrings(m, [out.format], ([pf]) => this._check(guard(m, () => m._polyenc_open_memory(this._ptr.value, pf))));
      return;
    }
    const id = out.id = nextSinkId++;
    m.sinks.set(id, (ptr, size) => {
      if (out.error) return -1;
      out.chunks.push(m.heapU8().slice(ptr, ptr + size));
      return 0;
    });
    try {
      withStrings(m, [out.format], ([pf]) => this._check(guard(m, () => m._pew_open_writer(this._ptr.value, id, pf))));
    } catch (e) {
      m.sinks.delete(id);
      throw e;
    }
  }

  // Decides 'auto' streams once the output is known: WebCodecs when the browser supports the stream's
  // codec and settings. The C encoder is then built again with mux-only streams in their places (same
  // order), and the output opened. Runs once; its error is every later call's.
  _resolve() {
    if (!this._deferred || !this._output) return undefined;
    if (!this._resolving) this._resolving = this._build();
    return this._resolving;
  }

  async _build() {
    const m = this._m;
    const chosen = [];
    const fallback = withStrings(m, [this._output.format], ([pf]) => m._pew_default_video_codec(pf));
    const defaultCodec = fallback ? m.UTF8ToString(fallback) : 'h264';
    for (const s of this._streams) {
      if (!(s instanceof VideoStream) || s.encoderName) continue;
      const cfg = s._cfg;
      const codec = cfg.codec || defaultCodec;
      const obstacle = webcodecsObstacle(cfg, codec);
      const choice = obstacle ? { reason: obstacle } : await chooseConfig(cfg, codec);
      if (choice.reason) {
        if (cfg.encoder === 'webcodecs') throw polyencError('POLYENC_ERR_UNSUPPORTED', `addVideo.encoder 'webcodecs': ${choice.reason}`);
        s.encoderName = 'wasm';
        continue;
      }
      s._webcodecs = new WebCodecsVideo(choice, cfg, (chunk, pts) => this._writeChunk(s, chunk, pts));
      s.encoderName = 'webcodecs';
      chosen.push(s);
    }
    if (chosen.length) {
      const descriptions = new Map();
      for (const s of chosen) descriptions.set(s, await s._webcodecs.probe());
      // a fresh C encoder: the same streams in the same order, WebCodecs' ones mux-only
      guard(m, () => m._polyenc_encoder_free(this._ptr.value));
      this._ptr.value = guard(m, () => m._polyenc_encoder_new());
      if (!this._ptr.value) throw polyencError('POLYENC_ERR_NOMEM', 'polyenc_encoder_new: out of memory');
      for (const s of this._streams) {
        if (s._webcodecs) s._ptr = this._cAddEncodedVideo(s._cfg, s._webcodecs.choice.codec, descriptions.get(s));
        else s._ptr = s instanceof VideoStream ? this._cAddVideo(s._cfg) : this._cAddAudio(s._cfg);
      }
    }
    this._cOpen(m, this._output);
  }

  // A WebCodecs chunk into its mux-only stream (called from the VideoEncoder's output callback).
  _writeChunk(stream, chunk, pts) {
    const m = this._live('addFrames');
    const size = chunk.byteLength;
    const p = mallocOrThrow(m, size, 'addFrames');
    try {
      chunk.copyTo(m.heapU8().subarray(p, p + size));
      this._check(guard(m, () => m._pew_add_packet(stream._ptr, p, size, pts, pts, 1, chunk.type === 'key' ? 1 : 0)));
    } finally {
      if (!m.dead) m._free(p);
    }
  }

  async _addFramesWebCodecs(stream, data, o) {
    this._live('addFrames');
    const wc = stream._webcodecs;
    if (isVideoFrame(data)) {
      checkSize('the VideoFrame', data.displayWidth, data.displayHeight, stream);
      return wc.add(data);
    }
    if (isCanvas(data) || isImageBitmap(data)) {
      checkSize(isCanvas(data) ? 'the canvas' : 'the ImageBitmap', data.width, data.height, stream);
      return wc.add(data);
    }
    if (isImageDataLike(data)) {
      checkSize('ImageData', data.width, data.height, stream);
      return wc.add({ bytes: data.data, layout: 'rgba', numFrames: 1 });
    }
    const input = await frameInput(data, o.layout, stream); // bytes: the type and layout checks
    const n = countFrames(input, stream, o.numFrames);
    return wc.add({ bytes: input.bytes, layout: layoutName(input.layout), numFrames: n });
  }

  _addFrames(stream, input, numFrames) {
    const m = this._live('addFrames');
    const fb = frameBytes(input.layout, stream.height, stream.width);
    const bytes = input.bytes;
    const n = countFrames(input, stream, numFrames);
    if (n === 0) {
      // still checks the state (frames before open, after close) and the layout
      this._check(guard(m, () => m._pew_add_frames(stream._ptr, 0, input.layout, 0, stream.height, stream.width)));
      return;
    }
    const batch = Math.max(1, Math.min(n, Math.floor(BATCH_BYTES / fb)));
    const buf = mallocOrThrow(m, batch * fb, 'addFrames');
    try {
      for (let i = 0; i < n; i += batch) {
        const k = Math.min(batch, n - i);
        m.heapU8().set(bytes.subarray(i * fb, (i + k) * fb), buf);
        this._check(guard(m, () => m._pew_add_frames(stream._ptr, buf, input.layout, k, stream.height, stream.width)));
      }
    } finally {
      if (!m.dead) m._free(buf);
    }
  }

  _addSamples(stream, input) {
    const m = this._live('addSamples');
    const c = stream.numChannels, n = input.n;
    if (n === 0) {
      this._check(guard(m, () => m._pew_add_samples(stream._ptr, 0, input.layout, c, 0)));
      return;
    }
    const batch = Math.max(1, Math.min(n, Math.floor(BATCH_BYTES / (4 * c))));
    const buf = mallocOrThrow(m, batch * c * 4, 'addSamples');
    try {
      for (let s = 0; s < n; s += batch) {
        const k = Math.min(batch, n - s);
        const f32 = new Float32Array(m.heapU8().buffer, buf, k * c);
        if (input.channels) {
          input.channels.forEach((ch, i) => f32.set(ch.subarray(s, s + k), i * k));
        } else if (input.layout === 1) {
          f32.set(input.flat.subarray(s * c, (s + k) * c));
        } else {
          for (let i = 0; i < c; i++) f32.set(input.flat.subarray(i * n + s, i * n + s + k), i * k);
        }
        this._check(guard(m, () => m._pew_add_samples(stream._ptr, buf, input.layout, c, k)));
      }
    } finally {
      if (!m.dead) m._free(buf);
    }
  }

  /**
   * Flushes every stream, writes the trailer and frees the encoder's WebAssembly memory. Resolves to a
   * Blob (browser) / Buffer (Node) for openMemory, undefined otherwise. A second call returns the same promise.
   */
  close() {
    if (this._proxy) return this._proxy.close();
    if (!this._closing) this._closing = this._run(() => this._close(), false);
    return this._closing;
  }

  async _close() {
    const m = this._m;
    const out = this._output;
    let result;
    let error = null;
    try {
      if (m.dead) liveModule('close');
      await this._resolve();
      // the WebCodecs encoders' last chunks, then the C side's flush and trailer
      for (const s of this._streams) if (s._webcodecs) await s._webcodecs.flush();
      this._check(guard(m, () => m._polyenc_close(this._ptr.value)));
      if (out && out.kind === 'memory') {
        this._check(guard(m, () => m._pew_output(this._ptr.value)));
        const p = m._pew_output_data(), size = m._pew_output_size();
        const bytes = m.heapU8().slice(p, p + size);
        result = makeResult(bytes, out, this._hasVideo);
      }
    } catch (e) {
      error = e;
    } finally {
      this._free();
    }
    if (out && out.kind === 'stream') {
      await this._flush();
      if (!error && out.error) error = polyencError('POLYENC_ERR_IO', `openStream: writing failed: ${out.error.message || out.error}`, { cause: out.error });
      if (error) out.target.abort(error);
      else if (out.end) {
        try {
          await out.target.end();
        } catch (cause) {
          error = polyencError('POLYENC_ERR_IO', `openStream: finishing the output failed: ${(cause && cause.message) || cause}`, { cause });
        }
      }
    }
    if (error) throw error;
    return result;
  }

  _free() {
    const m = this._m;
    for (const s of this._streams) if (s && s._webcodecs) s._webcodecs.close();
    if (this._output && this._output.id) m.sinks.delete(this._output.id);
    if (this._ptr.value && !m.dead) m._polyenc_encoder_free(this._ptr.value);
    this._ptr.value = 0;
    this._closed = true;
    registry && registry.unregister(this);
  }
}

function makeResult(bytes, out, hasVideo) {
  if (out.type === 'uint8array' || typeof Blob === 'undefined') return bytes;
  if (IS_NODE && typeof Buffer !== 'undefined' && out.type !== 'blob') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return new Blob([bytes], { type: mimeType(out.format, hasVideo) });
}

// ------------------------------------------------------------------ worker mode

// The main-thread side of new Encoder({ worker: true }): one Web Worker per encoder runs polyenc-worker.mjs,
// which runs an ordinary Encoder. Calls are posted in order; inputs are turned into transferable bytes here.
class WorkerProxy {
  constructor(encoder, o) {
    if (typeof Worker === 'undefined' || IS_NODE) {
      throw polyencError('POLYENC_ERR_UNSUPPORTED', 'Encoder({ worker: true }) needs Web Workers (a browser)');
    }
    liveModule('new Encoder({ worker: true })');
    const url = o.workerUrl || new URL('polyenc-worker.mjs', baseUrl(state.options)).href;
    this.worker = new Worker(url, { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.streams = 0;
    this.error = null; // the first failure of a call that returned synchronously (addVideo, open*)
    this.hasVideo = false;
    this.closing = null;
    this.worker.onmessage = (ev) => {
      const { id, ok, result, error } = ev.data;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(Object.assign(new Error(error.message), { code: error.code, status: error.status, name: error.name }));
    };
    this.worker.onerror = (ev) => {
      const err = polyencError('POLYENC_ERR_CODEC', `polyenc worker failed: ${ev.message || 'error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.error = this.error || err;
    };
    this.call('init', [{ ...state.options, variant: state.variant, module: state.compiled, baseUrl: baseUrl(state.options).href }]);
  }

  call(op, args, transfer = []) {
    const id = this.nextId++;
    const p = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage({ id, op, args }, transfer);
    return p;
  }

  // for calls that are synchronous in the API: the error surfaces at the next awaited call
  callSync(op, args, transfer) {
    this.call(op, args, transfer).catch((e) => (this.error = this.error || e));
  }

  rethrow() {
    if (this.error) throw this.error;
  }

  addVideo(options) {
    checkObject(options, 'addVideo()');
    const ctx = 'addVideo';
    const width = int(options, ctx, 'width', true), height = int(options, ctx, 'height', true);
    const frameRate = num(options, ctx, 'frameRate', true);
    this.callSync('addVideo', [options]);
    this.hasVideo = true;
    const encoderName = options.encoder === 'wasm' || !webcodecsAvailable() ? 'wasm' : null; // else: the worker says
    return new VideoStream({ _proxy: this }, 0, this.streams++, { width, height, frameRate, encoderName });
  }

  addAudio(options) {
    checkObject(options, 'addAudio()');
    const ctx = 'addAudio';
    const sampleRate = int(options, ctx, 'sampleRate', true), numChannels = int(options, ctx, 'numChannels', true);
    this.callSync('addAudio', [options]);
    return new AudioStream({ _proxy: this }, 0, this.streams++, { sampleRate, numChannels });
  }

  openMemory(options) {
    const o = optsOf(options, 'openMemory');
    if (o.format === undefined) throw typeError("openMemory: options.format is required (e.g. { format: 'mp4' })");
    this.output = { kind: 'memory', format: o.format, type: o.type };
    this.callSync('openMemory', [{ format: o.format, type: 'uint8array' }]);
  }

  openStream(writable, options) {
    const o = optsOf(options, 'openStream');
    // only a real WritableStream can be transferred to the worker
    if (!writable || typeof writable.getWriter !== 'function' || (typeof WritableStream === 'function' && !(writable instanceof WritableStream)))
      throw typeError('openStream: expected a WritableStream');
    if (o.format === undefined) throw typeError("openStream: options.format is required (e.g. { format: 'mp4' })");
    this.output = { kind: 'stream' };
    // WritableStream is transferable: the worker writes to it directly
    this.callSync('openStream', [writable, o], [writable]);
  }

  async addFrames(stream, data, o) {
    this.rethrow();
    let msg;
    const transfer = [];
    if (isVideoFrame(data)) {
      const clone = data.clone(); // the caller keeps (and closes) its own frame
      msg = { videoFrame: clone };
      transfer.push(clone);
    } else if ((isCanvas(data) || isImageBitmap(data)) && typeof VideoFrame === 'function') {
      checkSize(isCanvas(data) ? 'the canvas' : 'the ImageBitmap', data.width, data.height, stream);
      const frame = new VideoFrame(data, { timestamp: 0 }); // a snapshot, transferred without a copy
      msg = { videoFrame: frame };
      transfer.push(frame);
    } else if (isCanvas(data) || isImageBitmap(data) || isImageDataLike(data)) {
      const input = await frameInput(data, undefined, stream);
      const bytes = isImageDataLike(data) ? input.bytes.slice() : input.bytes;
      msg = { bytes, layout: 'rgba', single: true };
      transfer.push(bytes.buffer);
    } else if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) {
      msg = { bytes: data, layout: o.layout, numFrames: o.numFrames }; // copied by postMessage
      if (o.transfer) transfer.push(data.buffer);
    } else {
      await frameInput(data, o.layout, stream); // throws the TypeError
    }
    stream.encoderName = await this.call('addFrames', [stream.index, msg], transfer);
  }

  async addSamples(stream, data, o) {
    this.rethrow();
    if (isAudioBuffer(data)) {
      const chans = [];
      for (let c = 0; c < data.numberOfChannels; c++) chans.push(data.getChannelData(c).slice());
      await this.call('addSamples', [stream.index, chans, {}], chans.map((c) => c.buffer));
      return;
    }
    sampleInput(data, o.layout, stream); // the same checks, here
    await this.call('addSamples', [stream.index, data, { layout: o.layout }]);
  }

  close() {
    if (!this.closing) {
      this.closing = (async () => {
        try {
          this.rethrow();
          const bytes = await this.call('close', []);
          if (this.output && this.output.kind === 'memory') return makeResult(bytes, this.output, this.hasVideo);
          return undefined;
        } finally {
          this.worker.terminate();
        }
      })();
    }
    return this.closing;
  }
}

/** The same as new Encoder(options); options.worker: true runs the encoder in a Web Worker. */
export function createEncoder(options) {
  return new Encoder(options);
}

const polyenc = { init, Encoder, VideoStream, AudioStream, createEncoder, version, hasEncoder, cudaDeviceCount, wasmInfo };
export default polyenc;
