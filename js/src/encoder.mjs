// The Encoder, written once for Node and the browser over either backend (the Node addon, the wasm
// module): the API, the order of the calls, the outputs, WebCodecs video streams. Every argument is
// checked here (validate.mjs, inputs.mjs); the backend gets flat, checked values.
//
// Synchronous calls (addVideo, addAudio, open*) throw; feeding calls (addFrames, addSamples) and close()
// return promises and reject. The backend's work is queued in call order: a native encoder runs it on its
// own thread while the next call is prepared, a wasm encoder runs it when its turn comes.
import { polyencError } from './errors.mjs';
import { platform } from './platform.mjs';
import { audioConfig, DEEP_LAYOUTS, filePath, format, frameCount, metadataOf, optionsOf, resultType, samples, videoConfig } from './validate.mjs';
import { frameInput, isVideoFrame, pictureSource, sampleInput } from './inputs.mjs';
import { frameTimes, timesNow } from './times.mjs';
import { abortError, abortedState, abortGate, controlOptions, Progress, watchSignal } from './control.mjs';
import { finishTarget, memoryResult, streamTarget } from './sinks.mjs';
import { webcodecsAvailable, webcodecsObstacle, chooseConfig, WebCodecsVideo } from './webcodecs.mjs';

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((handle) => {
    try {
      handle.free();
    } catch {}
  })
  : null;

export class VideoStream {
  constructor(encoder, index, cfg, encoderName) {
    this._encoder = encoder;
    this._cfg = cfg;
    this._webcodecs = null;
    /** The stream's index in the output (the order of addVideo / addAudio). */
    this.index = index;
    this.width = cfg.width;
    this.height = cfg.height;
    this.frameRate = cfg.frameRate;
    /** 'native', 'wasm' or 'webcodecs': the encoder that runs; null until the first awaited call decides. */
    this.encoderName = encoderName;
  }

  /**
   * Encodes frames: bytes (numFrames frames in options.layout, default 'rgb-planar'), ImageData, a canvas,
   * an ImageBitmap or a VideoFrame. Resolves once the data is consumed: do not change the bytes before.
   * options.timestamps / keyFrames: per frame, in seconds / forced key frames (one picture: timestamp,
   * keyFrame; a VideoFrame's own timestamp when none is given).
   */
  addFrames(data, options) {
    return this._encoder._addFrames(this, data, options);
  }
}

export class AudioStream {
  constructor(encoder, index, cfg) {
    this._encoder = encoder;
    this._cfg = cfg;
    this.index = index;
    this.sampleRate = cfg.sampleRate;
    this.numChannels = cfg.numChannels;
  }

  /** Encodes samples in [-1, 1]: Float32Array (planar C x N, or interleaved), Float32Array[], AudioBuffer. */
  addSamples(data, options) {
    return this._encoder._addSamples(this, data, options);
  }
}

export class Encoder {
  /**
   * options.worker (browser): the whole encoder runs in its own Web Worker; options.signal: an AbortSignal
   * that aborts it; options.onProgress(stats): called after feeding calls, at most every 100 ms.
   */
  constructor(options) {
    const o = optionsOf(options, 'Encoder');
    const control = controlOptions(o);
    if (o.worker) {
      if (!platform.worker) throw polyencError('POLYENC_ERR_UNSUPPORTED', 'Encoder({ worker: true }) needs Web Workers (a browser)');
      return platform.worker(o); // an object with this class's API, whose calls run in the worker
    }
    this._backend = platform.backend('new Encoder()');
    this._h = this._backend.newEncoder();
    /** 'native' (the Node addon) or 'wasm' (the WebAssembly module). */
    this.backend = this._backend.name;
    this._streams = [];
    this._output = null; // { kind, format, type, target, end }
    this._tail = Promise.resolve();
    this._closing = null;
    this._closed = false;
    this._deferred = false; // a stream may use WebCodecs: the C streams and the open wait for _resolve()
    this._resolving = null;
    this._metadata = []; // [stream index or -1 (the container), key, value]: set again on a rebuilt encoder
    /** Called with enc.stats after feeding calls, at most every 100 ms (options.onProgress). */
    this.onprogress = control.onProgress;
    this._progress = new Progress();
    this._aborted = null; // the AbortError, once abort() was called
    this._aborting = null;
    this._gate = abortGate();
    if (registry) registry.register(this, this._h, this);
    watchSignal(control.signal, (reason) => this.abort(reason));
  }

  _state(what) {
    if (this._aborted) throw abortedState(what);
    if (this._closed || this._closing) throw polyencError('POLYENC_ERR_STATE', `${what}: the encoder was closed (close() was called)`);
  }

  _lateStream() {
    if (this._deferred && this._output)
      throw polyencError('POLYENC_ERR_STATE', 'Cannot add a stream after open() was called: add every stream before open().');
  }

  /** Adds a video stream (before open); returns the stream to feed frames to. */
  addVideo(options) {
    const cfg = videoConfig(options);
    this._state('addVideo');
    // WebCodecs is decided at the first awaited call (isConfigSupported is async; the container's default
    // codec is known after open): what already rules it out is checked now
    let candidate = cfg.encoder !== 'wasm' && webcodecsAvailable() && this.backend === 'wasm';
    if (candidate) {
      const obstacle = webcodecsObstacle(cfg, cfg.codec || 'h264');
      if (obstacle && cfg.encoder === 'webcodecs') throw polyencError('POLYENC_ERR_UNSUPPORTED', `addVideo.encoder 'webcodecs': ${obstacle}`);
      candidate = !obstacle;
    } else if (cfg.encoder === 'webcodecs') {
      throw polyencError('POLYENC_ERR_UNSUPPORTED', "addVideo.encoder 'webcodecs': this environment has no WebCodecs VideoEncoder");
    }
    if (candidate) this._lateStream();
    // the library's stream is added in any case: it checks the options, and it is WebCodecs' fallback
    const index = this._addStream(cfg, (h) => h.addVideo(cfg));
    const s = new VideoStream(this, index, cfg, candidate ? null : this.backend);
    this._streams[index] = s;
    if (candidate) this._deferred = true;
    return s;
  }

  /** Adds an audio stream (before open); returns the stream to feed samples to. */
  addAudio(options) {
    const cfg = audioConfig(options);
    this._state('addAudio');
    this._lateStream();
    const index = this._addStream(cfg, (h) => h.addAudio(cfg));
    const s = new AudioStream(this, index, cfg);
    this._streams[index] = s;
    return s;
  }

  // Adds a stream and its tags; tags the library refuses are found on a throwaway encoder first, so that a
  // refused call adds nothing.
  _addStream(cfg, add) {
    if (cfg.metadata.length) {
      const trial = this._backend.newEncoder();
      try {
        const i = add(trial);
        for (const [key, value] of cfg.metadata) trial.setMetadata(i, key, value);
      } finally {
        trial.free();
      }
    }
    const index = add(this._h);
    for (const [key, value] of cfg.metadata) this._setMetadata(this._h, index, key, value);
    return index;
  }

  _setMetadata(h, index, key, value) {
    h.setMetadata(index, key, value);
    this._metadata.push([index, key, value]);
  }

  /** The container's tags ({ title, artist, comment, date, creation_time, ... }; null removes one), before open. */
  setMetadata(tags) {
    const pairs = metadataOf(tags, 'setMetadata');
    this._state('setMetadata');
    if (this._deferred && this._output) throw polyencError('POLYENC_ERR_STATE', 'setMetadata: tags are set before open()');
    for (const [key, value] of pairs) this._setMetadata(this._h, -1, key, value);
  }

  /** What the encoder has done so far: { frames, samples, packets, bytes, seconds } (bytes = file size after close). */
  get stats() {
    return this._h.stats();
  }

  /**
   * Stops without finishing: pending calls reject with an AbortError, a file output is removed, the memory
   * is released, later calls fail. Resolves once that is done. After a successful close() it does nothing.
   */
  abort(reason) {
    if (!this._aborting && this._closed) this._aborting = Promise.resolve(); // finished: nothing to stop
    if (!this._aborting) {
      this._aborted = abortError(reason);
      this._gate.reject(this._aborted);
      this._aborting = this._abortAll();
    }
    return this._aborting;
  }

  async _abortAll() {
    for (const s of this._streams) if (s && s._webcodecs) s._webcodecs.close();
    try {
      await this._h.abort();
    } catch {}
    const out = this._output;
    if (out && out.kind === 'stream') await finishTarget(out.target, this._aborted, out.end);
    this._closed = true;
    if (registry) registry.unregister(this);
  }

  /** Output to a file (Node); the container comes from options.format, else from the extension. */
  openFile(path, options) {
    const o = optionsOf(options, 'openFile');
    const p = filePath(platform.filePath ? platform.filePath(path) : path);
    this._open({ kind: 'file', path: p, format: format(o, 'openFile', false) });
  }

  /** Output to memory: close() resolves to the whole file (options.type: 'blob', 'buffer', 'uint8array'). */
  openMemory(options) {
    const o = optionsOf(options, 'openMemory');
    const out = { kind: 'memory', format: format(o, 'openMemory') };
    out.type = resultType(o, 'openMemory') || platform.resultType;
    this._open(out);
  }

  /** Output to a WHATWG WritableStream or a Node Writable, with backpressure; mp4/mov become fragmented. */
  openStream(writable, options) {
    const o = optionsOf(options, 'openStream');
    const f = format(o, 'openStream');
    this._state('openStream');
    if (this._output) throw polyencError('POLYENC_ERR_STATE', 'open() was already called.');
    const target = streamTarget(writable);
    try {
      this._open({ kind: 'stream', format: f, target, end: o.end !== false });
    } catch (e) {
      if (target.release) target.release();
      throw e;
    }
  }

  _open(out) {
    this._state(`open${out.kind === 'file' ? 'File' : out.kind === 'memory' ? 'Memory' : 'Stream'}`);
    if (this._deferred) {
      if (this._output) throw polyencError('POLYENC_ERR_STATE', 'open() was already called.');
      this._trialOpen(out.format || out.path);
    } else {
      this._cOpen(out);
    }
    this._output = out;
  }

  _cOpen(out) {
    const h = this._h;
    if (out.kind === 'file') h.openFile(out.path, out.format);
    else if (out.kind === 'memory') h.openMemory(out.format);
    else h.openWriter((chunk) => out.target.write(chunk), out.format);
  }

  // With WebCodecs candidates the real open waits; a throwaway encoder with the same streams opens now,
  // so that what the library refuses is thrown by this call, as without WebCodecs.
  _trialOpen(name) {
    const trial = this._backend.newEncoder();
    try {
      for (const s of this._streams) s instanceof VideoStream ? trial.addVideo(s._cfg) : trial.addAudio(s._cfg);
      for (const [index, key, value] of this._metadata) trial.setMetadata(index, key, value);
      trial.openMemory(name);
    } finally {
      trial.free();
    }
  }

  // Decides 'auto' streams once the output is known: WebCodecs when the browser supports the stream's
  // codec and settings. The library's encoder is then built again with mux-only streams in their places
  // (same order), and the output opened. Runs once; its error is every later call's.
  _resolve() {
    if (!this._deferred || !this._output) return undefined;
    if (!this._resolving) this._resolving = this._build();
    return this._resolving;
  }

  async _build() {
    const chosen = [];
    const defaultCodec = this._backend.defaultVideoCodec(this._output.format) || 'h264';
    for (const s of this._streams) {
      if (!(s instanceof VideoStream) || s.encoderName) continue;
      const cfg = s._cfg;
      const codec = cfg.codec || defaultCodec;
      const obstacle = webcodecsObstacle(cfg, codec);
      const choice = obstacle ? { reason: obstacle } : await chooseConfig(cfg, codec);
      if (this._aborted) throw this._aborted;
      if (choice.reason) {
        if (cfg.encoder === 'webcodecs') throw polyencError('POLYENC_ERR_UNSUPPORTED', `addVideo.encoder 'webcodecs': ${choice.reason}`);
        s.encoderName = this.backend;
        continue;
      }
      s._webcodecs = new WebCodecsVideo(choice, cfg, (chunk, pts, duration) => this._h.addPacket(s.index, chunk, pts, duration),
        (pts, n) => this._h.nextPts(s.index, pts, n),
        (bytes, layout) => this._h.convertFrame(bytes, layout, cfg.width, cfg.height, choice.pixelFormat));
      s.encoderName = 'webcodecs';
      chosen.push(s);
    }
    if (chosen.length) {
      const descriptions = new Map();
      for (const s of chosen) descriptions.set(s, await s._webcodecs.probe());
      if (this._aborted) throw this._aborted;
      // a fresh encoder: the same streams in the same order, WebCodecs' ones mux-only
      if (registry) registry.unregister(this);
      this._h.free();
      this._h = this._backend.newEncoder();
      if (registry) registry.register(this, this._h, this);
      for (const s of this._streams) {
        if (s._webcodecs) this._h.addEncodedVideo(s._cfg, s._webcodecs.choice, descriptions.get(s));
        else if (s instanceof VideoStream) this._h.addVideo(s._cfg);
        else this._h.addAudio(s._cfg);
      }
      for (const [index, key, value] of this._metadata) this._h.setMetadata(index, key, value);
    }
    this._cOpen(this._output);
  }

  // Queues one call: prepare (may await: reading a canvas, a VideoFrame) then submit (starts the backend's
  // work, returns its completion). The next call starts once this one is submitted (native: the addon's
  // thread works meanwhile) or done (wasm).
  _run(prepare, submit) {
    const started = this._tail.then(async () => {
      if (this._aborted) throw this._aborted;
      await this._resolve();
      const input = await prepare();
      return { done: submit(input) };
    });
    this._tail = started.then((r) => (this._h.pipelined ? undefined : r.done)).catch(() => {});
    const done = started.then((r) => r.done).catch((e) => {
      throw this._aborted || this._decorate(e);
    });
    return Promise.race([done, this._gate.promise]);
  }

  _decorate(err) {
    const t = this._output && this._output.target;
    if (err && err.code === 'POLYENC_ERR_IO' && t && t.error && err.cause === undefined) err.cause = t.error;
    return err;
  }

  // A feeding call: its options and the encoder's state are checked at once (a rejection, not a throw),
  // then it is queued (_run): prepare(o) reads the input, submit(input, o) hands it over.
  // readOptions() -> the call's options, read before anything else and inside the try: a getter that throws
  // rejects the call's promise, as every other bad argument does
  _feed(what, readOptions, prepare, submit) {
    let o;
    try {
      o = optionsOf(readOptions(), what);
      this._state(what);
    } catch (e) {
      return Promise.reject(e);
    }
    return this._run(() => prepare(o), (input) => submit(input, o)).then((result) => {
      this._progress.report(this, () => this.stats);
      return result;
    });
  }

  // ownTimestamp false: a VideoFrame's timestamp is not the caller's (worker mode wraps pictures in one)
  _addFrames(stream, data, options, ownTimestamp = true) {
    // a stream still undecided between WebCodecs and wasm ('auto') whose first call brings a layout of more
    // than 8 bits goes to the wasm encoder (webcodecsObstacle); once decided, a WebCodecs stream refuses them
    const read = () => {
      const o = timesNow(options);
      const l = o !== null && typeof o === 'object' ? o.layout : undefined;
      if (typeof l === 'string' && DEEP_LAYOUTS[l] && !stream.encoderName && !this._resolving) stream._cfg.deepLayout ??= l;
      return o;
    };
    return this._feed('addFrames', read, async (o) => {
      const own = ownTimestamp && isVideoFrame(data) ? data.timestamp / 1e6 : null;
      // an 8-bit WebCodecs stream wraps a picture without a copy; a 10-bit one converts its bytes itself
      const picture = stream._webcodecs && !stream._webcodecs.tenBit && pictureSource(data, stream);
      if (picture) return { picture, times: frameTimes(o, 1, stream, own) };
      const input = await frameInput(data, o.layout, stream);
      if (stream._webcodecs && !stream._webcodecs.tenBit && DEEP_LAYOUTS[input.layout]) {
        // layouts are per call: a stream WebCodecs encodes in 8 bits takes none of more than 8 bits
        throw polyencError('POLYENC_ERR_UNSUPPORTED', `addFrames: layout '${input.layout}' needs the wasm encoder, and ` +
          "this stream is WebCodecs': add the stream with encoder: 'wasm'");
      }
      input.n = frameCount(input.bytes, input.layout, stream, input.single ? 1 : o.numFrames);
      input.times = frameTimes(o, input.n, stream, own);
      return input;
    }, (input) => {
      const { pts, keys } = input.times;
      if (!stream._webcodecs) return this._h.addFrames(stream.index, input.bytes, input.layout, input.n, stream.width, stream.height, pts, keys);
      return stream._webcodecs.add(input.picture || { bytes: input.bytes, layout: input.layout, numFrames: input.n }, input.times);
    });
  }

  _addSamples(stream, data, options) {
    return this._feed('addSamples', () => options, (o) => samples(sampleInput(data), o.layout, stream),
      (input) => this._h.addSamples(stream.index, input, stream.numChannels));
  }

  /**
   * Flushes every stream and writes the trailer. Resolves to the file for openMemory (a Buffer in Node, a
   * Blob in the browser, or options.type), else undefined. A second call returns the same promise.
   */
  close() {
    if (this._aborted && !this._closing) {
      this._closing = Promise.reject(this._aborted);
      this._closing.catch(() => {});
    }
    if (!this._closing) {
      this._closing = this._run(() => undefined, () => this._close());
      this._closing.catch(() => {}).then(() => {
        this._closed = true;
        if (registry) registry.unregister(this);
      });
    }
    return this._closing;
  }

  async _close() {
    const out = this._output;
    let result;
    let error = null;
    try {
      for (const s of this._streams) if (s._webcodecs) await s._webcodecs.flush();
      const bytes = await this._h.close();
      if (out && out.kind === 'memory') result = memoryResult(bytes, out.type, out.format, this._streams.some((s) => s instanceof VideoStream));
    } catch (e) {
      error = this._decorate(e);
    } finally {
      for (const s of this._streams) if (s._webcodecs) s._webcodecs.close();
    }
    if (out && out.kind === 'stream') error = await finishTarget(out.target, error, out.end);
    if (error) throw error;
    this._closed = true; // (now, not a turn later: abort() right after close() changes nothing)
    return result;
  }
}

/** The same as new Encoder(options). */
export function createEncoder(options) {
  return new Encoder(options);
}

