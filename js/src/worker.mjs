// The Web Worker of worker mode (worker-proxy.mjs starts one per encoder): it loads the WebAssembly module
// (compiled by the page, so nothing is compiled twice) and runs an ordinary Encoder, one call after the
// other in the order the page made them. The page has checked every call already.
import { init, Encoder } from './index.browser.mjs';
import { serialize } from './errors.mjs';

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
  },
  addAudio(options) {
    const s = encoder.addAudio(options);
    streams[s.index] = s;
  },
  openMemory(options) {
    encoder.openMemory(options);
  },
  openStream(writable, options) {
    encoder.openStream(writable, options);
  },
  setMetadata(tags) {
    encoder.setMetadata(tags);
  },
  async addFrames(index, msg) {
    const s = streams[index];
    if (msg.videoFrame) {
      try {
        await s._encoder._addFrames(s, msg.videoFrame, msg.times, msg.own);
      } finally {
        msg.videoFrame.close();
      }
    } else {
      await s.addFrames(msg.bytes, { ...msg.times, layout: msg.layout, numFrames: msg.numFrames });
    }
    return s.encoderName; // known once the first call has run ('auto': WebCodecs or wasm)
  },
  async addSamples(index, data, options) {
    await streams[index].addSamples(data, options);
  },
  close() {
    return encoder.close();
  },
};

const statsOf = () => (encoder ? encoder.stats : null);

self.onmessage = (ev) => {
  const { id, op, args } = ev.data;
  if (op === 'abort') { // at once, not after the queued calls (it makes them fail)
    (encoder ? encoder.abort() : Promise.resolve()).finally(() => self.postMessage({ id, ok: true, stats: statsOf() }));
    return;
  }
  chain = chain.then(async () => {
    try {
      const result = await ops[op](...args);
      self.postMessage({ id, ok: true, result, stats: statsOf() }, result instanceof Uint8Array ? [result.buffer] : []);
    } catch (e) {
      self.postMessage({ id, ok: false, error: serialize(e), stats: statsOf() });
    }
  });
};
