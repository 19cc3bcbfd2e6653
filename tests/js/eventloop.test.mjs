// The native backend encodes on the encoder's own thread: a timer keeps firing while a 1080p encode runs.
// (The wasm backend runs each call on the calling thread; its answer is worker mode in the browser.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, only } from './helpers.mjs';

test('the event loop stays responsive during a 1080p encode', { skip: only('native') }, async (t) => {
  const W = 1920, H = 1080, ROW = W * 3, N = 40;
  const tall = Buffer.alloc((H + N) * ROW);
  for (let i = 0; i < tall.length; i++) tall[i] = (i * 2654435761) >>> 27; // texture the encoder must work on

  const enc = new polyenc.Encoder();
  assert.equal(enc.backend, 'native');
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, preset: 'medium' });
  enc.openMemory({ format: 'mp4' });

  let ticks = 0, maxGap = 0, last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 10);
  const t0 = performance.now();
  // First several calls in flight at once (more than the worker's queue holds: the rest wait their
  // turn without blocking anything), then one frame at a time.
  const pending = [];
  for (let k = 0; k < 8; k++) pending.push(video.addFrames(tall.subarray(k * ROW), { layout: 'rgb24', numFrames: 1 }));
  await Promise.all(pending);
  for (let k = 8; k < N; k++) await video.addFrames(tall.subarray(k * ROW, (k + H) * ROW), { layout: 'rgb24' });
  const out = await enc.close();
  const elapsed = performance.now() - t0;
  clearInterval(timer);
  t.diagnostic(`encode ${elapsed.toFixed(0)} ms, ${ticks} timer ticks of 10 ms, longest gap ${maxGap.toFixed(1)} ms`);
  assert.ok(out.length > 0);
  assert.ok(elapsed > 200, 'the encode is long enough to tell');
  assert.ok(ticks >= (elapsed / 10) * 0.5, `only ${ticks} ticks in ${elapsed.toFixed(0)} ms`);
  assert.ok(maxGap < 250, `the event loop was blocked for ${maxGap.toFixed(0)} ms`);
});
