// Long run of the wasm build in Node: FRAMES small frames + audio streamed to a discarding Writable
// (tests/node/longrun.mjs's longRun). Prints the wasm heap in use and the wasm memory size at 1k / 10k /
// 100k frames (and at the end), which must stay flat.
//
//   node tests/wasm/longrun.mjs [FRAMES]        default 100000; tests/wasm/longrun.test.mjs runs a short one
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { longRun } from '../node/longrun.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

export async function loadWasm() {
  const dist = process.env.POLYENC_WASM_DIST || path.join(root, 'wasm', 'dist');
  const api = await import(pathToFileURL(path.join(dist, 'polyenc.mjs')).href);
  await api.init();
  return api;
}

export function wasmMeasure(api) {
  return () => {
    const { heapInUse, heapBytes } = api.wasmInfo();
    return { heapInUse, heapBytes, rss: process.memoryUsage().rss };
  };
}

const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const frames = Number(process.argv[2] || 100000);
  const api = await loadWasm();
  const r = await longRun(api, {
    frames,
    measure: wasmMeasure(api),
    log: (p) => console.log(`${String(p.frames).padStart(7)} frames${p.closed ? ', closed' : ''}: wasm heap in use ${mib(p.heapInUse)}, memory ${mib(p.heapBytes)}, rss ${mib(p.rss)}`),
  });
  console.log(`${r.bytes} bytes in ${r.writes} writes, ${r.seconds.toFixed(1)} s (${(frames / r.seconds).toFixed(0)} frames/s)`);
  console.log(JSON.stringify(r.points));
}
