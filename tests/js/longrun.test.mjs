// The short version of tests/js/longrun.mjs (100,000 frames there): a few thousand frames + audio streamed
// to a discarding Writable. After the first 1000 frames the open file descriptors do not grow, nor the RSS
// (native), nor the wasm heap in use and the wasm memory (wasm).
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, BACKEND } from './helpers.mjs';
import { longRun } from './longrun.mjs';

test(`a long stream keeps memory and file descriptors flat (${BACKEND})`, { timeout: 300000 }, async (t) => {
  const r = await longRun(polyenc, { frames: 3000, checkpoints: [1000, 2000] });
  t.diagnostic(`${r.seconds.toFixed(1)} s: ${JSON.stringify(r.points)}`);
  assert.equal(r.backend, BACKEND);
  assert.deepEqual(r.points.map((p) => p.frames), [1000, 2000, 3000, 3000]);
  const [first, second] = r.points, last = r.points.at(-1);
  assert.ok(r.bytes > 100000 && r.writes > 10, `${r.bytes} bytes in ${r.writes} writes`);
  assert.equal(last.fds, first.fds, `open fds: ${JSON.stringify(r.points)}`);
  if (BACKEND === 'native') {
    assert.ok(last.rss - first.rss < 16 * 1048576, `RSS grew by ${last.rss - first.rss} bytes: ${JSON.stringify(r.points)}`);
  } else {
    // during the encode: the same heap in use at 1000 and 2000 frames (give or take the muxer's fragment)
    assert.ok(Math.abs(second.heapInUse - first.heapInUse) < 1048576, `heap in use: ${JSON.stringify(r.points)}`);
    assert.equal(second.heapBytes, first.heapBytes, `wasm memory grew: ${JSON.stringify(r.points)}`);
    // and close() gives back what the encoder held
    assert.ok(last.heapInUse < first.heapInUse, `heap in use after close: ${JSON.stringify(r.points)}`);
  }
});
