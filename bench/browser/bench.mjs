#!/usr/bin/env node
// polyenc in the browser (encoder 'auto' = WebCodecs' VideoEncoder + polyenc's wasm muxer, and encoder
// 'wasm' = x264 in WebAssembly) vs Mediabunny 1.61.0 (WebCodecs + its own MP4 muxer), in headless Chromium:
// the same pre-generated 1280x720 frames, H.264 at the same bitrate into MP4, runs alternating between
// the tools. Prints a table of medians, checks every MP4 with ffprobe, writes bench/out/browser-bench.json.
// See README.md.
//
//   node bench/browser/bench.mjs [--frames N] [--runs R] [--bitrate B] [--preset P] [--gop G]
//                                [--input videoframe|bytes] [--no-isolated]
//   POLYENC_WASM_DIST=/path/to/wasm  (the wasm build: js/wasm/ by default, or a copy of it)
//   CHROMIUM=/path/to/chromium (default /usr/bin/chromium)

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '../..');
const OUT = path.join(ROOT, 'bench/out');
const W = 1280, H = 720, FPS = 30;

// ------------------------------------------------------------------ options

const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const N = Number(arg('frames', 150));
const RUNS = Number(arg('runs', 5));
const BITRATE = Number(arg('bitrate', 4_000_000));
const PRESET = arg('preset', 'veryfast'); // x264's preset for polyenc 'wasm' only
const GOP = Number(arg('gop', 250)); // frames between keyframes, all tools (polyenc's default, x264's keyint)
const INPUT = arg('input', 'videoframe'); // what polyenc receives; Mediabunny always gets VideoFrames
// COOP/COEP by default: crossOriginIsolated loads polyenc's threaded (mt) build, x264's best case here
const ISOLATED = !argv.includes('--no-isolated');
const JS = path.join(ROOT, 'js'); // the package: src/ (the JS), wasm/ (what wasm/build.sh makes)
const DIST = path.resolve(process.env.POLYENC_WASM_DIST || path.join(JS, 'wasm'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOOLS = ['polyenc-auto', 'polyenc-wasm', 'mediabunny'];
const MEDIABUNNY = path.join(HERE, 'node_modules/mediabunny');

if (!(N > 0 && RUNS > 0 && BITRATE > 0 && GOP > 0) || !['videoframe', 'bytes'].includes(INPUT)) {
  console.error('usage: node bench/browser/bench.mjs [--frames N] [--runs R] [--bitrate B] [--preset P] [--gop G] [--input videoframe|bytes] [--no-isolated]');
  process.exit(2);
}
for (const [file, hint] of [[path.join(JS, 'src/index.browser.mjs'), 'the package js/ is incomplete'],
  ...['st.glue.mjs', 'st.wasm', 'mt.glue.mjs', 'mt.js', 'mt.wasm', 'mt.worker.js']
    .map((f) => [path.join(DIST, `polyenc-${f}`), 'run wasm/build.sh or set POLYENC_WASM_DIST']),
  [path.join(MEDIABUNNY, 'dist/bundles/mediabunny.mjs'), 'run `npm ci` in bench/browser']]) {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${hint}`);
}
const mediabunnyVersion = JSON.parse(fs.readFileSync(path.join(MEDIABUNNY, 'package.json'), 'utf8')).version;
// playwright-core is js/'s dev dependency (the browser tests use it): no second copy here
const { chromium } = createRequire(path.join(JS, 'package.json'))('playwright-core');
fs.mkdirSync(OUT, { recursive: true });

// ------------------------------------------------------------------ a tiny static server

// /js/src/* -> js/src/ and /js/wasm/* -> DIST (the package as the page imports it: index.browser.mjs finds
// its wasm files at ../wasm/), /* -> bench/browser/, POST /save/<name> -> bench/out/<name> (the page's MP4s).
const MOUNTS = [['/js/src/', path.join(JS, 'src')], ['/js/wasm/', DIST], ['/', HERE]];
const TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };
function serve(req, res) {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (req.method === 'POST' && url.startsWith('/save/')) {
    const name = path.basename(url);
    req.pipe(fs.createWriteStream(path.join(OUT, name))).on('finish', () => res.writeHead(200).end());
    return;
  }
  const [prefix, base] = MOUNTS.find(([p]) => url.startsWith(p));
  const file = path.join(base, path.normalize('/' + url.slice(prefix.length)));
  fs.readFile(file, (err, data) => {
    if (err) return res.writeHead(404).end();
    const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' };
    if (ISOLATED) Object.assign(headers, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    res.writeHead(200, headers).end(data);
  });
}

// ------------------------------------------------------------------ checks and statistics

function probe(file) {
  const json = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries',
    'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' });
  const streams = JSON.parse(json).streams;
  const s = streams[0] || {};
  const ok = streams.length === 1 && s.codec_name === 'h264' && s.width === W && s.height === H && Number(s.nb_read_frames) === N;
  if (!ok) throw new Error(`${file}: expected one h264 ${W}x${H} stream of ${N} frames, ffprobe says ${JSON.stringify(streams)}`);
  return { codec: s.codec_name, width: s.width, height: s.height, frames: Number(s.nb_read_frames) };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ------------------------------------------------------------------ the runs

const server = http.createServer(serve);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
let results;
let env;
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error(`[page] ${m.text()}`));
  page.on('pageerror', (e) => console.error(`[page] ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
  await page.waitForFunction(() => document.title === 'ready', null, { timeout: 60_000 });
  env = await page.evaluate((n) => window.bench.setup(n), N);
  console.log(`${env.userAgent}\n${env.cores} cores, polyenc ${env.backend.variant} build (crossOriginIsolated ${env.crossOriginIsolated}), ` +
    `Mediabunny ${mediabunnyVersion}; ${N} frames ${W}x${H} generated in ${env.generateSeconds.toFixed(1)} s`);
  const opts = { n: N, bitRate: BITRATE, gop: GOP, preset: PRESET, input: INPUT };
  const run = (tool, o, saveAs) => page.evaluate(([t, o, s]) => window.bench.run(t, o, s), [tool, o, saveAs]);

  // a short untimed warm-up of each tool: JIT, the wasm encoder's first allocations, the codec's first start
  for (const tool of TOOLS) await run(tool, { ...opts, n: Math.min(N, 10) }, null);

  results = Object.fromEntries(TOOLS.map((t) => [t, { seconds: [], bytes: [], files: [], probes: [] }]));
  for (let r = 0; r < RUNS; r++) {
    // the order rotates run by run, so no tool always goes first (the machine is shared and small)
    const order = TOOLS.map((_, i) => TOOLS[(i + r) % TOOLS.length]);
    for (const tool of order) {
      const name = `browser-${tool}-run${r + 1}.mp4`;
      const x = await run(tool, opts, name);
      const file = path.join(OUT, name);
      const p = probe(file); // throws unless N h264 frames at 1280x720
      if (fs.statSync(file).size !== x.bytes) throw new Error(`${file}: ${fs.statSync(file).size} bytes saved, ${x.bytes} made`);
      const want = tool === 'polyenc-wasm' ? 'wasm' : 'webcodecs';
      if (x.encoderName !== want) throw new Error(`${tool}: encoderName is '${x.encoderName}', expected '${want}'`);
      const res = results[tool];
      res.seconds.push(x.seconds), res.bytes.push(x.bytes), res.files.push(file), res.probes.push(p);
      res.encoderName = x.encoderName;
      res.config = x.config;
      console.log(`run ${r + 1}/${RUNS} ${tool.padEnd(13)} ${x.seconds.toFixed(2)} s  ${(N / x.seconds).toFixed(1)} fps  ${x.bytes} bytes`);
    }
  }
} finally {
  await browser.close();
  server.close();
}

// ------------------------------------------------------------------ the table, the goals, the JSON

for (const r of Object.values(results)) {
  r.median = median(r.seconds);
  r.fps = N / r.median;
  r.medianBytes = median(r.bytes);
  r.kbps = (r.medianBytes * 8) / (N / FPS) / 1000; // the bitrate actually reached
}
const mb = results.mediabunny, auto = results['polyenc-auto'], wasm = results['polyenc-wasm'];
const label = { 'polyenc-auto': `polyenc auto (${auto.encoderName})`, 'polyenc-wasm': `polyenc wasm (x264 ${PRESET}, ${env.backend.variant})`,
  mediabunny: `Mediabunny ${mediabunnyVersion}` };
console.log(`\n${N} frames ${W}x${H} @ ${FPS} fps, H.264 ${BITRATE / 1e6} Mbps, ${RUNS} runs, medians; polyenc input: ${INPUT}`);
console.log(`${'tool'.padEnd(34)} ${'median s'.padStart(9)} ${'fps'.padStart(7)} ${'vs MB'.padStart(6)} ${'bytes'.padStart(10)} ${'kbps'.padStart(6)}`);
for (const t of TOOLS) {
  const r = results[t];
  console.log(`${label[t].padEnd(34)} ${r.median.toFixed(2).padStart(9)} ${r.fps.toFixed(1).padStart(7)} ` +
    `${(r.fps / mb.fps).toFixed(2).padStart(6)} ${String(r.medianBytes).padStart(10)} ${r.kbps.toFixed(0).padStart(6)}`);
}
const goals = {
  autoVsMediabunny: { ratio: auto.fps / mb.fps, pass: auto.fps >= 0.9 * mb.fps },
  autoVsWasm: { ratio: auto.fps / wasm.fps, pass: auto.fps >= 3 * wasm.fps },
};
console.log(`\ngoal: polyenc auto fps >= 0.9 x Mediabunny's: ${goals.autoVsMediabunny.ratio.toFixed(2)}x  ${goals.autoVsMediabunny.pass ? 'PASS' : 'FAIL'}`);
console.log(`goal: polyenc auto fps >= 3 x polyenc wasm's: ${goals.autoVsWasm.ratio.toFixed(2)}x  ${goals.autoVsWasm.pass ? 'PASS' : 'FAIL'}`);
console.log(`configs: polyenc auto ${JSON.stringify(auto.config)}\n         Mediabunny ${JSON.stringify(mb.config)}`);
console.log(`all ${RUNS * TOOLS.length} MP4s checked with ffprobe: ${N} h264 frames at ${W}x${H} (bench/out/browser-*.mp4)`);

const json = {
  date: new Date().toISOString(), node: process.version, browser: env.userAgent, cores: env.cores,
  polyencBackend: env.backend, polyencDist: DIST, crossOriginIsolated: env.crossOriginIsolated, mediabunny: mediabunnyVersion,
  frames: N, size: `${W}x${H}`, frameRate: FPS, runs: RUNS, bitRate: BITRATE, gop: GOP, wasmPreset: PRESET, polyencInput: INPUT,
  results, goals,
};
fs.writeFileSync(path.join(OUT, 'browser-bench.json'), JSON.stringify(json, null, 2) + '\n');
console.log(`wrote ${path.join(OUT, 'browser-bench.json')}`);
