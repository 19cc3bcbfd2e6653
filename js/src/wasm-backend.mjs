// The wasm backend: polyenc's C library compiled to WebAssembly (wasm/build.sh), the same in the browser
// and in Node. It takes the flat values js/src/validate.mjs checked and moves them into the module's
// memory; each call runs synchronously in the calling thread. The loading of the module is the
// platform's (wasm-load-browser.mjs, wasm-load-node.mjs).
import { polyencError, statusName } from './errors.mjs';
import { FRAME_LAYOUTS, SAMPLE_LAYOUTS, frameBytes } from './validate.mjs';

const BATCH_BYTES = 32 << 20; // frames and samples are copied into the wasm memory in batches of this size
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
let nextSinkId = 1;

/** Encoder threads a build may use: 1 for 'st'; for 'mt' options.maxThreads, else the cores, at most 16. */
export function threadsOf(variant, options, cores) {
  return variant === 'mt' ? Math.max(1, Math.min(options.maxThreads || cores, 16)) : 1;
}

/**
 * The emscripten module's settings, the same for every loader: it adds locateFile (and, for 'mt' in a
 * page, mainScriptUrlOrBlob). `compiled` is instantiated asynchronously unless the loader replaces
 * instantiateWasm.
 */
export function moduleConfig(variant, options, maxThreads, compiled) {
  const config = {
    noInitialRun: true,
    print: (s) => console.log(s),
    printErr: (s) => console.warn(s),
    // x264 starts threads + 1 lookahead thread (+ a lookahead pool); two video streams fit
    pthreadPoolSize: options.pthreadPoolSize || 3 * maxThreads + 2,
    instantiateWasm: (imports, receive) => {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
      return {};
    },
  };
  if (options.maximumMemory) {
    const page = 65536;
    const initial = Math.ceil((options.initialMemory || (variant === 'mt' ? 64 : 32) << 20) / page);
    config.wasmMemory = new WebAssembly.Memory({
      initial, maximum: Math.max(initial, Math.floor(options.maximumMemory / page)), shared: variant === 'mt',
    });
  }
  return config;
}

export class WasmBackend {
  /** m: the emscripten module; options: { variant, maxThreads, maxMemory, files } (files: Node's file writer). */
  constructor(m, { variant, maxThreads = 1, maxMemory = 2 ** 31, files = null, compiled = null, loadOptions = {} }) {
    this.name = 'wasm';
    this.m = m;
    this.variant = variant;
    this.maxThreads = maxThreads;
    this.maxMemory = maxMemory;
    this.files = files;
    this.compiled = compiled; // the WebAssembly.Module, handed to worker-mode workers
    this.loadOptions = loadOptions;
    this.dead = null; // why the module stopped (a trap or an abort), or null
    m.sinks = new Map();
    m.polyencWrite = (id, ptr, size) => {
      const sink = m.sinks.get(id);
      return sink ? sink.write(ptr, size) : -1;
    };
    m.polyencSeek = (id, offset, whence) => {
      const sink = m.sinks.get(id);
      return sink && sink.seek ? sink.seek(offset, whence) : -1;
    };
  }

  info() {
    const m = this.m;
    return { backend: 'wasm', variant: this.variant, maxThreads: this.maxThreads, heapBytes: m.heapU8().length, heapInUse: m._pew_heap_in_use() };
  }

  live(what) {
    if (this.dead) {
      throw polyencError('POLYENC_ERR_STATE',
        `${what}: the WebAssembly module stopped after an error (${this.dead}); call \`await init()\` to load a fresh one`);
    }
    return this.m;
  }

  // Calls into wasm; a trap or an abort (the module is then unusable) becomes a polyenc error.
  guard(fn) {
    const m = this.m;
    try {
      return fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || (m.isAborted && m.isAborted())) {
        this.dead = String(e && e.message ? e.message : e);
        const oom = /memory|alloc/i.test(this.dead);
        throw polyencError(oom ? 'POLYENC_ERR_NOMEM' : 'POLYENC_ERR_CODEC',
          `the WebAssembly module stopped: ${this.dead}. The encoders of this module are lost; ` +
          'call `await init()` to load a fresh one', { cause: e });
      }
      throw e;
    }
  }

  nearMemoryLimit() {
    const size = this.m.heapU8().length;
    return size > 0.85 * this.maxMemory || this.maxMemory - size < (64 << 20);
  }

  malloc(bytes, what) {
    const m = this.m;
    const p = bytes > 0 && bytes < 2 ** 32 ? m._malloc(bytes) : 0;
    if (!p) {
      throw polyencError('POLYENC_ERR_NOMEM', `${what}: out of WebAssembly memory: could not allocate ${mib(bytes)} ` +
        `(memory: ${mib(m.heapU8().length)}, in use: ${mib(m._pew_heap_in_use())})`);
    }
    return p;
  }

  // Allocates C strings (null -> NULL) and NULL-terminated string arrays for the duration of fn.
  withStrings(strings, fn) {
    const m = this.m;
    const ptrs = [];
    const alloc = (s) => {
      const n = m.lengthBytesUTF8(s) + 1;
      const p = this.malloc(n, 'string');
      ptrs.push(p);
      m.stringToUTF8(s, p, n);
      return p;
    };
    try {
      const args = strings.map((s) => {
        if (s === null || s === undefined) return 0;
        if (!Array.isArray(s)) return alloc(s);
        const arr = this.malloc(4 * (s.length + 1), 'options');
        ptrs.push(arr);
        const items = s.map(alloc);
        const u32 = new Uint32Array(m.heapU8().buffer, arr, s.length + 1);
        items.forEach((p, i) => (u32[i] = p));
        u32[s.length] = 0;
        return arr;
      });
      return fn(args);
    } finally {
      for (const p of ptrs) m._free(p);
    }
  }

  version() {
    const m = this.live('version');
    return m.UTF8ToString(m._polyenc_version());
  }

  hasEncoder(codec) {
    const m = this.live('hasEncoder');
    return this.withStrings([codec], ([p]) => m._polyenc_has_encoder(p) === 1);
  }

  cudaDeviceCount() {
    return 0;
  }

  defaultVideoCodec(format) {
    const m = this.live('open');
    const p = this.withStrings([format], ([pf]) => m._pew_default_video_codec(pf));
    return p ? m.UTF8ToString(p) : null;
  }

  newEncoder() {
    return new WasmEncoder(this);
  }
}

// One polyenc_encoder in the module.
class WasmEncoder {
  constructor(b) {
    this.b = b;
    this.m = b.live('new Encoder()');
    this.pipelined = false; // each call runs to its end before it returns
    this.ptr = b.guard(() => this.m._polyenc_encoder_new());
    if (!this.ptr) throw polyencError('POLYENC_ERR_NOMEM', 'polyenc_encoder_new: out of memory');
    this.streams = [];
    this.sink = null; // { id, chunks, write, error, file }
    this.memory = false;
  }

  check(st) {
    if (st === 0) return;
    const m = this.m, b = this.b;
    const msg = this.ptr && !b.dead ? m.UTF8ToString(m._polyenc_last_error(this.ptr)) : '';
    let code = statusName(st);
    const extra = {};
    let note = '';
    if ((code === 'POLYENC_ERR_CODEC' || code === 'POLYENC_ERR_NOMEM') && b.nearMemoryLimit()) {
      // an encoder's malloc failed inside the library (x264 says "Generic error in an external library")
      code = 'POLYENC_ERR_NOMEM';
      note = ` (out of WebAssembly memory: ${mib(m.heapU8().length)} of at most ${mib(b.maxMemory)} in use; ` +
        'close other encoders, or use smaller frames, a faster preset or fewer threads)';
    }
    if (code === 'POLYENC_ERR_IO' && this.sink && this.sink.error) extra.cause = this.sink.error;
    throw polyencError(code, (msg || code) + note, extra);
  }

  call(fn) {
    this.b.live('polyenc');
    this.check(this.b.guard(fn));
  }

  // A stream's pointer comes back through a polyenc_stream ** in wasm memory.
  addStream(fn) {
    const m = this.m;
    const out = this.b.malloc(4, 'addStream');
    try {
      this.call(() => fn(out));
      const ptr = new Uint32Array(m.heapU8().buffer, out, 1)[0];
      const index = m._polyenc_stream_index(ptr);
      this.streams[index] = ptr;
      return index;
    } finally {
      m._free(out);
    }
  }

  addVideo(c) {
    const b = this.b, m = this.m;
    // x264 in wasm sees one CPU: the thread count is set here, within the pthread pool
    const threads = b.variant === 'mt' ? Math.min(c.threads || b.maxThreads, b.maxThreads) : Math.min(c.threads, 1);
    return b.withStrings([c.device, c.codec, c.pixelFormat, c.preset, c.colorSpace, c.colorRange, c.options],
      ([pd, pc, pf, pp, pcs, pcr, po]) => this.addStream((out) => m._pew_add_video(this.ptr, c.width, c.height, c.frameRate,
        pd, pc, pf, c.crf === null ? 0 : c.crf, c.crf === null ? 0 : 1, pp, c.bitRate, c.gopSize, pcs, pcr, threads, po, out)));
  }

  // A mux-only stream for a WebCodecs encoder's chunks; description: the avcC record (H.264) or null.
  addEncodedVideo(c, codec, description) {
    const b = this.b, m = this.m;
    const extra = description ? b.malloc(description.length, 'addVideo') : 0;
    try {
      if (extra) m.heapU8().set(description, extra);
      return b.withStrings([codec], ([pc]) => this.addStream((out) =>
        m._pew_add_encoded_video(this.ptr, pc, c.width, c.height, c.frameRate, extra, description ? description.length : 0, out)));
    } finally {
      if (extra) m._free(extra);
    }
  }

  addAudio(c) {
    const m = this.m;
    return this.b.withStrings([c.codec, c.options], ([pc, po]) => this.addStream((out) =>
      m._pew_add_audio(this.ptr, c.sampleRate, c.numChannels, pc, c.bitRate, c.outSampleRate, c.outNumChannels, po, out)));
  }

  openMemory(format) {
    this.b.withStrings([format], ([pf]) => this.call(() => this.m._polyenc_open_memory(this.ptr, pf)));
    this.memory = true;
  }

  // write(chunk) -> undefined, or a promise when the consumer wants the next chunk later (backpressure)
  openWriter(write, format) {
    const m = this.m;
    const sink = { id: nextSinkId++, chunks: [], error: null, drain: write };
    sink.write = (ptr, size) => {
      if (sink.error) return -1;
      sink.chunks.push(m.heapU8().slice(ptr, ptr + size));
      return 0;
    };
    this.openSink(sink, format, null);
  }

  openFile(path, format) {
    const files = this.b.files;
    if (!files) {
      throw polyencError('POLYENC_ERR_UNSUPPORTED',
        'openFile: the browser has no file system; use openMemory({ format }) or openStream(writable, { format })');
    }
    const m = this.m;
    const file = files.open(path);
    const sink = { id: nextSinkId++, error: null, file };
    sink.write = (ptr, size) => {
      try {
        file.write(m.heapU8().subarray(ptr, ptr + size));
        return 0;
      } catch (e) {
        sink.error = sink.error || e;
        return -1;
      }
    };
    sink.seek = (offset, whence) => {
      try {
        return file.seek(offset, whence);
      } catch (e) {
        sink.error = sink.error || e;
        return -1;
      }
    };
    try {
      this.openSink(sink, format, path);
    } catch (e) {
      file.close(false);
      throw e;
    }
  }

  openSink(sink, format, path) {
    const m = this.m;
    m.sinks.set(sink.id, sink);
    try {
      this.b.withStrings([format, path], ([pf, pp]) => this.call(() => m._pew_open_writer(this.ptr, sink.id, pf, pp)));
    } catch (e) {
      m.sinks.delete(sink.id);
      throw e;
    }
    this.sink = sink;
  }

  // The chunks the last calls wrote, to openStream's target, in order, honouring its backpressure.
  async drain() {
    const sink = this.sink;
    if (!sink || !sink.chunks) return;
    while (sink.chunks.length) {
      const chunk = sink.chunks.shift();
      if (sink.error) continue;
      try {
        const wait = sink.drain(chunk);
        if (wait) await wait;
      } catch (e) {
        sink.error = sink.error || e;
      }
    }
  }

  async addFrames(index, bytes, layout, n, width, height) {
    const b = this.b, m = this.m;
    const ptr = this.streams[index];
    const l = FRAME_LAYOUTS.indexOf(layout);
    if (n === 0) {
      // still checks the state (frames before open, after close)
      this.call(() => m._pew_add_frames(ptr, 0, l, 0, height, width));
      return;
    }
    const fb = frameBytes(layout, width, height);
    const batch = Math.max(1, Math.min(n, Math.floor(BATCH_BYTES / fb)));
    const buf = b.malloc(batch * fb, 'addFrames');
    try {
      for (let i = 0; i < n; i += batch) {
        const k = Math.min(batch, n - i);
        m.heapU8().set(bytes.subarray(i * fb, (i + k) * fb), buf);
        this.call(() => m._pew_add_frames(ptr, buf, l, k, height, width));
        await this.drain();
      }
    } finally {
      if (!b.dead) m._free(buf);
    }
  }

  async addSamples(index, input, c) {
    const b = this.b, m = this.m;
    const ptr = this.streams[index];
    const n = input.n;
    // an array of channels is copied in planar batches; one Float32Array keeps its layout
    const l = input.channels ? 0 : SAMPLE_LAYOUTS.indexOf(input.layout);
    if (n === 0) {
      this.call(() => m._pew_add_samples(ptr, 0, l, c, 0));
      return;
    }
    const batch = Math.max(1, Math.min(n, Math.floor(BATCH_BYTES / (4 * c))));
    const buf = b.malloc(batch * c * 4, 'addSamples');
    try {
      for (let s = 0; s < n; s += batch) {
        const k = Math.min(batch, n - s);
        const f32 = new Float32Array(m.heapU8().buffer, buf, k * c);
        if (input.channels) input.channels.forEach((ch, i) => f32.set(ch.subarray(s, s + k), i * k));
        else if (l === 1) f32.set(input.flat.subarray(s * c, (s + k) * c));
        else for (let i = 0; i < c; i++) f32.set(input.flat.subarray(i * n + s, i * n + s + k), i * k);
        this.call(() => m._pew_add_samples(ptr, buf, l, c, k));
        await this.drain();
      }
    } finally {
      if (!b.dead) m._free(buf);
    }
  }

  // A WebCodecs chunk into its mux-only stream (from the VideoEncoder's output callback).
  addPacket(index, chunk, pts) {
    const b = this.b, m = this.m;
    const size = chunk.byteLength;
    const p = b.malloc(size, 'addFrames');
    try {
      chunk.copyTo(m.heapU8().subarray(p, p + size));
      this.call(() => m._pew_add_packet(this.streams[index], p, size, pts, pts, 1, chunk.type === 'key' ? 1 : 0));
    } finally {
      if (!b.dead) m._free(p);
    }
  }

  /** Flush and trailer; the memory output's bytes (a copy) or undefined. The encoder is freed in any case. */
  async close() {
    const m = this.m;
    try {
      this.call(() => m._polyenc_close(this.ptr));
      await this.drain();
      if (this.sink && this.sink.file) this.sink.file.close(true);
      if (!this.memory) return undefined;
      this.call(() => m._pew_output(this.ptr));
      const p = m._pew_output_data(), size = m._pew_output_size();
      return m.heapU8().slice(p, p + size);
    } finally {
      await this.drain();
      this.free();
    }
  }

  free() {
    const sink = this.sink;
    if (sink) {
      this.m.sinks.delete(sink.id);
      if (sink.file) sink.file.close(false); // never leave a half-written file looking valid
    }
    if (this.ptr && !this.b.dead) this.m._polyenc_encoder_free(this.ptr);
    this.ptr = 0;
  }
}
