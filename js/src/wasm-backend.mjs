// The wasm backend: polyenc's C library compiled to WebAssembly (wasm/build.sh), the same in the browser
// and in Node. It takes the flat values js/src/validate.mjs checked and moves them into the module's
// memory; each call runs synchronously in the calling thread. The loading of the module is the
// platform's (wasm-load-browser.mjs, wasm-load-node.mjs).
import { polyencError, statusName } from './errors.mjs';
import { FRAME_LAYOUTS, SAMPLE_LAYOUTS, frameBytes } from './validate.mjs';

const BATCH_BYTES = 32 << 20; // frames and samples are copied into the wasm memory in batches of this size
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
let nextSinkId = 1;

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

const INT64_MAX = 2n ** 63n - 1n;
const NO_STATS = { frames: 0, samples: 0, packets: 0, bytes: 0, seconds: 0 };

// One polyenc_encoder in the module. Calls run synchronously in wasm; addFrames / addSamples / close await
// between their batches (a stream output's backpressure), and abort() may come in such a gap: it frees the
// encoder at once and the call stops at its next batch, before touching the encoder.
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
    this.closed = false; // polyenc_close succeeded: the output is finished (abort then changes nothing)
    this.after = null; // { code, message }: what every call answers once the encoder is gone (abort)
    this.snapshot = { ...NO_STATS }; // stats() once the encoder is freed
    this.inflight = new Set(); // the async calls running (between their batches)
    this.aborting = null; // abort()'s promise
    this.dropped = false; // abort dropped chunks a stream output had not been given yet
    this.stopped = new Promise((resolve) => (this.stop = resolve)); // resolves at abort: drains stop waiting
  }

  // The encoder takes calls: the module runs and the encoder was not freed (close, abort, free).
  use(what) {
    this.b.live(what);
    if (this.ptr) return;
    if (this.after) throw polyencError(this.after.code, this.after.message);
    throw polyencError('POLYENC_ERR_STATE', this.closed ? `Cannot call ${what} after close() was called.`
      : `${what}: the encoder was freed and takes no more calls`);
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

  call(fn, what = 'polyenc') {
    this.use(what);
    this.check(this.b.guard(fn));
  }

  // An async call, counted while it runs (abort waits for it to give its buffers back).
  track(promise) {
    this.inflight.add(promise);
    const done = () => this.inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  // int64 values (Float64Array of integers) into wasm memory at p (8-aligned), through a BigInt64Array view.
  putInt64(p, values) {
    const v = new BigInt64Array(this.m.heapU8().buffer, p, values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      v[i] = Number.isInteger(x) ? (x >= 2 ** 63 ? INT64_MAX : x <= -(2 ** 63) ? -INT64_MAX - 1n : BigInt(x)) : INT64_MAX;
    }
  }

  // A stream's pointer comes back through a polyenc_stream ** in wasm memory.
  addStream(fn) {
    const m = this.m;
    this.use('addStream');
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
    const [tbNum, tbDen] = c.timeBase || [0, 0];
    return b.withStrings([c.device, c.codec, c.pixelFormat, c.preset, c.colorSpace, c.colorRange, c.colorTransfer,
      c.colorPrimaries, c.options], ([pd, pc, pf, pp, pcs, pcr, pct, pcp, po]) => this.addStream((out) =>
      m._pew_add_video(this.ptr, c.width, c.height, c.frameRate, pd, pc, pf, c.crf === null ? 0 : c.crf,
        c.crf === null ? 0 : 1, pp, c.bitRate, c.gopSize, pcs, pcr, pct, pcp, threads, po,
        tbNum, tbDen, c.rotation || 0, out)));
  }

  // A mux-only stream for a WebCodecs encoder's chunks (choice: chooseConfig's: codec, pixelFormat); description:
  // the avcC record (H.264) or null. Its time base is c.timeBase, else 1/frameRate; c.rotation becomes its
  // display matrix.
  addEncodedVideo(c, { codec, pixelFormat }, description) {
    const b = this.b, m = this.m;
    this.use('addVideo');
    const [tbNum, tbDen] = c.timeBase || [0, 0];
    const extra = description ? b.malloc(description.length, 'addVideo') : 0;
    try {
      if (extra) m.heapU8().set(description, extra);
      return b.withStrings([codec, pixelFormat], ([pc, pf]) => this.addStream((out) => m._pew_add_encoded_video(this.ptr,
        pc, c.width, c.height, c.frameRate, extra, description ? description.length : 0, tbNum, tbDen, c.rotation || 0,
        pf, out)));
    } finally {
      if (extra && !b.dead) m._free(extra);
    }
  }

  // One frame of bytes in a layout, converted by the core into the planes of pixFmt, a 4:2:0 format of 2-byte
  // samples (yuv420p10le), with BT.601 tv range (a stream's defaults), for a 10-bit WebCodecs VideoFrame: a
  // copy out of the wasm memory.
  convertFrame(bytes, layout, width, height, pixFmt) {
    const b = this.b, m = this.m;
    const size = 2 * (width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2));
    const src = b.malloc(bytes.length, 'addFrames');
    let dst = 0;
    try {
      dst = b.malloc(size, 'addFrames');
      m.heapU8().set(bytes, src);
      const ret = b.withStrings([pixFmt], ([pf]) => m._pew_convert_frame(FRAME_LAYOUTS.indexOf(layout), width, height, src, pf,
        6 /* AVCOL_SPC_SMPTE170M */, 0, dst));
      if (ret < 0) throw polyencError('POLYENC_ERR_ARGUMENT', `addFrames: ${m.UTF8ToString(m._pew_convert_error())}`);
      return m.heapU8().slice(dst, dst + size);
    } finally {
      if (!b.dead) {
        m._free(src);
        if (dst) m._free(dst);
      }
    }
  }

  addAudio(c) {
    const m = this.m;
    const start = c.startTime === undefined || c.startTime === null ? 0 : c.startTime; // NaN reaches C, which says no
    return this.b.withStrings([c.codec, c.options], ([pc, po]) => this.addStream((out) =>
      m._pew_add_audio(this.ptr, c.sampleRate, c.numChannels, pc, c.bitRate, c.outSampleRate, c.outNumChannels, po, start, out)));
  }

  /** Tags before open: index -1 the container's, else that stream's; value null removes the key. */
  setMetadata(index, key, value) {
    const m = this.m;
    this.use('setMetadata');
    const stream = index === -1 ? 0 : this.streams[index];
    if (stream === undefined) throw polyencError('POLYENC_ERR_ARGUMENT', `setMetadata: there is no stream ${index}`);
    this.b.withStrings([key, value], ([pk, pv]) =>
      this.call(() => m._polyenc_set_metadata(this.ptr, stream, pk, pv), 'setMetadata'));
  }

  /** { frames, samples, packets, bytes, seconds } of the whole encoder; after close / abort / free the last ones. */
  stats() {
    const b = this.b, m = this.m;
    if (this.ptr && !b.dead) {
      const p = b.malloc(40, 'stats');
      try {
        if (b.guard(() => m._pew_get_stats(this.ptr, p)) === 0) {
          const [frames, samples, packets, bytes, seconds] = new Float64Array(m.heapU8().buffer, p, 5);
          this.snapshot = { frames, samples, packets, bytes, seconds };
        }
      } finally {
        if (!b.dead) m._free(p);
      }
    }
    return { ...this.snapshot };
  }

  /**
   * Mux-only stream `index` (WebCodecs): the ticks its next n frames get on a video stream's clock (pts null:
   * running at the nominal rate from the last pts; else these n integer ticks, checked by C, which throws
   * without advancing). After open only.
   */
  nextPts(index, pts, n) {
    const b = this.b, m = this.m;
    this.use('nextPts');
    const ptr = this.streams[index];
    if (n === 0) {
      this.call(() => m._pew_next_pts(ptr, 0, 0, 0), 'nextPts');
      return new Float64Array(0);
    }
    const out = b.malloc(8 * n, 'nextPts');
    let given = 0;
    try {
      if (pts) {
        given = b.malloc(8 * n, 'nextPts');
        this.putInt64(given, pts.subarray(0, n));
      }
      this.call(() => m._pew_next_pts(ptr, given, n, out), 'nextPts');
      return Float64Array.from(new BigInt64Array(m.heapU8().buffer, out, n), Number);
    } finally {
      if (!b.dead) {
        m._free(out);
        if (given) m._free(given);
      }
    }
  }

  openMemory(format) {
    this.use('openMemory');
    this.b.withStrings([format], ([pf]) => this.call(() => this.m._polyenc_open_memory(this.ptr, pf)));
    this.memory = true;
  }

  // write(chunk) -> undefined, or a promise when the consumer wants the next chunk later (backpressure)
  openWriter(write, format) {
    const m = this.m;
    this.use('openStream');
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
    this.use('openFile');
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

  // The chunks the last calls wrote, to openStream's target, in order, honouring its backpressure (until abort).
  async drain() {
    const sink = this.sink;
    if (!sink || !sink.chunks) return;
    while (sink.chunks.length) {
      const chunk = sink.chunks.shift();
      if (sink.error) continue;
      try {
        const wait = sink.drain(chunk);
        if (wait) {
          sink.waiting = true;
          await Promise.race([wait, this.stopped]);
        }
      } catch (e) {
        sink.error = sink.error || e;
      } finally {
        sink.waiting = false;
      }
    }
  }

  /** pts: null or a Float64Array of n integer ticks; keys: null or a Uint8Array of n flags. */
  addFrames(index, bytes, layout, n, width, height, pts = null, keys = null) {
    return this.track(this.feedFrames(index, bytes, layout, n, width, height, pts, keys));
  }

  async feedFrames(index, bytes, layout, n, width, height, pts, keys) {
    const b = this.b, m = this.m;
    this.use('addFrames');
    const ptr = this.streams[index];
    const l = FRAME_LAYOUTS.indexOf(layout);
    if (n === 0) {
      // still checks the state (frames before open, after close)
      this.call(() => m._pew_add_frames(ptr, 0, l, 0, height, width, 0, 0), 'addFrames');
      return;
    }
    const fb = frameBytes(layout, width, height);
    const batch = Math.max(1, Math.min(n, Math.floor(BATCH_BYTES / fb)));
    let buf = 0, times = 0, flags = 0;
    try {
      // the whole call's pts and flags go in at once; each batch takes its slice
      if (pts) this.putInt64(times = b.malloc(8 * n, 'addFrames'), pts.subarray(0, n));
      if (keys) m.heapU8().set(keys.subarray(0, n), flags = b.malloc(n, 'addFrames'));
      // split in batches: the whole call's pts are checked first (nothing encoded, the call's indices)
      if (batch < n) this.call(() => m._pew_check_pts(ptr, times, n), 'addFrames');
      buf = b.malloc(batch * fb, 'addFrames');
      for (let i = 0; i < n; i += batch) {
        const k = Math.min(batch, n - i);
        m.heapU8().set(bytes.subarray(i * fb, (i + k) * fb), buf);
        this.call(() => m._pew_add_frames(ptr, buf, l, k, height, width, times && times + 8 * i, flags && flags + i),
          'addFrames');
        await this.drain();
      }
    } finally {
      if (!b.dead) for (const p of [buf, times, flags]) if (p) m._free(p);
    }
  }

  addSamples(index, input, c) {
    return this.track(this.feedSamples(index, input, c));
  }

  async feedSamples(index, input, c) {
    const b = this.b, m = this.m;
    this.use('addSamples');
    const ptr = this.streams[index];
    const n = input.n;
    // an array of channels is copied in planar batches; one Float32Array keeps its layout
    const l = input.channels ? 0 : SAMPLE_LAYOUTS.indexOf(input.layout);
    if (n === 0) {
      this.call(() => m._pew_add_samples(ptr, 0, l, c, 0), 'addSamples');
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
        this.call(() => m._pew_add_samples(ptr, buf, l, c, k), 'addSamples');
        await this.drain();
      }
    } finally {
      if (!b.dead) m._free(buf);
    }
  }

  // A WebCodecs chunk into its mux-only stream (from the VideoEncoder's output callback).
  addPacket(index, chunk, pts, duration = 1) {
    const b = this.b, m = this.m;
    this.use('addFrames');
    const size = chunk.byteLength;
    const p = b.malloc(size, 'addFrames');
    try {
      chunk.copyTo(m.heapU8().subarray(p, p + size));
      this.call(() => m._pew_add_packet(this.streams[index], p, size, pts, pts, duration, chunk.type === 'key' ? 1 : 0), 'addFrames');
    } finally {
      if (!b.dead) m._free(p);
    }
  }

  /** Flush and trailer; the memory output's bytes (a copy) or undefined. The encoder is freed in any case. */
  close() {
    return this.track(this.finish());
  }

  async finish() {
    const m = this.m;
    try {
      this.call(() => m._polyenc_close(this.ptr), 'close');
      this.closed = true;
      await this.drain();
      if (this.dropped) {
        throw polyencError('POLYENC_ERR_STATE', 'the encoder was aborted (polyenc_abort) while close() was writing ' +
          'to the stream: the rest of the output was not written');
      }
      if (this.sink && this.sink.file) this.sink.file.close(true);
      if (!this.memory) return undefined;
      this.call(() => m._pew_output(this.ptr), 'close');
      const p = m._pew_output_data(), size = m._pew_output_size();
      return m.heapU8().slice(p, p + size);
    } finally {
      await this.drain();
      this.free();
    }
  }

  /**
   * Stops without finishing (polyenc_abort): a file output is removed, a stream output gets no further chunk,
   * then the encoder is freed. Resolves (never rejects) once the calls in progress have stopped and every byte
   * of the encoder's is back; idempotent. Later calls fail with C's POLYENC_ERR_STATE; stats() keeps the last.
   */
  abort() {
    if (!this.aborting) this.aborting = this.abortNow().catch(() => { this.ptr = 0; });
    return this.aborting;
  }

  async abortNow() {
    const b = this.b, m = this.m, sink = this.sink;
    if (this.ptr && !b.dead && !this.closed) {
      this.stats(); // the snapshot stats() answers from now on
      try {
        b.guard(() => m._polyenc_abort(this.ptr));
        const st = b.guard(() => m._polyenc_close(this.ptr)); // C's answer to any later call
        if (st) this.after = { code: statusName(st), message: m.UTF8ToString(m._polyenc_last_error(this.ptr)) };
      } catch (e) {
        // the module stopped: nothing of it to release
      }
      if (!this.after) this.after = { code: 'POLYENC_ERR_STATE', message: 'the encoder was aborted (polyenc_abort) and takes no more calls' };
    }
    if (sink && sink.chunks) {
      if (sink.chunks.length || sink.waiting) this.dropped = true;
      sink.chunks.length = 0;
    }
    this.stop();
    // an output close() finished is kept: a close still in progress frees the encoder itself
    if (!this.closed) this.free();
    await Promise.allSettled([...this.inflight]);
    this.free();
  }

  free() {
    const sink = this.sink;
    if (sink) {
      this.m.sinks.delete(sink.id);
      if (sink.file) sink.file.close(false); // never leave a half-written file looking valid
    }
    if (this.ptr && !this.b.dead) {
      try {
        this.stats();
      } catch (e) {
        // out of memory for the snapshot: the last one stays
      }
      this.m._polyenc_encoder_free(this.ptr);
    }
    this.ptr = 0;
    this.streams = [];
  }
}
