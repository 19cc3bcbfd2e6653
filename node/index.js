'use strict';
// polyenc for Node.js: RGB frames and float PCM samples in, a media file out.
//
//   const { Encoder } = require('polyenc');
//   const enc = new Encoder();
//   const video = enc.addVideo({ width: 1280, height: 720, frameRate: 30 });
//   enc.openFile('out.mp4');
//   await video.addFrames(rgb, { layout: 'rgb24' });
//   await enc.close();
//
// The encoding runs on one native worker thread per encoder; every feeding
// method returns a promise that settles once the worker has consumed the data.
// Until then the addon holds the caller's typed array WITHOUT copying it: do
// not modify (or transfer) that array before the promise settles.

const path = require('node:path');
const fs = require('node:fs');
const { Stream, Writable, finished } = require('node:stream');

function loadBinding() {
  const candidates = [];
  if (process.env.POLYENC_NODE_ADDON) candidates.push(path.resolve(process.env.POLYENC_NODE_ADDON));
  candidates.push(
    path.join(__dirname, 'build', 'polyenc_node.node'), // npm install / scripts/build.js
    path.join(__dirname, 'build', 'node', 'polyenc_node.node'),
    path.join(__dirname, '..', 'build-node', 'node', 'polyenc_node.node'), // cmake -B build-node -DPOLYENC_NODE=ON
    path.join(__dirname, '..', 'build', 'node', 'polyenc_node.node'),
  );
  for (const file of candidates) {
    if (fs.existsSync(file)) return require(file);
  }
  const err = new Error(
    'polyenc: the native addon polyenc_node.node is not built. Run `npm install` (or `npm run build`) in ' +
      `${__dirname}, or set POLYENC_NODE_ADDON to its path. Looked in:\n  ${candidates.join('\n  ')}`,
  );
  err.code = 'MODULE_NOT_FOUND';
  throw err;
}

const binding = loadBinding();

// Wrong JS types: a TypeError with the code the addon gives its own (ERR_INVALID_ARG_TYPE).
function typeError(message) {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}

function checkOptions(options, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') {
    throw typeError(`${what}: options must be an object, got ${typeof options}`);
  }
  return options;
}

function toWritable(target) {
  if (typeof WritableStream !== 'undefined' && target instanceof WritableStream) {
    return Writable.fromWeb(target);
  }
  if (
    !target ||
    typeof target !== 'object' ||
    typeof target.write !== 'function' ||
    typeof target.on !== 'function' ||
    typeof target.end !== 'function'
  ) {
    throw typeError(
      'openStream: expected a Node Writable (fs.createWriteStream, an HTTP response, a socket, ...) or a ' +
        `WHATWG WritableStream, got ${target === null ? 'null' : typeof target}`,
    );
  }
  return target;
}

// The sink the native writer calls with each chunk of the output, on the JS thread. It returns true when
// the Writable took the chunk, or false and calls done() once the Writable drained (or failed): until then
// the native worker waits, which is how a slow consumer slows the encoder down.
function makeSink(writable, state) {
  return function sink(chunk, done) {
    if (state.error) throw state.error;
    if (writable.destroyed || writable.writableEnded) {
      state.error = new Error('openStream: the writable was closed before the encoder finished');
      throw state.error;
    }
    let taken;
    try {
      taken = writable.write(chunk);
    } catch (err) {
      if (!state.error) state.error = err; // the cause of the POLYENC_ERR_IO that follows
      throw err;
    }
    if (taken) return true;
    let called = false;
    const finish = (err) => {
      if (called) return;
      called = true;
      writable.off('drain', onDrain);
      writable.off('error', onError);
      writable.off('close', onClose);
      done(err);
    };
    const onDrain = () => finish();
    const onError = (err) => {
      if (!state.error) state.error = err;
      finish(err);
    };
    const onClose = () => {
      if (!state.error) state.error = new Error('openStream: the writable was closed before the encoder finished');
      finish(state.error);
    };
    writable.on('drain', onDrain);
    writable.on('error', onError);
    writable.on('close', onClose);
    return false;
  };
}

function isImageDataLike(v) {
  return (
    v !== null &&
    typeof v === 'object' &&
    !ArrayBuffer.isView(v) &&
    v.data instanceof Uint8ClampedArray &&
    Number.isInteger(v.width) &&
    Number.isInteger(v.height)
  );
}

const kNative = Symbol('polyenc.native');
const kDecorate = Symbol('polyenc.decorate');

class VideoStream {
  constructor(encoder, native, index, options) {
    this[kNative] = native;
    this._encoder = encoder;
    /** Stream index in the output (order of addVideo/addAudio calls). */
    this.index = index;
    this.width = options.width;
    this.height = options.height;
    this.frameRate = options.frameRate;
    /** The encoder that runs: always 'native' here (the browser build: 'webcodecs' or 'wasm'). */
    this.encoderName = 'native';
  }

  /**
   * Encodes frames. data: Buffer | Uint8Array | Uint8ClampedArray holding numFrames frames in `layout`
   * (default 'rgb-planar', N x 3 x H x W). numFrames defaults to the whole data. Resolves once the worker
   * has consumed the data: do not modify `data` before.
   */
  async addFrames(data, options) {
    const o = checkOptions(options, 'addFrames');
    let layout = o.layout;
    if (isImageDataLike(data)) {
      // ImageData (or its shape, e.g. from node-canvas): one RGBA frame.
      if (data.width !== this.width || data.height !== this.height) {
        throw Object.assign(
          new Error(`addFrames: ImageData is ${data.width}x${data.height}, the stream is ${this.width}x${this.height}`),
          { code: 'POLYENC_ERR_ARGUMENT' },
        );
      }
      data = data.data;
      layout = 'rgba';
    }
    try {
      return await this[kNative].addFrames(this.index, data, layout, o.numFrames);
    } catch (err) {
      throw this._encoder[kDecorate](err);
    }
  }
}

class AudioStream {
  constructor(encoder, native, index, options) {
    this[kNative] = native;
    this._encoder = encoder;
    this.index = index;
    this.sampleRate = options.sampleRate;
    this.numChannels = options.numChannels;
  }

  /**
   * Encodes samples in [-1, 1]. data: one Float32Array (layout 'planar' = C x N, the default, or
   * 'interleaved' = N x C) or an array of Float32Array, one per channel (copied into one block on the
   * worker). Resolves once the worker has consumed the data: do not modify `data` before.
   */
  async addSamples(data, options) {
    const o = checkOptions(options, 'addSamples');
    try {
      return await this[kNative].addSamples(this.index, data, o.layout);
    } catch (err) {
      throw this._encoder[kDecorate](err);
    }
  }
}

class Encoder {
  constructor() {
    this[kNative] = new binding.NativeEncoder();
    this._stream = null; // openStream state
    this._closing = null;
  }

  /** Adds a video stream (before open). Returns the stream to feed frames to. */
  addVideo(options) {
    const index = this[kNative].addVideo(options);
    return new VideoStream(this, this[kNative], index, options);
  }

  /** Adds an audio stream (before open). Returns the stream to feed samples to. */
  addAudio(options) {
    const index = this[kNative].addAudio(options);
    return new AudioStream(this, this[kNative], index, options);
  }

  /** Output to a file; the format comes from the extension unless options.format says otherwise. */
  openFile(filePath, options) {
    const o = checkOptions(options, 'openFile');
    if (filePath instanceof URL) filePath = require('node:url').fileURLToPath(filePath);
    this[kNative].openFile(filePath, o.format);
  }

  /** Output to memory; close() resolves to a Buffer with the whole file. */
  openMemory(options) {
    const o = checkOptions(options, 'openMemory');
    if (o.format === undefined) throw typeError("openMemory: options.format is required (e.g. { format: 'mp4' })");
    this[kNative].openMemory(o.format);
  }

  /**
   * Output to a Node Writable (or a WHATWG WritableStream). Not seekable: mp4/mov become fragmented MP4.
   * Backpressure is honoured: when write() returns false, encoding waits for 'drain'. close() ends the
   * writable (unless options.end === false) and resolves once it has finished.
   */
  openStream(writable, options) {
    const o = checkOptions(options, 'openStream');
    const w = toWritable(writable);
    if (o.format === undefined) throw typeError("openStream: options.format is required (e.g. { format: 'mp4' })");
    const state = { writable: w, error: null, end: o.end !== false, onError: null };
    state.onError = (err) => {
      if (!state.error) state.error = err;
    };
    w.on('error', state.onError);
    try {
      this[kNative].openStream(makeSink(w, state), o.format);
    } catch (err) {
      w.off('error', state.onError);
      throw this[kDecorate](err, state);
    }
    this._stream = state;
  }

  /**
   * Flushes every stream and writes the trailer. Resolves to a Buffer for openMemory, else undefined.
   * A second call returns the same promise.
   */
  close() {
    if (!this._closing) this._closing = this._close();
    return this._closing;
  }

  async _close() {
    const state = this._stream;
    let result;
    try {
      result = await this[kNative].close();
    } catch (err) {
      // The Writable is destroyed with the error; the 'error' event that follows is this rejection's, so
      // the listener stays (without one, an 'error' event would be an uncaught exception).
      const w = state && state.writable;
      if (w && state.end && !w.destroyed && typeof w.destroy === 'function') w.destroy(state.error || err);
      throw this[kDecorate](err);
    }
    if (state) {
      const w = state.writable;
      try {
        if (state.error) throw state.error; // failed after it took the last chunk
        if (state.end && w.destroyed && !w.writableFinished) {
          throw new Error('openStream: the writable was closed before the encoder finished');
        }
        if (state.end && !w.destroyed) {
          await new Promise((resolve, reject) => {
            if (w instanceof Stream) {
              finished(w, (err) => (err ? reject(err) : resolve()));
              w.end();
            } else {
              w.end(() => resolve()); // a WritableLike that is not a Node stream: its end callback is the finish
            }
          });
        }
      } catch (cause) {
        // the listener stays: the Writable's 'error' event is reported by this rejection
        throw Object.assign(new Error(`openStream: writing the output failed: ${cause && cause.message ? cause.message : cause}`),
          { code: 'POLYENC_ERR_IO', status: -4, cause });
      }
      w.off('error', state.onError);
    }
    return result;
  }

  [kDecorate](err, state = this._stream) {
    if (err && err.code === 'POLYENC_ERR_IO' && state && state.error && err.cause === undefined) {
      err.cause = state.error;
    }
    return err;
  }
}

module.exports = {
  Encoder,
  VideoStream,
  AudioStream,
  /** Version of the C library. */
  version: binding.version,
  /** True if the codec (spec or implementation name) can be opened on this machine. */
  hasEncoder: binding.hasEncoder,
  /** Number of CUDA devices usable for video streams (0 without CUDA support). */
  cudaDeviceCount: binding.cudaDeviceCount,
  /** Nothing to initialise in Node; here so that code shared with the browser build runs unchanged. */
  init: async () => {},
};
module.exports.default = module.exports;
