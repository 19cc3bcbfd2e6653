// Long run on either backend: FRAMES small frames + audio streamed to a Writable that discards and counts
// (openStream, fragmented MP4). Prints the RSS and the open file descriptors at 1k / 10k / 100k frames (and
// at the end), and on the wasm backend the heap in use and the size of the wasm memory: all must stay flat.
//
//   POLYENC_BACKEND=native|wasm node --expose-gc tests/js/longrun.mjs [FRAMES]
//     default 100000 frames; tests/js/longrun.test.mjs runs a short one
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';

const W = 32, H = 32, FPS = 30, RATE = 16000, BATCH = 100;

/** What longRun() records at each checkpoint: the process's RSS and fds, and the wasm module's heap. */
export function measure(api) {
  return () => {
    if (globalThis.gc) globalThis.gc();
    const m = process.memoryUsage();
    const point = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, fds: fs.readdirSync('/proc/self/fd').length };
    const info = api.backendInfo();
    if (info.backend === 'wasm') Object.assign(point, { heapInUse: info.heapInUse, heapBytes: info.heapBytes });
    return point;
  };
}

// Encodes `frames` frames (in batches of 100, each followed by its audio) to a counting Writable and calls
// measure() at each checkpoint (FRAMES included) and once more after close(). Resolves to { points: [{ frames, ...measure() }], bytes, writes, seconds }.
export async function longRun(api, { frames = 100000, checkpoints = [1000, 10000, 100000], log = () => {} } = {}) {
  const sample = measure(api);
  let bytes = 0, writes = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk, enc, cb) {
      bytes += chunk.length;
      writes++;
      setImmediate(cb); // asynchronous, like a socket
    },
  });
  const enc = new api.Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS, preset: 'ultrafast', gopSize: FPS, threads: 1 });
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1 });
  enc.openStream(sink, { format: 'mp4' });
  const batch = new Uint8Array(W * H * 3 * BATCH);
  const pcm = new Float32Array((RATE / FPS) * BATCH);
  const points = [];
  const want = checkpoints.filter((c) => c <= frames);
  if (!want.includes(frames)) want.push(frames);
  const t0 = Date.now();
  for (let done = 0; done < frames;) {
    const n = Math.min(BATCH, frames - done);
    for (let i = 0; i < batch.length; i++) batch[i] = (i + done * 3) & 255; // changes every batch
    for (let i = 0; i < pcm.length; i++) pcm[i] = 0.3 * Math.sin((2 * Math.PI * 440 * (i + done * (RATE / FPS))) / RATE);
    await video.addFrames(batch, { layout: 'rgb24', numFrames: n });
    await audio.addSamples(n === BATCH ? pcm : pcm.subarray(0, (RATE / FPS) * n));
    done += n;
    if (want.includes(done)) {
      const p = { frames: done, ...sample() };
      points.push(p);
      log(p);
    }
  }
  await enc.close();
  const last = { frames, closed: true, ...sample() };
  points.push(last);
  log(last);
  return { backend: enc.backend, points, bytes, writes, seconds: (Date.now() - t0) / 1000 };
}

const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const frames = Number(process.argv[2] || 100000);
  const { polyenc } = await import('./helpers.mjs');
  const r = await longRun(polyenc, {
    frames,
    log: (p) => console.log(`${String(p.frames).padStart(7)} frames${p.closed ? ', closed' : ''}: rss ${mib(p.rss)} ` +
      `(JS heap ${mib(p.heapUsed)}, external ${mib(p.external)}), ${p.fds} fds` +
      (p.heapBytes ? `, wasm heap in use ${mib(p.heapInUse)}, wasm memory ${mib(p.heapBytes)}` : '')),
  });
  console.log(`${r.backend}: ${r.bytes} bytes in ${r.writes} writes, ${r.seconds.toFixed(1)} s (${(frames / r.seconds).toFixed(0)} frames/s)`);
  console.log(JSON.stringify(r.points));
}
