// The Web Worker behind new Encoder({ worker: true }) (polyenc.mjs starts one per encoder): it loads the
// WebAssembly module (the compiled module comes from the page, so nothing is compiled twice) and runs an
// ordinary Encoder, one call after the other in the order the page made them.
import { init, Encoder } from './polyenc.mjs';

let encoder = null;
const streams = [];
let chain = Promise.resolve();

const ops = {
  async init(options) {
    await init(options);
    encoder = new Encoder();
  },
  addVideo(options) {
    const s = encoder.addVideo(options);
    streams[s.index] = s;
    return s.index;
  },
  addAudio(options) {
    const s = encoder.addAudio(options);
    streams[s.index] = s;
    return s.index;
  },
  openMemory(options) {
    encoder.openMemory(options);
  },
  openStream(writable, options) {
    encoder.openStream(writable, options);
  },
  async addFrames(index, msg) {
    const s = streams[index];
    if (!s) throw Object.assign(new Error(`no video stream with index ${index}`), { code: 'POLYENC_ERR_ARGUMENT' });
    if (msg.videoFrame) {
      try {
        await s.addFrames(msg.videoFrame);
      } finally {
        msg.videoFrame.close();
      }
    } else {
      await s.addFrames(msg.bytes, msg.single ? { layout: 'rgba', numFrames: 1 } : { layout: msg.layout, numFrames: msg.numFrames });
    }
    return s.encoderName; // known once the first call has run ('auto': WebCodecs or wasm)
  },
  async addSamples(index, data, options) {
    const s = streams[index];
    if (!s) throw Object.assign(new Error(`no audio stream with index ${index}`), { code: 'POLYENC_ERR_ARGUMENT' });
    await s.addSamples(data, options);
  },
  async close() {
    return encoder.close();
  },
};

self.onmessage = (ev) => {
  const { id, op, args } = ev.data;
  chain = chain.then(async () => {
    try {
      const result = await ops[op](...args);
      const transfer = result instanceof Uint8Array ? [result.buffer] : [];
      self.postMessage({ id, ok: true, result }, transfer);
    } catch (e) {
      self.postMessage({
        id, ok: false,
        error: { message: e && e.message ? e.message : String(e), code: e && e.code, status: e && e.status, name: e && e.name },
      });
    }
  });
};
