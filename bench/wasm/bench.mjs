#!/usr/bin/env node
// polyenc.wasm (the package js/, its wasm backend) vs ffmpeg.wasm (@ffmpeg/core and @ffmpeg/core-mt 0.12.10), both in Node 20, on the same
// in-memory RGBA frames, libx264 into mp4, same preset / crf / thread count, runs alternating between the
// two tools; prints a table of medians and writes bench/out/wasm-bench.json. See README.md.
//
//   node bench/wasm/bench.mjs [--frames N] [--frames-medium N] [--runs R] [--presets ultrafast,medium]
//                             [--variants st,mt] [--threads T]
//   POLYENC_WASM_DIST=/path/to/wasm  (the wasm build: js/wasm/ by default, or a copy of it)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker as NodeWorker } from 'node:worker_threads';
import { makeFrames as makeFramesOf } from './frames.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const W = 1280, H = 720, FPS = 30, CRF = 23;

// ------------------------------------------------------------------ options

const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const FRAMES = Number(arg('frames', 120));
const FRAMES_MEDIUM = Number(arg('frames-medium', FRAMES)); // slower presets may be given fewer frames
const RUNS = Number(arg('runs', 3));
const PRESETS = arg('presets', 'ultrafast,medium').split(',');
const VARIANTS = arg('variants', 'st,mt').split(',');
// The threaded runs use T threads in both tools; by default the machine's cores, at most 4.
const T = Number(arg('threads', Math.min(4, os.availableParallelism())));
const JS = path.join(HERE, '../../js'); // the package: src/ (the JS) and wasm/ (what wasm/build.sh makes)
const DIST = path.resolve(process.env.POLYENC_WASM_DIST || path.join(JS, 'wasm'));
const OUT = path.join(HERE, '../out');
const framesFor = (preset) => (preset === 'ultrafast' ? FRAMES : FRAMES_MEDIUM);
const makeFrames = (n) => makeFramesOf(n, W, H);

// ------------------------------------------------------------------ ffmpeg.wasm in Node

// Both cores are built for ENVIRONMENT=worker (browser Web Worker): they read self.location and, for the
// mt core, start pthreads with `new Worker(url)` that run ffmpeg-core.worker.js with importScripts. So the
// core's source is evaluated in a function scope whose `self` and `Worker` are shims (nothing global is
// replaced: polyenc's mt glue sets its own global Worker).
const PTHREAD_BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs'), vm = require('node:vm'), { fileURLToPath } = require('node:url');
globalThis.self = globalThis;
globalThis.location = { href: workerData.coreUrl };
globalThis.postMessage = (msg, transfer) => parentPort.postMessage(msg, transfer);
globalThis.importScripts = (url) => vm.runInThisContext(fs.readFileSync(fileURLToPath(url.split('#')[0]), 'utf8'));
parentPort.on('message', (data) => self.onmessage({ data }));
vm.runInThisContext(fs.readFileSync(workerData.workerJs, 'utf8'));
`;

class WebWorkerShim {
  constructor(url) {
    const dir = path.dirname(fileURLToPath(url));
    this.w = new NodeWorker(PTHREAD_BOOT, {
      eval: true, workerData: { coreUrl: pathToFileURL(path.join(dir, 'ffmpeg-core.js')).href, workerJs: fileURLToPath(url) },
    });
    this.w.on('message', (data) => this.onmessage && this.onmessage({ data }));
    this.w.on('error', (e) => (this.onerror ? this.onerror(e) : console.error('ffmpeg.wasm pthread:', e)));
    this.w.unref(); // the pool of 32 must not keep the process alive (main() holds it until the end)
  }
  postMessage(msg, transfer) { this.w.postMessage(msg, transfer); }
  terminate() { this.w.terminate(); }
}

async function loadFFmpegCore(variant) {
  const dir = path.dirname(require.resolve(`@ffmpeg/${variant === 'mt' ? 'core-mt' : 'core'}`)); // dist/umd
  const coreJs = path.join(dir, 'ffmpeg-core.js'), wasmFile = path.join(dir, 'ffmpeg-core.wasm');
  const factory = new Function('self', 'Worker', `${fs.readFileSync(coreJs, 'utf8')}\nreturn createFFmpegCore;`)(
    { location: { href: pathToFileURL(coreJs).href } }, WebWorkerShim);
  const compiled = await WebAssembly.compile(fs.readFileSync(wasmFile));
  const urls = { wasmURL: pathToFileURL(wasmFile).href, workerURL: pathToFileURL(path.join(dir, 'ffmpeg-core.worker.js')).href };
  const log = [];
  const core = await factory({
    // the core's locateFile reads the wasm / worker URLs from the hash of mainScriptUrlOrBlob (a blob
    // URL in the browser); the pthreads importScripts this URL
    mainScriptUrlOrBlob: `${pathToFileURL(coreJs).href}#${btoa(JSON.stringify(urls))}`,
    instantiateWasm: (imports, receive) => {
      WebAssembly.instantiate(compiled, imports).then((inst) => receive(inst, compiled));
      return {};
    },
  });
  core.setLogger(({ message }) => log.push(message)); // kept for error reports
  return { core, log };
}

// Encodes in.raw (already in the core's MEMFS) to out.mp4; only exec() is timed.
function ffmpegEncode(ff, { preset, threads, frames, file = 'in.raw' }) {
  const { core, log } = ff;
  log.length = 0;
  core.reset();
  const args = ['-hide_banner', '-nostats', '-v', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${W}x${H}`, '-r', String(FPS), '-i', file, '-frames:v', String(frames),
    '-filter_threads', String(threads), '-c:v', 'libx264', '-preset', preset, '-crf', String(CRF), '-pix_fmt', 'yuv420p',
    '-threads', String(threads), 'out.mp4'];
  const t0 = performance.now();
  const rc = core.exec(...args);
  const seconds = (performance.now() - t0) / 1000;
  if (rc !== 0) throw new Error(`ffmpeg.wasm exited with ${rc}: ${log.join('\n')}`);
  const out = core.FS.readFile('out.mp4');
  core.FS.unlink('out.mp4');
  return { seconds, out };
}

// ------------------------------------------------------------------ polyenc.wasm

// The package's Node entry. Its wasm backend loads the files of <package>/wasm/, so a DIST other than
// js/wasm/ gets a package of its own in a temporary folder: a copy of js/src/ and a link wasm -> DIST.
let tmpPackage = null;
async function importPolyenc() {
  for (const f of ['polyenc-st.js', 'polyenc-st.wasm', 'polyenc-mt.js', 'polyenc-mt.wasm', 'polyenc-mt.worker.js']) {
    if (!fs.existsSync(path.join(DIST, f))) throw new Error(`${path.join(DIST, f)} is missing: run wasm/build.sh or set POLYENC_WASM_DIST`);
  }
  let root = JS;
  const real = (p) => (fs.existsSync(p) ? fs.realpathSync(p) : p);
  if (real(DIST) !== real(path.join(JS, 'wasm'))) {
    root = tmpPackage = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-wasm-bench-'));
    fs.cpSync(path.join(JS, 'src'), path.join(root, 'src'), { recursive: true });
    fs.symlinkSync(DIST, path.join(root, 'wasm'), 'dir');
  }
  return import(pathToFileURL(path.join(root, 'src/index.node.mjs')).href);
}

// One module per variant: init() with options replaces the backend that new encoders use.
async function loadPolyenc(pe, variant) {
  const info = await pe.init({ backend: 'wasm', variant, maxThreads: variant === 'mt' ? T : 1 });
  if (info.backend !== 'wasm' || info.variant !== variant) throw new Error(`init gave ${JSON.stringify(info)}`);
  console.log(`${variant}: backendInfo() ${JSON.stringify(pe.backendInfo())}`);
  return pe;
}

// The whole encode is timed: encoder setup, copying the frames into wasm memory, RGBA -> yuv420p,
// x264, the mp4 muxer and the copy of the file out of wasm memory (ffmpeg's exec does the same work).
async function polyencEncode(pe, { preset, threads, frames, bytes }) {
  const t0 = performance.now();
  const enc = new pe.Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS, codec: 'libx264', preset, crf: CRF, threads });
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(bytes.subarray(0, frames * W * H * 4), { layout: 'rgba' });
  const out = await enc.close();
  return { seconds: (performance.now() - t0) / 1000, out };
}

// ------------------------------------------------------------------ main

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function probe(file) {
  const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
    'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' }));
  const s = j.streams[0];
  return { codec: s.codec_name, width: s.width, height: s.height, frames: Number(s.nb_read_frames) };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const maxFrames = Math.max(...PRESETS.map(framesFor));
  console.log(`polyenc.wasm (${DIST}) vs ffmpeg.wasm @ffmpeg/core(-mt) 0.12.10, Node ${process.version}, ` +
    `${os.availableParallelism()} cores: mt runs use ${T} threads in both tools, st runs 1`);
  let t0 = performance.now();
  const bytes = makeFrames(maxFrames);
  console.log(`${maxFrames} frames ${W}x${H} RGBA (${(bytes.length / 2 ** 20).toFixed(0)} MiB) generated in ` +
    `${((performance.now() - t0) / 1000).toFixed(1)} s; libx264 crf ${CRF} -> mp4, median of ${RUNS} alternating runs`);

  const results = [];
  const polyenc = await importPolyenc();
  for (const variant of VARIANTS) {
    const threads = variant === 'mt' ? T : 1;
    const pe = await loadPolyenc(polyenc, variant);
    const ff = await loadFFmpegCore(variant);
    t0 = performance.now();
    ff.core.FS.writeFile('in.raw', bytes); // the input file, written once, not timed
    const fsWrite = (performance.now() - t0) / 1000;
    // a short untimed warm-up of each, so that neither pays V8's first compilation tiers in its runs
    await polyencEncode(pe, { preset: 'ultrafast', threads, frames: 8, bytes });
    ffmpegEncode(ff, { preset: 'ultrafast', threads, frames: 8 });

    for (const preset of PRESETS) {
      const frames = framesFor(preset);
      const times = { polyenc: [], ffmpeg: [] };
      const last = {};
      for (let r = 0; r < RUNS; r++) {
        // alternate which tool goes first, so drift (heat, other load) hits both alike
        const order = r % 2 ? ['ffmpeg', 'polyenc'] : ['polyenc', 'ffmpeg'];
        for (const tool of order) {
          const res = tool === 'polyenc'
            ? await polyencEncode(pe, { preset, threads, frames, bytes })
            : ffmpegEncode(ff, { preset, threads, frames });
          times[tool].push(res.seconds);
          last[tool] = res.out;
          console.log(`  ${variant} ${preset} run ${r + 1}: ${tool} ${res.seconds.toFixed(2)} s`);
        }
      }
      const row = { variant, preset, threads, frames, ffmpegFsWriteSeconds: fsWrite };
      for (const tool of ['polyenc', 'ffmpeg']) {
        const file = path.join(OUT, `wasm-${tool}-${variant}-${preset}.mp4`);
        fs.writeFileSync(file, last[tool]);
        const med = median(times[tool]);
        row[tool] = { seconds: times[tool], median: med, fps: frames / med, bytes: last[tool].length, file, probe: probe(file) };
        if (row[tool].probe.frames !== frames) throw new Error(`${file}: ${row[tool].probe.frames} frames, expected ${frames}`);
      }
      row.ratio = row.ffmpeg.median / row.polyenc.median;
      results.push(row);
    }
  }

  const pad = (s, n) => String(s).padStart(n);
  const lines = [`${'config'.padEnd(16)} ${pad('frames', 6)} ${pad('polyenc s', 9)} ${pad('fps', 6)} ${pad('ffmpeg s', 9)} ` +
    `${pad('fps', 6)} ${pad('ff/pe', 6)} ${pad('polyenc KiB', 11)} ${pad('ffmpeg KiB', 10)}`];
  for (const r of results) {
    lines.push(`${`${r.variant} ${r.preset} t${r.threads}`.padEnd(16)} ${pad(r.frames, 6)} ` +
      `${pad(r.polyenc.median.toFixed(2), 9)} ${pad(r.polyenc.fps.toFixed(1), 6)} ${pad(r.ffmpeg.median.toFixed(2), 9)} ` +
      `${pad(r.ffmpeg.fps.toFixed(1), 6)} ${pad(r.ratio.toFixed(2) + 'x', 6)} ${pad((r.polyenc.bytes / 1024).toFixed(0), 11)} ` +
      `${pad((r.ffmpeg.bytes / 1024).toFixed(0), 10)}`);
  }
  console.log(`\n${lines.join('\n')}`);
  console.log('ff/pe = ffmpeg.wasm time / polyenc.wasm time (> 1: polyenc faster). ffprobe: every output has ' +
    'h264 1280x720 with the expected frame count.');
  const json = {
    date: new Date().toISOString(), node: process.version, cores: os.availableParallelism(), threads: T, runs: RUNS,
    size: `${W}x${H}`, input: 'rgba', crf: CRF, polyencDist: DIST, ffmpegCore: '@ffmpeg/core(-mt) 0.12.10', results,
  };
  fs.writeFileSync(path.join(OUT, 'wasm-bench.json'), JSON.stringify(json, null, 2));
  console.log(`wrote ${path.join(OUT, 'wasm-bench.json')}`);
}

// Both wasm modules unref their pthread workers, so while one loads nothing else would keep Node running.
setInterval(() => {}, 1 << 30);
const cleanup = () => tmpPackage && fs.rmSync(tmpPackage, { recursive: true, force: true });
main().then(() => {
  cleanup();
  process.exit(0);
}, (e) => {
  cleanup();
  console.error(e);
  process.exit(1);
});
