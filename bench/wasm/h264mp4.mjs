#!/usr/bin/env node
// polyenc in Node (the package's Node entry, wasm backend 'st' by default: x264) vs h264-mp4-encoder 1.0.12 (npm;
// its own H.264 encoder in WebAssembly, not x264), the same RGBA frames (frames.mjs) into mp4, single-threaded.
// h264-mp4-encoder takes a quantizer, not a crf: bench/suite/wasm.py picks the --qp whose PSNR is closest to
// polyenc's by calling this with --runs 0 (one encode of each tool, files written), then times that qp.
// Runs alternate between the tools after one untimed warm-up each; prints one JSON line of medians.
//   node bench/wasm/h264mp4.mjs --frames N --size WxH --qp Q [--speed S] [--preset P] [--runs R]
//                               [--tools polyenc,h264mp4] [--backend wasm|native] --out-dir DIR
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeFrames } from './frames.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const N = Number(arg('frames', 30));
const [W, H] = arg('size', '1280x720').split('x').map(Number);
const QP = Number(arg('qp', 33)); // h264-mp4-encoder's quantizationParameter, 10..51
const SPEED = Number(arg('speed', 10)); // h264-mp4-encoder's speed, 0 (best) .. 10 (fastest)
const PRESET = arg('preset', 'ultrafast'); // polyenc's x264 preset (crf 23)
const RUNS = Number(arg('runs', 3));
const TOOLS = arg('tools', 'polyenc,h264mp4').split(',');
const BACKEND = arg('backend', 'wasm');
const OUT = arg('out-dir');
if (!(N > 0 && W > 0 && H > 0 && RUNS >= 0 && OUT)) {
  console.error('usage: node bench/wasm/h264mp4.mjs --frames N --size WxH --qp Q [--speed S] [--preset P] [--runs R] ' +
    '[--tools polyenc,h264mp4] [--backend wasm|native] --out-dir DIR');
  process.exit(2);
}

async function loadPolyenc() {
  const pe = await import(pathToFileURL(path.join(HERE, '../../js/src/index.node.mjs')).href);
  const info = await pe.init(BACKEND === 'wasm' ? { backend: 'wasm', variant: 'st', maxThreads: 1 } : { backend: BACKEND });
  if (info.backend !== BACKEND) throw new Error(`polyenc init gave ${JSON.stringify(info)}`);
  return async (frames) => {
    const enc = new pe.Encoder();
    const video = enc.addVideo({ width: W, height: H, frameRate: 30, codec: 'libx264', preset: PRESET, crf: 23, threads: 1 });
    enc.openMemory({ format: 'mp4' });
    await video.addFrames(frames, { layout: 'rgba' });
    return new Uint8Array(await enc.close());
  };
}

async function loadH264Mp4() {
  const HME = createRequire(path.join(HERE, 'package.json'))('h264-mp4-encoder');
  return async (frames) => {
    const enc = await HME.createH264MP4Encoder();
    Object.assign(enc, { width: W, height: H, frameRate: 30, quantizationParameter: QP, speed: SPEED });
    enc.initialize();
    for (let i = 0; i < N; i++) enc.addFrameRgba(frames.subarray(i * W * H * 4, (i + 1) * W * H * 4));
    enc.finalize();
    const out = enc.FS.readFile(enc.outputFilename);
    enc.FS.unlink(enc.outputFilename);
    enc.delete();
    return out;
  };
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const frames = makeFrames(N, W, H);
  const encode = {};
  for (const t of TOOLS) encode[t] = t === 'polyenc' ? await loadPolyenc() : await loadH264Mp4();
  const file = (t) => path.join(OUT, t === 'polyenc' ? `h264mp4-polyenc-${BACKEND}.mp4` : `h264mp4-h264mp4-qp${QP}.mp4`);
  const seconds = Object.fromEntries(TOOLS.map((t) => [t, []]));
  for (const t of TOOLS) fs.writeFileSync(file(t), await encode[t](frames)); // the warm-up, kept as the output
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < TOOLS.length; i++) {
      const t = TOOLS[(i + r) % TOOLS.length];
      const t0 = performance.now();
      await encode[t](frames);
      seconds[t].push((performance.now() - t0) / 1000);
    }
  }
  const result = Object.fromEntries(TOOLS.map((t) => [t, {
    median: RUNS ? median(seconds[t]) : null, seconds: seconds[t], file: file(t), bytes: fs.statSync(file(t)).size,
  }]));
  console.log(JSON.stringify({ frames: N, size: `${W}x${H}`, qp: QP, speed: SPEED, preset: PRESET, backend: BACKEND, result }));
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
