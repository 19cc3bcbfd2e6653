// Worker mode, the page's side: new Encoder({ worker: true }) runs the encoder in its own Web Worker
// (worker.mjs), so the page never freezes. The calls are checked here first, as in direct mode, and the
// synchronous ones on a main-thread Encoder of the same streams: the same errors, thrown at once. Then
// they are posted in order; frames are turned into transferable bytes (or VideoFrames) here.
import { polyencError, revive } from './errors.mjs';
import { Encoder, VideoStream, AudioStream } from './encoder.mjs';
import { optionsOf, frameCount, samples } from './validate.mjs';
import { frameInput, hasAlpha, isImageDataLike, isVideoFrame, layoutView, pictureSource, sampleInput } from './inputs.mjs';
import { memoryResult } from './sinks.mjs';
import { timesNow } from './times.mjs';
import { abortError, abortedState, abortGate, controlOptions, Progress, watchSignal } from './control.mjs';

const NO_STATS = Object.freeze({ frames: 0, samples: 0, packets: 0, bytes: 0, seconds: 0 });
const ABORT_WAIT = 2000; // ms the worker gets to release its encoder before it is terminated

export class WorkerEncoder {
  constructor(o, backend) {
    this.backend = 'wasm';
    this._check = new Encoder(); // checks the synchronous calls; freed once the output is open
    // written out so that bundlers see the worker (Vite, webpack 5: `new Worker(new URL(...))`)
    this._worker = o.workerUrl
      ? new Worker(o.workerUrl, { type: 'module' })
      : new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
    this._pending = new Map();
    this._nextId = 1;
    this._error = null; // a failure of a call that returned at once (should not happen: it was checked)
    this._output = null;
    this._hasVideo = false;
    this._closing = null;
    this._queue = Promise.resolve(); // the calls' messages, posted in the order of the calls (see _send)
    this._stats = NO_STATS; // the worker's encoder's, sent with each answer
    const control = controlOptions(o);
    this.onprogress = control.onProgress;
    this._progress = new Progress();
    this._aborted = null;
    this._aborting = null;
    this._gate = abortGate();
    this._worker.onmessage = (ev) => {
      const { id, ok, result, error, stats } = ev.data;
      if (stats) this._stats = stats;
      const p = this._pending.get(id);
      if (!p) return;
      this._pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(revive(error));
    };
    this._worker.onerror = (ev) => {
      const err = polyencError('POLYENC_ERR_CODEC', `polyenc worker failed: ${ev.message || 'error'}`);
      for (const p of this._pending.values()) p.reject(err);
      this._pending.clear();
      this._error = this._error || err;
    };
    this._call('init', [{ ...backend.loadOptions, variant: backend.variant, module: backend.compiled }]);
    watchSignal(control.signal, (reason) => this.abort(reason));
  }

  get stats() {
    return { ...this._stats };
  }

  setMetadata(tags) {
    this._checker('setMetadata').setMetadata(tags);
    this._post('setMetadata', [tags]);
  }

  /** As Encoder's abort(): the worker releases its encoder, then it is terminated. */
  abort(reason) {
    if (!this._aborting && this._done) this._aborting = Promise.resolve(); // finished: nothing to stop
    if (!this._aborting) {
      const err = (this._aborted = abortError(reason));
      this._gate.reject(err);
      for (const p of this._pending.values()) p.reject(err);
      this._pending.clear();
      this._aborting = (async () => {
        // 'abort' does not wait behind the queued calls: the worker runs it at once
        const answered = new Promise((resolve) => {
          const id = this._nextId++;
          this._pending.set(id, { resolve, reject: resolve });
          this._worker.postMessage({ id, op: 'abort', args: [] });
        });
        await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, ABORT_WAIT))]);
        this._worker.terminate();
        if (this._check) this._check._h.free();
        this._check = null;
      })();
    }
    return this._aborting;
  }

  _call(op, args, transfer = []) {
    const id = this._nextId++;
    const p = new Promise((resolve, reject) => this._pending.set(id, { resolve, reject }));
    this._worker.postMessage({ id, op, args }, transfer);
    return p;
  }

  // Posts a call's message after the messages of the calls made before it, whatever their preparation
  // awaits (reading bytes, an ImageData): the worker runs the calls in the order they were made, close()
  // last. prepare() -> [op, args, transfer]. Resolves to the worker's answer.
  _send(prepare) {
    const posted = this._queue.then(async () => {
      if (this._aborted) throw this._aborted;
      const [op, args, transfer] = await prepare();
      if (this._aborted) throw this._aborted;
      return { answer: this._call(op, args, transfer) };
    });
    this._queue = posted.catch(() => {});
    return Promise.race([posted.then((r) => r.answer), this._gate.promise]);
  }

  _post(op, args, transfer) {
    this._send(() => [op, args, transfer]).catch((e) => (this._error = this._error || e));
  }

  _feeding(what) {
    if (this._aborted) throw abortedState(what);
    if (this._closing) throw polyencError('POLYENC_ERR_STATE', `${what}: the encoder was closed (close() was called)`);
    this._rethrow();
  }

  _rethrow() {
    if (this._error) throw this._error;
  }

  _checker(what) {
    if (this._aborted) throw abortedState(what);
    if (this._closing) throw polyencError('POLYENC_ERR_STATE', `${what}: the encoder was closed (close() was called)`);
    if (!this._check) throw polyencError('POLYENC_ERR_STATE', 'Cannot add a stream after open() was called: add every stream before open().');
    return this._check;
  }

  addVideo(options) {
    const s = this._checker('addVideo').addVideo(options);
    this._post('addVideo', [options]);
    this._hasVideo = true;
    return new VideoStream(this, s.index, s._cfg, s.encoderName === 'wasm' ? 'wasm' : null); // 'auto': the worker says
  }

  addAudio(options) {
    const s = this._checker('addAudio').addAudio(options);
    this._post('addAudio', [options]);
    return new AudioStream(this, s.index, s._cfg);
  }

  openFile(path, options) {
    this._checker('openFile').openFile(path, options); // throws: the browser has no files
  }

  _opened(out) {
    this._output = out;
    this._check._h.free();
    this._check = null;
  }

  openMemory(options) {
    if (this._output) throw polyencError('POLYENC_ERR_STATE', 'open() was already called.');
    const check = this._checker('openMemory');
    check.openMemory(options);
    const type = check._output.type;
    this._post('openMemory', [{ format: check._output.format, type: 'uint8array' }]);
    this._opened({ kind: 'memory', format: check._output.format, type });
  }

  openStream(writable, options) {
    if (this._output) throw polyencError('POLYENC_ERR_STATE', 'open() was already called.');
    const o = optionsOf(options, 'openStream');
    const check = this._checker('openStream');
    check.openMemory({ format: o.format }); // the format's checks (a memory output stands for the stream)
    // only a real WritableStream can be handed to the worker (it is transferable)
    if (typeof WritableStream !== 'function' || !(writable instanceof WritableStream))
      throw polyencError('POLYENC_ERR_UNSUPPORTED', 'openStream in worker mode: the output must be a WritableStream');
    if (writable.locked) throw polyencError('POLYENC_ERR_STATE', 'openStream: the WritableStream is locked (it already has a writer)');
    this._post('openStream', [writable, { format: o.format, end: o.end }], [writable]);
    this._opened({ kind: 'stream' });
  }

  _addFrames(stream, data, options) {
    const now = timesNow(options); // the arrays as they are at the call
    return (async () => {
      const o = optionsOf(now, 'addFrames');
      this._feeding('addFrames');
      const picture = pictureSource(data, stream);
      let videoFrame = null; // a picture is taken now (the caller may draw the next one at once)
      const own = isVideoFrame(picture); // its timestamp is the caller's; a wrapper's is not
      // a canvas / ImageBitmap for a stream with alpha is read out now as RGBA: Chromium's VideoFrame of a
      // canvas holds premultiplied bytes that it then gives as straight alpha (frameInput reads the pixels
      // at once, before its first await)
      const readNow = picture && !own && hasAlpha(stream._cfg && stream._cfg.pixelFormat) ? frameInput(data, o.layout, stream) : null;
      if (own) videoFrame = picture.clone(); // the caller keeps (and closes) its own frame
      else if (picture && !readNow && typeof VideoFrame === 'function') videoFrame = new VideoFrame(picture, { timestamp: 0 }); // no copy
      const times = { timestamp: o.timestamp, keyFrame: o.keyFrame, timestamps: o.timestamps, keyFrames: o.keyFrames };
      stream.encoderName = await this._send(async () => {
        if (videoFrame) return ['addFrames', [stream.index, { videoFrame, own, times }], [videoFrame]];
        const transfer = [];
        const input = await (readNow || frameInput(data, o.layout, stream));
        const numFrames = frameCount(input.bytes, input.layout, stream, input.single ? 1 : o.numFrames);
        let bytes = input.bytes;
        if (ArrayBuffer.isView(data)) {
          bytes = layoutView(bytes, input.layout); // the worker checks the caller's array type again (Uint16Array ...)
          if (o.transfer) transfer.push(bytes.buffer); // else copied by postMessage: the caller keeps its bytes
        } else {
          if (isImageDataLike(data)) bytes = bytes.slice(); // the ImageData stays the caller's
          transfer.push(bytes.buffer);
        }
        return ['addFrames', [stream.index, { bytes, layout: input.layout, numFrames, times }], transfer];
      });
      this._progress.report(this, () => this.stats);
    })();
  }

  _addSamples(stream, data, options) {
    return (async () => {
      const o = optionsOf(options, 'addSamples');
      this._feeding('addSamples');
      const input = samples(sampleInput(data), o.layout, stream);
      const chans = input.channels && input.channels.map((c) => c.slice());
      const payload = chans || input.flat;
      await this._send(() => ['addSamples', [stream.index, payload, { layout: input.channels ? undefined : input.layout }],
        chans ? chans.map((c) => c.buffer) : []]);
      this._progress.report(this, () => this.stats);
    })();
  }

  close() {
    if (this._aborted && !this._closing) {
      this._closing = Promise.reject(this._aborted);
      this._closing.catch(() => {});
    }
    if (!this._closing) {
      this._closing = (async () => {
        try {
          this._rethrow();
          const bytes = await this._send(() => ['close', []]);
          this._done = true;
          if (this._output && this._output.kind === 'memory') return memoryResult(bytes, this._output.type, this._output.format, this._hasVideo);
          return undefined;
        } finally {
          if (!this._aborted) {
            this._worker.terminate();
            if (this._check) this._check._h.free();
            this._check = null;
          }
        }
      })();
    }
    return this._closing;
  }
}
