// Time to a first encoded frame with the npm package's Node entry, on each backend: a fresh process
// imports 'polyenc', makes an encoder (which loads the backend: the addon, or the wasm module compiled
// synchronously), adds a 640x360 video stream, opens memory and awaits one frame's addFrames. Medians of
// --runs fresh processes per backend; the times are from the process's start (performance.now()).
//   node bench/js/first-frame.mjs [--runs 7] [--entry path/to/index.node.mjs]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, dflt) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : dflt);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = path.resolve(arg('entry', path.join(root, 'js', 'src', 'index.node.mjs')));
const runs = Number(arg('runs', 7));

const child = `
const t0 = performance.now();
const { Encoder } = await import(${JSON.stringify(entry)});
const tImport = performance.now();
const enc = new Encoder();
const tBackend = performance.now();
const video = enc.addVideo({ width: 640, height: 360, frameRate: 30, preset: 'ultrafast' });
enc.openMemory({ format: 'mp4' });
await video.addFrames(new Uint8Array(640 * 360 * 3).fill(90), { layout: 'rgb24' });
const tFrame = performance.now();
await enc.close();
console.log(JSON.stringify({ backend: enc.backend, start: t0, import: tImport, backendLoaded: tBackend, firstFrame: tFrame }));`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const backend of ['native', 'wasm']) {
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', env: { ...process.env, POLYENC_BACKEND: backend } });
    if (r.status !== 0) throw new Error(r.stderr);
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop()));
  }
  const m = (k) => median(rows.map((x) => x[k])).toFixed(0);
  console.log(`${backend.padEnd(6)} median of ${runs}: process start -> import done ${m('start')}..${m('import')} ms, ` +
    `backend loaded ${m('backendLoaded')} ms, first frame encoded ${m('firstFrame')} ms`);
}
