#!/usr/bin/env node
// Peak memory of a long encode in Node through a non-seekable writer: N 1280x720 RGBA frames (a ring of 30
// pre-generated ones, bench/wasm/frames.mjs) -> polyenc (the package's Node entry, wasm or native backend),
// libx264 ultrafast, fragmented mp4 into a Node Writable that drops the bytes (enc.openStream). Prints one JSON
// line: the process's peak RSS (VmHWM of /proc/self/status, KiB) and the bytes written. --gc-every K (with node
// --expose-gc) runs a full V8 collection after every K frames: the peak without the output chunks that are
// garbage but not yet collected.
//   node [--expose-gc] bench/memory/node.mjs --frames N [--backend wasm|native] [--variant st|mt] [--gc-every K]
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeFrames } from '../wasm/frames.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const N = Number(arg('frames', 1000));
const BACKEND = arg('backend', 'wasm');
const VARIANT = arg('variant', 'st');
const GC_EVERY = Number(arg('gc-every', 0));
if (GC_EVERY && typeof globalThis.gc !== 'function') throw new Error('--gc-every needs node --expose-gc');
const W = 1280, H = 720, RING = 30, FB = W * H * 4;

const vmHWM = () => Number(/^VmHWM:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);

async function main() {
  const pe = await import(pathToFileURL(path.join(HERE, '../../js/src/index.node.mjs')).href);
  const info = await pe.init(BACKEND === 'wasm' ? { backend: 'wasm', variant: VARIANT } : { backend: BACKEND });
  if (info.backend !== BACKEND) throw new Error(`polyenc init gave ${JSON.stringify(info)}`);
  const frames = makeFrames(RING, W, H);
  const before = vmHWM();
  let bytes = 0;
  const sink = new Writable({ write(chunk, _enc, done) { bytes += chunk.length; done(); } });
  const enc = new pe.Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, codec: 'libx264', preset: 'ultrafast' });
  enc.openStream(sink, { format: 'mp4' });
  for (let i = 0; i < N; i++) {
    await video.addFrames(frames.subarray((i % RING) * FB, (i % RING + 1) * FB), { layout: 'rgba' });
    if (GC_EVERY && (i + 1) % GC_EVERY === 0) globalThis.gc();
  }
  await enc.close();
  console.log(JSON.stringify({ frames: N, backend: BACKEND, variant: BACKEND === 'wasm' ? VARIANT : null,
    peakRssKiB: vmHWM(), peakRssBeforeEncodeKiB: before, bytes }));
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
