// The short version of tests/wasm/longrun.mjs (100,000 frames there): a few thousand frames + audio
// streamed to a discarding Writable; the wasm heap in use and the wasm memory do not grow after the first
// 1000 frames.
import test from 'node:test';
import assert from 'node:assert/strict';
import { longRun } from '../node/longrun.mjs';
import { loadWasm, wasmMeasure } from './longrun.mjs';

test('a long stream keeps the wasm heap flat', { timeout: 300000 }, async () => {
  const api = await loadWasm();
  const r = await longRun(api, { frames: 3000, checkpoints: [1000, 2000], measure: wasmMeasure(api) });
  const [first, second] = r.points;
  assert.equal(r.points.length, 4);
  assert.ok(r.bytes > 100000 && r.writes > 10, `${r.bytes} bytes in ${r.writes} writes`);
  // during the encode: the same heap in use at 1000 and 2000 frames (give or take the muxer's fragment)
  assert.ok(Math.abs(second.heapInUse - first.heapInUse) < 1048576, `heap in use: ${JSON.stringify(r.points)}`);
  assert.equal(second.heapBytes, first.heapBytes, `wasm memory grew: ${JSON.stringify(r.points)}`);
});
