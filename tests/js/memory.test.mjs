// Memory of the wasm backend: close() gives the encoder's memory back; running out of memory is a clear
// Error (POLYENC_ERR_NOMEM / the C message), not an abort, and the module stays usable. (The native
// backend's memory: gc.test.mjs, longrun.test.mjs.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, only, BACKEND, rgbPattern, probe } from './helpers.mjs';

const { init, Encoder, backendInfo } = polyenc;
const skip = only('wasm');
const MAX = 160 << 20;
// a small ceiling, to reach it quickly
if (BACKEND === 'wasm') await init({ backend: 'wasm', maximumMemory: MAX });
const wasmInfo = () => {
  const info = backendInfo();
  assert.equal(info.backend, 'wasm');
  return info;
};

async function encodeSmall() {
  const enc = new Encoder();
  const v = enc.addVideo({ width: 160, height: 120, frameRate: 30 });
  enc.openMemory({ format: 'mp4' });
  await v.addFrames(rgbPattern(160, 120, 10), { layout: 'rgb24' });
  return enc.close();
}

test('close() frees the encoder: the heap in use returns to where it was', { skip }, async () => {
  await encodeSmall(); // first use: FFmpeg's one-time tables
  const before = wasmInfo().heapInUse;
  const enc = new Encoder();
  const v = enc.addVideo({ width: 1280, height: 720, frameRate: 30, preset: 'ultrafast' });
  enc.openMemory({ format: 'mp4' });
  await v.addFrames(new Uint8Array(1280 * 720 * 4 * 5).fill(90), { layout: 'rgba' });
  const during = wasmInfo().heapInUse;
  assert.ok(during > before + (10 << 20), `an encoder at 720p holds memory (${during - before} bytes)`);
  await enc.close();
  const after = wasmInfo().heapInUse;
  assert.ok(after - before < 64 * 1024, `heap in use before ${before}, after close ${after}`);
});

test('out of memory is an Error with a polyenc code; the module keeps working', { skip }, async () => {
  const enc = new Encoder();
  let err;
  try {
    // 4K frames with a long lookahead: more than the 160 MiB this module may grow to
    const v = enc.addVideo({ width: 3840, height: 2160, frameRate: 30, preset: 'medium' });
    enc.openMemory({ format: 'mp4' });
    const frame = new Uint8Array(3840 * 2160 * 4).fill(128);
    for (let i = 0; i < 60; i++) await v.addFrames(frame, { layout: 'rgba' });
    await enc.close();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, 'an Error was thrown');
  assert.equal(err.code, 'POLYENC_ERR_NOMEM', err.message);
  assert.equal(err.status, -5);
  assert.match(err.message, /out of WebAssembly memory/);
  assert.doesNotMatch(err.message, /WebAssembly module stopped/, 'the module did not abort');
  await enc.close().catch(() => {}); // frees what it holds
  assert.ok(wasmInfo().heapBytes <= MAX);
  const out = await encodeSmall();
  assert.equal(Number(probe(out).streams[0].nb_read_frames), 10, 'a new encoder works after the failure');
  assert.ok(wasmInfo().heapBytes <= MAX);
});

test('a large input is copied in batches: wasm memory stays bounded', { skip }, async () => {
  const enc = new Encoder();
  const v = enc.addVideo({ width: 640, height: 360, frameRate: 30, preset: 'ultrafast' });
  enc.openMemory({ format: 'mp4' });
  const many = new Uint8Array(640 * 360 * 4 * 240); // 221 MB in one call, more than the wasm memory may hold
  await v.addFrames(many, { layout: 'rgba' });
  const out = await enc.close();
  assert.equal(Number(probe(out).streams[0].nb_read_frames), 240);
  assert.ok(wasmInfo().heapBytes <= MAX);
});

test('init({ maximumMemory }) is the ceiling the module reports and keeps', { skip }, () => {
  const info = wasmInfo();
  assert.equal(info.variant, 'st');
  assert.ok(info.heapBytes <= MAX, `${info.heapBytes} bytes of wasm memory`);
  assert.ok(info.heapInUse < info.heapBytes);
});
