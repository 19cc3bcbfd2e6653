// The page's side of timestamps.test.mjs (loaded into tests/browser/page.html by the test, whose
// functions it then calls): per-frame timestamps and key frames, metadata and rotation, stats and
// progress, abort, bad input; through the wasm encoders and WebCodecs, directly and in worker mode. Each
// function returns plain data (outputs as base64, errors as { name, code, message }); the files are
// checked in Node with ffprobe.
import { init, Encoder, backendInfo } from '/js/src/index.browser.mjs';

const W = 64, H = 48;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// frames of a slowly moving pattern (no scene cut for the encoders to find), RGBA
function rgba(n, start = 0, w = W, h = H) {
  const b = new Uint8Array(w * h * 4 * n);
  for (let f = 0; f < n; f++) {
    const k = start + f;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = ((f * h + y) * w + x) * 4;
        b[i] = (x * 3 + k * 2) & 255;
        b[i + 1] = (y * 4 + k) & 255;
        b[i + 2] = ((x + k) >> 3) & 1 ? 180 : 60;
        b[i + 3] = 255;
      }
    }
  }
  return b;
}

// a canvas showing frame k of the same pattern
function canvasOf(k, w = W, h = H) {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  c.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba(1, k, w, h).buffer), w, h), 0, 0);
  return c;
}
const imageDataOf = (k) => new ImageData(new Uint8ClampedArray(rgba(1, k).buffer), W, H);

export const errorInfo = (e) => (e && typeof e === 'object'
  ? { name: e.name, code: e.code, message: e.message, isTypeError: e instanceof TypeError }
  : { thrown: String(e) });

// The outcome of a call: { ok: true } or the error, whether thrown at once or as a rejection
async function outcome(fn) {
  try {
    const p = fn();
    if (p && typeof p.then === 'function') await p;
    return { ok: true };
  } catch (e) {
    return errorInfo(e);
  }
}
const settled = (p) => p.then(() => ({ ok: true }), (e) => errorInfo(e));

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
const blobB64 = async (blob) => b64(new Uint8Array(await blob.arrayBuffer()));

// the wasm encoders at their fastest (libvpx options rule WebCodecs out: only with encoder 'wasm')
function videoOptions(encoder, format, extra = {}) {
  const fast = encoder !== 'wasm' ? {} : format === 'webm' ? { options: { deadline: 'realtime', 'cpu-used': 8 } } : { preset: 'veryfast' };
  const codec = encoder === 'wasm' ? undefined : format === 'webm' ? 'vp9' : 'h264';
  return { width: W, height: H, frameRate: 30, encoder, ...(codec ? { codec } : {}), ...fast, ...extra };
}

/** What this browser's VideoEncoder takes, asked directly (not through polyenc): { h264, vp9 }. */
export async function support() {
  await init();
  const out = { videoEncoder: typeof VideoEncoder === 'function', h264: false, vp9: false, workerVideoEncoder: false };
  if (!out.videoEncoder) return out;
  const ok = async (config) => {
    try {
      return (await VideoEncoder.isConfigSupported({ width: W, height: H, framerate: 30, bitrate: 200000, ...config })).supported === true;
    } catch {
      return false;
    }
  };
  for (const c of ['avc1.42e01e', 'avc1.4d001e', 'avc1.64001e']) out.h264 = out.h264 || await ok({ codec: c, avc: { format: 'avc' } });
  out.vp9 = await ok({ codec: 'vp09.00.10.08' });
  // the same in a worker (worker mode's encoders)
  const src = 'onmessage = async () => postMessage(typeof VideoEncoder === "function");';
  const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
  out.workerVideoEncoder = await new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data);
    w.postMessage(0);
  });
  w.terminate();
  return out;
}

// 1. Variable frame rate: timestamps (seconds) in two calls, then frames at the nominal rate from the last.
export async function vfr({ encoder, format, first, second, plain }) {
  await init();
  const enc = new Encoder();
  const v = enc.addVideo(videoOptions(encoder, format, { timeBase: [1, 90000], gopSize: 600 }));
  enc.openMemory({ format });
  await v.addFrames(rgba(first.length), { layout: 'rgba', timestamps: first });
  await v.addFrames(rgba(second.length, first.length), { layout: 'rgba', timestamps: Float64Array.from(second) });
  await v.addFrames(rgba(plain, first.length + second.length), { layout: 'rgba' });
  const blob = await enc.close();
  return { encoderName: v.encoderName, type: blob.type, stats: enc.stats, bytes: await blobB64(blob) };
}

// 2. One picture per call: canvas / ImageData with { timestamp, keyFrame }, VideoFrames with their own
// timestamps (and an option that overrides one).
export async function pictures({ encoder, worker }) {
  await init();
  const enc = new Encoder({ worker });
  const v = enc.addVideo(videoOptions(encoder, 'mp4', { timeBase: [1, 90000], gopSize: 600 }));
  enc.openMemory({ format: 'mp4' });
  const vf = async (k, us, options) => {
    const frame = new VideoFrame(canvasOf(k), { timestamp: us });
    try {
      await v.addFrames(frame, options);
    } finally {
      frame.close();
    }
  };
  await v.addFrames(canvasOf(0), { timestamp: 0 });
  await v.addFrames(imageDataOf(1), { timestamp: 0.05 });
  await v.addFrames(canvasOf(2), { timestamp: 0.1, keyFrame: true });
  await v.addFrames(imageDataOf(3), { timestamp: 0.2, keyFrame: true });
  await vf(4, 300000);
  await vf(5, 412345);
  await v.addFrames(canvasOf(6), { timestamp: 0.5, keyFrame: false });
  await vf(7, 600000, { timestamp: 0.55 }); // the option wins over the frame's own
  await vf(8, 700000, { keyFrame: true }); // its own timestamp, forced key
  await vf(9, 812000);
  const blob = await enc.close();
  return { encoderName: v.encoderName, bytes: await blobB64(blob) };
}

// 2b. VideoFrames on the default time base (1/frameRate): their own timestamps, gaps included.
export async function gridFrames({ encoder, worker, places }) {
  await init();
  const enc = new Encoder({ worker });
  const v = enc.addVideo(videoOptions(encoder, 'mp4'));
  enc.openMemory({ format: 'mp4' });
  for (const k of places) {
    const frame = new VideoFrame(canvasOf(k), { timestamp: Math.round((k * 1e6) / 30) });
    try {
      await v.addFrames(frame);
    } finally {
      frame.close();
    }
  }
  const blob = await enc.close();
  return { encoderName: v.encoderName, bytes: await blobB64(blob) };
}

// 3. Forced key frames with a large gopSize: keyFrames arrays (boolean[], Uint8Array), keyFrame on a canvas
// and a VideoFrame. The forced frames' indices are returned.
export async function keyFrames({ encoder, format, worker = false }) {
  await init();
  const enc = new Encoder({ worker });
  const v = enc.addVideo(videoOptions(encoder, format, { gopSize: 1000 }));
  enc.openMemory({ format });
  const flags = Array.from({ length: 10 }, (_, i) => i === 7);
  await v.addFrames(rgba(10), { layout: 'rgba', keyFrames: flags }); // 0..9: 7
  const u8 = new Uint8Array(10);
  u8[9] = 1;
  await v.addFrames(rgba(10, 10), { layout: 'rgba', keyFrames: u8 }); // 10..19: 19
  await v.addFrames(canvasOf(20), { keyFrame: true }); // 20
  await v.addFrames(rgba(9, 21), { layout: 'rgba', keyFrames: new Array(9).fill(false) }); // 21..29
  const frame = new VideoFrame(canvasOf(30), { timestamp: 1e6 }); // 30 / 30 fps = 1 s: its place
  await v.addFrames(frame, { keyFrame: true }); // 30
  frame.close();
  await v.addFrames(rgba(5, 31), { layout: 'rgba' }); // 31..35
  const blob = await enc.close();
  return { encoderName: v.encoderName, forced: [0, 7, 19, 20, 30], n: 36, bytes: await blobB64(blob) };
}

// 4. Container tags, stream tags, rotation.
export async function tags({ encoder, worker }) {
  await init();
  const enc = new Encoder({ worker });
  const v = enc.addVideo(videoOptions(encoder, 'mp4', { rotation: 90, metadata: { language: 'eng', handler_name: 'Polyenc Video' } }));
  enc.setMetadata({ title: 'Timestamps – a test ✓', artist: 'polyenc' });
  enc.openMemory({ format: 'mp4' });
  await v.addFrames(rgba(5), { layout: 'rgba' });
  const blob = await enc.close();
  return { encoderName: v.encoderName, bytes: await blobB64(blob) };
}

// 5. Stats and progress: 24 one-frame calls 25 ms apart, and audio.
export async function stats({ encoder, worker, setter = false }) {
  await init();
  const calls = [];
  const onProgress = (s) => calls.push({ at: performance.now(), stats: s, isObject: s && typeof s === 'object' });
  const enc = new Encoder(setter ? { worker } : { worker, onProgress });
  if (setter) enc.onprogress = onProgress;
  const before = enc.stats;
  const v = enc.addVideo(videoOptions(encoder, 'mp4'));
  const a = enc.addAudio({ sampleRate: 48000, numChannels: 1 });
  enc.openMemory({ format: 'mp4' });
  const t0 = performance.now();
  const frames = 24;
  for (let i = 0; i < frames; i++) {
    await v.addFrames(rgba(1, i), { layout: 'rgba' });
    if (i === 0) await a.addSamples(new Float32Array(4800).fill(0.25));
    await sleep(25);
  }
  const feedMs = performance.now() - t0;
  const beforeClose = enc.stats;
  const blob = await enc.close();
  const after = enc.stats;
  return {
    encoderName: v.encoderName, before, beforeClose, after, size: blob.size, calls, feedMs, frames, samples: 4800,
    bytes: await blobB64(blob),
  };
}

// 6. Abort mid-encode. output 'memory' or 'stream' (a WritableStream that records what it gets); how:
// 'abort' (enc.abort()) or 'signal' (an AbortController). Direct mode: the wasm heap in use before the
// encoder, in the middle and after the abort.
export async function abort({ encoder, worker, output, how, w = 160, h = 120 }) {
  await init();
  const format = 'mp4';
  const opts = { ...videoOptions(encoder, format), width: w, height: h, ...(encoder === 'wasm' ? { preset: 'medium' } : {}) };
  const frames = (n, s) => rgba(n, s, w, h);
  if (!worker) { // the same encode once, to the end: what the first use of a codec allocates for good
    const warm = new Encoder();
    const wv = warm.addVideo(opts);
    warm.openMemory({ format });
    await wv.addFrames(frames(5, 0), { layout: 'rgba' });
    await warm.close();
  }
  const heapBefore = worker ? null : backendInfo().heapInUse;
  const ac = new AbortController();
  const reason = new Error('stopped by the user');
  const enc = new Encoder(how === 'signal' ? { worker, signal: ac.signal } : { worker });
  const v = enc.addVideo(opts);
  const sink = { writes: 0, bytes: 0, closed: false, aborted: null, writesAtAbort: null };
  if (output === 'stream') {
    const ws = new WritableStream({
      write(c) { sink.writes++; sink.bytes += c.byteLength; },
      close() { sink.closed = true; },
      abort(r) { sink.aborted = errorInfo(r); },
    });
    enc.openStream(ws, { format });
  } else {
    enc.openMemory({ format });
  }
  await v.addFrames(frames(10, 0), { layout: 'rgba' });
  await v.addFrames(frames(10, 10), { layout: 'rgba' });
  const heapMiddle = worker ? null : backendInfo().heapInUse;
  const statsMiddle = enc.stats;
  // calls not awaited, then the abort while they are pending
  const pending = [0, 1, 2, 3].map((i) => settled(v.addFrames(frames(10, 20 + 10 * i), { layout: 'rgba' })));
  const closing = settled(enc.close());
  await Promise.resolve();
  const t0 = performance.now();
  const aborted = how === 'signal' ? (ac.abort(reason), enc.abort()) : enc.abort(reason);
  const sameAbort = enc.abort() === aborted; // idempotent
  const abortValue = await aborted;
  const abortMs = performance.now() - t0;
  sink.writesAtAbort = sink.writes;
  const results = await Promise.all(pending);
  const later = await settled(v.addFrames(frames(1, 0), { layout: 'rgba' }));
  let laterClose = null, cause = null;
  try {
    await enc.close();
    laterClose = { ok: true };
  } catch (e) {
    laterClose = errorInfo(e);
    cause = e.cause === reason ? 'the reason' : e.cause === undefined ? 'none' : errorInfo(e.cause);
  }
  let laterSetMetadata = null;
  try {
    enc.setMetadata({ title: 'x' });
    laterSetMetadata = { ok: true };
  } catch (e) {
    laterSetMetadata = errorInfo(e);
  }
  await sleep(100);
  const heapAfter = worker ? null : backendInfo().heapInUse;
  return {
    encoderName: v.encoderName, heapBefore, heapMiddle, heapAfter, statsMiddle, statsAfter: enc.stats,
    pending: results, closing: await closing, later, laterClose, cause, laterSetMetadata,
    abortValue: abortValue === undefined ? 'undefined' : typeof abortValue, sameAbort, abortMs,
    sink, writesLater: sink.writes,
  };
}

// 7. Bad timestamps / key frames / counts, each followed by what must still work; the file has the valid
// frames only.
export async function badInput({ encoder, worker }) {
  await init();
  const enc = new Encoder({ worker });
  const v = enc.addVideo(videoOptions(encoder, 'mp4', { timeBase: [1, 90000], gopSize: 600 }));
  enc.openMemory({ format: 'mp4' });
  const r = {};
  const f = (n) => rgba(n);
  const frames = (n, options) => v.addFrames(f(n), { layout: 'rgba', ...options });
  r.nan = await outcome(() => frames(2, { timestamps: [0, NaN] }));
  r.infinity = await outcome(() => frames(1, { timestamps: [Infinity] }));
  r.nanPicture = await outcome(() => v.addFrames(canvasOf(0), { timestamp: NaN }));
  r.negative = await outcome(() => frames(2, { timestamps: [-0.5, 0] }));
  r.fewerTimestamps = await outcome(() => frames(3, { timestamps: [0, 0.1] }));
  r.moreTimestamps = await outcome(() => frames(1, { timestamps: [0, 0.1] }));
  r.fewerKeyFrames = await outcome(() => frames(3, { keyFrames: [true] }));
  r.timestampForMany = await outcome(() => frames(2, { timestamp: 0 }));
  r.stringTimestamps = await outcome(() => frames(2, { timestamps: '0,1' }));
  r.stringTimestamp = await outcome(() => v.addFrames(canvasOf(0), { timestamp: '0.5' }));
  r.stringKeyFrame = await outcome(() => frames(1, { keyFrames: ['yes'] }));
  r.both = await outcome(() => v.addFrames(canvasOf(0), { timestamp: 0, timestamps: [0] }));
  r.valid1 = await outcome(() => frames(2, { timestamps: [0, 0.1] }));
  r.equalInCall = await outcome(() => frames(2, { timestamps: [0.2, 0.2] }));
  r.backwards = await outcome(() => frames(1, { timestamps: [0.05] }));
  r.sameAsLast = await outcome(() => frames(1, { timestamps: [0.1] }));
  r.valid2 = await outcome(() => frames(2, { timestamps: [0.3, 0.4] }));
  r.decreasingAfterValid = await outcome(() => frames(2, { timestamps: [0.5, 0.45] })); // nothing of it encoded
  r.valid3 = await outcome(() => v.addFrames(canvasOf(5), { timestamp: 0.5 }));
  r.valid4 = await outcome(() => v.addFrames(imageDataOf(6), { timestamp: 0.6, keyFrame: true }));
  const blob = await enc.close();
  r.expected = [0, 0.1, 0.3, 0.4, 0.5, 0.6];
  // the default time base (1/frameRate): a timestamp between two frames' places
  const e2 = new Encoder({ worker });
  const v2 = e2.addVideo(videoOptions(encoder, 'mp4'));
  e2.openMemory({ format: 'mp4' });
  r.offGrid = await outcome(() => v2.addFrames(f(1), { layout: 'rgba', timestamps: [0.01] }));
  r.onGrid = await outcome(() => v2.addFrames(f(2), { layout: 'rgba', timestamps: [0, 2 / 30] }));
  const blob2 = await e2.close();
  r.expectedGrid = [0, 2 / 30];
  return { encoderName: v.encoderName, r, bytes: await blobB64(blob), gridBytes: await blobB64(blob2) };
}
