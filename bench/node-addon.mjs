#!/usr/bin/env node
// Overhead of the Node addon (the package's native backend, js/src/index.node.mjs with
// init({ backend: 'native' })) against the polyenc CLI on the same 1080p encode.
//
//   node bench/node-addon.mjs [--frames 90] [--runs 3] [--threads 2] [--preset ultrafast]
//   POLYENC_CLI=build/polyenc (default: build-node/polyenc, else build/polyenc, from the repository root)
//
// Both encode the same raw rgb24 1920x1080 frames, read from the same file, with libx264, the same preset
// and the same number of threads, into an MP4 file. The runs alternate (CLI, addon, CLI, addon, ...) and the
// median wall time of each is reported, with the ratio addon / CLI. The addon's time counts everything a
// user's program does: reading each frame from the file, handing it to the encoder, closing. It is timed
// twice: reading the next frame while the worker encodes (how the API is meant to be used), and reading
// and encoding in turn (the CLI's structure: the pure overhead of the addon).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, Encoder } from '../js/src/index.node.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const W = 1920, H = 1080, FPS = 30, FRAME = W * H * 3;
const numFrames = Number(arg('frames', 90));
const runs = Number(arg('runs', 3));
const threads = Number(arg('threads', 2));
const preset = arg('preset', 'ultrafast');

function findCli() {
  // POLYENC_CLI: relative to the working directory; the defaults: to the repository root
  const candidates = process.env.POLYENC_CLI ? [path.resolve(process.env.POLYENC_CLI)]
    : ['build-node/polyenc', 'build/polyenc'].map((c) => path.join(ROOT, c));
  for (const p of candidates) if (fs.existsSync(p)) return p;
  console.error('node-addon.mjs: set POLYENC_CLI to the polyenc CLI binary (built by the top-level CMake build)');
  process.exit(2);
}
const cli = findCli();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-bench-'));
const raw = path.join(dir, 'frames.rgb');

// A scrolling, textured picture: the encoder has real work, every frame differs.
{
  const tall = Buffer.alloc((H + numFrames) * W * 3);
  let seed = 7;
  for (let i = 0; i < tall.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    tall[i] = (((i % (W * 3)) >> 3) + ((i / (W * 3)) >> 2) + ((seed >> 16) & 15)) & 255;
  }
  const fd = fs.openSync(raw, 'w');
  for (let k = 0; k < numFrames; k++) fs.writeSync(fd, tall, k * W * 3, FRAME);
  fs.closeSync(fd);
}

function runCli(out) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cli, [
    'encode', '--video', `${W}x${H}@${FPS}`, '--video-input', raw, '--layout', 'rgb24',
    '--codec', 'libx264', '--preset', preset, '--threads', String(threads), out,
  ], { encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
  return s;
}

async function runAddon(out, sequential) {
  const t0 = process.hrtime.bigint();
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS, codec: 'libx264', preset, threads });
  enc.openFile(out);
  const fd = fs.openSync(raw, 'r');
  // Two buffers: the next frame is read while the worker encodes the current one.
  const bufs = [Buffer.allocUnsafe(FRAME), Buffer.allocUnsafe(FRAME)];
  let pending = Promise.resolve();
  for (let k = 0; k < numFrames; k++) {
    const buf = bufs[k & 1];
    fs.readSync(fd, buf, 0, FRAME, k * FRAME);
    await pending; // the previous frame is consumed before its buffer's turn comes again
    pending = video.addFrames(buf, { layout: 'rgb24' });
    if (sequential) await pending; // like the CLI: read, encode, read, encode ...
  }
  await pending;
  fs.closeSync(fd);
  await enc.close();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function frames(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=nb_read_packets',
    '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

(async () => {
  // the native backend (the addon, node/build/polyenc_node.node), never the wasm fallback
  const backend = await init({ backend: 'native' });
  const cliOut = path.join(dir, 'cli.mp4'), addonOut = path.join(dir, 'addon.mp4');
  runCli(cliOut); // warm-up: page cache, dynamic loader
  await runAddon(addonOut);
  const tc = [], ta = [], ts = [];
  for (let i = 0; i < runs; i++) {
    tc.push(runCli(cliOut));
    ta.push(await runAddon(addonOut, false));
    ts.push(await runAddon(addonOut, true));
  }
  const c = median(tc), a = median(ta), sq = median(ts);
  const result = {
    backend, frames: numFrames, size: `${W}x${H}`, codec: 'libx264', preset, threads,
    cli: { seconds: tc, median: c, fps: numFrames / c, bytes: fs.statSync(cliOut).size, packets: frames(cliOut) },
    addon: { seconds: ta, median: a, fps: numFrames / a, bytes: fs.statSync(addonOut).size, packets: frames(addonOut) },
    addonSequential: { seconds: ts, median: sq, fps: numFrames / sq },
    ratio: a / c,
    ratioSequential: sq / c,
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`addon ${a.toFixed(3)} s (${(numFrames / a).toFixed(1)} fps) vs CLI ${c.toFixed(3)} s ` +
    `(${(numFrames / c).toFixed(1)} fps): ratio ${result.ratio.toFixed(3)} (median of ${runs})`);
  console.log(`addon, reading and encoding in turn like the CLI: ${sq.toFixed(3)} s: ratio ${result.ratioSequential.toFixed(3)}`);
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((err) => {
  fs.rmSync(dir, { recursive: true, force: true });
  console.error(err);
  process.exit(1);
});
