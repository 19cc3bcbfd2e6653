// Browser tests of the wasm encoders in headless Chromium: a page served from 127.0.0.1 draws a canvas
// animation and renders a tone with Web Audio, encodes them with polyenc into a Blob and plays the Blob
// in a <video>: loadedmetadata with the right size and duration, then a seek to the last second. The
// same in worker mode and, with COOP/COEP headers, with the threaded build. The MP4s are also checked
// with ffprobe. Video is forced to the wasm encoders here (encoder: 'wasm'); webcodecs.test.mjs tests
// the default, WebCodecs. Screenshots: tests/browser/out/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, runPage as run, ffprobe, checkPlayback, checkMp4 } from './harness.mjs';

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());
const runPage = (name, params) => run(env, name, { encoder: 'wasm', ...params });

test('single-threaded, direct: canvas + ImageData + VideoFrame + AudioBuffer -> MP4 Blob that plays', async () => {
  const r = await runPage('st-mp4', { format: 'mp4' });
  assert.equal(r.variant, 'st');
  assert.equal(r.type, 'video/mp4');
  assert.ok(r.kinds.videoFrame > 0 && r.kinds.imageData > 0 && r.kinds.canvas > 0, JSON.stringify(r.kinds));
  checkPlayback(r);
  assert.equal(r.encoderName, 'wasm');
  checkMp4(r.file);
  console.log(`# st direct: ${r.size} bytes, encode ${r.encodeMs.toFixed(0)} ms`);
});

test('single-threaded, WebM (VP9 + Opus) Blob that plays', async () => {
  const r = await runPage('st-webm', { format: 'webm' });
  assert.equal(r.type, 'video/webm');
  checkPlayback(r);
  const info = ffprobe(r.file);
  assert.deepEqual(info.streams.map((s) => s.codec_name), ['vp9', 'opus']);
});

test('openStream(WritableStream): fragmented MP4 that plays', async () => {
  const r = await runPage('st-stream', { format: 'mp4', stream: true });
  checkPlayback(r);
  assert.ok(r.bytes.includes(Buffer.from('moof')));
  checkMp4(r.file);
});

test('worker mode: the encoder runs in a Web Worker, the page stays responsive', async () => {
  const r = await runPage('worker-mp4', { format: 'mp4', worker: true, width: 640, height: 360 });
  assert.equal(r.type, 'video/mp4');
  checkPlayback(r, { width: 640, height: 360 });
  checkMp4(r.file);
  console.log(`# worker: encode ${r.encodeMs.toFixed(0)} ms, longest main-thread gap ${r.maxGap.toFixed(0)} ms`);
});

test('threaded build under COOP/COEP (crossOriginIsolated), direct and in worker mode', async () => {
  for (const worker of [false, true]) {
    const r = await runPage(`mt-${worker ? 'worker' : 'direct'}`, { isolated: true, format: 'mp4', worker, width: 640, height: 360 });
    assert.equal(r.crossOriginIsolated, true);
    assert.equal(r.variant, 'mt');
    checkPlayback(r, { width: 640, height: 360 });
    checkMp4(r.file);
    console.log(`# mt ${worker ? 'worker' : 'direct'}: encode ${r.encodeMs.toFixed(0)} ms`);
  }
});
