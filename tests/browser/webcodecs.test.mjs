// WebCodecs video behind the same Encoder API, in headless Chromium: encoder 'auto' (the default) uses the
// browser's VideoEncoder, polyenc's wasm core muxes its chunks with wasm-encoded audio. The Blobs must
// play and seek, and carry the same streams, frame count and timestamps as the wasm encoder's file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, runPage, inPage, ffprobe, videoPts, checkPlayback, checkMp4 } from './harness.mjs';

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());

const expectedPts = (n, fps) => Array.from({ length: n }, (_, i) => i / fps);

// fragmented: FFmpeg's mov muxer (the ffmpeg CLI too) moves the frames after the first one by the AAC
// encoder's delay (1024 / 48000 s) in fragmented MP4; the spacing is still exact
function checkPts(file, { n = 90, fps = 30, fragmented = false } = {}) {
  const pts = videoPts(file);
  assert.equal(pts.length, n);
  const shift = fragmented ? 1024 / 48000 : 0;
  pts.forEach((t, i) => assert.ok(Math.abs(t - expectedPts(n, fps)[i] - (i ? shift : 0)) < 1e-3, `frame ${i}: pts ${t}`));
}

test("'auto' picks WebCodecs: H.264 + wasm AAC in one MP4 that plays and seeks; same streams and timestamps as 'wasm'", async () => {
  const auto = await runPage(env, 'wc-auto-mp4', { format: 'mp4' });
  assert.equal(auto.encoderName, 'webcodecs');
  assert.equal(auto.type, 'video/mp4');
  checkPlayback(auto);
  const info = checkMp4(auto.file);
  checkPts(auto.file);
  // the backpressure: addFrames resolves only once the VideoEncoder's queue is short
  assert.ok(auto.maxQueue <= 5, `encodeQueueSize reached ${auto.maxQueue}`);
  // no crf given: crf 23, which webcodecs.mjs maps to 0.1 bit per pixel (230 kb/s here); the encoder may overshoot
  const kbps = ffprobe(auto.file).streams[0].bit_rate / 1000;
  assert.ok(kbps > 50 && kbps < 700, `H.264 at ${kbps} kb/s for the default quality`);

  const wasm = await runPage(env, 'wc-wasm-mp4', { format: 'mp4', encoder: 'wasm' });
  assert.equal(wasm.encoderName, 'wasm');
  const ref = checkMp4(wasm.file);
  checkPts(wasm.file);
  assert.deepEqual(info.streams.map((s) => s.codec_name), ref.streams.map((s) => s.codec_name));
  assert.equal(Number(info.streams[1].nb_read_frames), Number(ref.streams[1].nb_read_frames));
  console.log(`# auto (WebCodecs): ${auto.size} bytes, encode ${auto.encodeMs.toFixed(0)} ms; ` +
    `wasm: ${wasm.size} bytes, encode ${wasm.encodeMs.toFixed(0)} ms`);
});

test("'auto' with a bitrate; openStream gives fragmented MP4 that plays", async () => {
  const r = await runPage(env, 'wc-stream', { format: 'mp4', stream: true, bitRate: 500_000 });
  assert.equal(r.encoderName, 'webcodecs');
  assert.ok(r.bytes.includes(Buffer.from('moof')));
  checkPlayback(r);
  checkMp4(r.file);
  checkPts(r.file, { fragmented: true });
  const kbps = (ffprobe(r.file).format.bit_rate / 1000);
  assert.ok(kbps > 100 && kbps < 1500, `bit rate ${kbps} kb/s for 500 kb/s asked`);
});

test("'auto' WebM: VP9 from WebCodecs + Opus from wasm, plays", async () => {
  const r = await runPage(env, 'wc-webm', { format: 'webm' });
  assert.equal(r.encoderName, 'webcodecs');
  assert.equal(r.type, 'video/webm');
  checkPlayback(r);
  const info = ffprobe(r.file);
  assert.deepEqual(info.streams.map((s) => s.codec_name), ['vp9', 'opus']);
  assert.equal(Number(info.streams[0].nb_read_frames), 90);
  // no crf given: crf 23 as the per-frame quantizer (quantizer 0 would be near lossless: ~5.5 Mb/s here)
  const kbps = info.format.bit_rate / 1000;
  assert.ok(kbps < 2500, `VP9 at ${kbps} kb/s for the default quality`);
});

test("worker mode: WebCodecs in the Web Worker, encoderName reported back", async () => {
  const r = await runPage(env, 'wc-worker', { format: 'mp4', worker: true, width: 640, height: 360 });
  assert.equal(r.encoderName, 'webcodecs');
  checkPlayback(r, { width: 640, height: 360 });
  checkMp4(r.file);
  checkPts(r.file);
});

test("the choice: options WebCodecs cannot honour fall back to wasm under 'auto' and fail under 'webcodecs'", async () => {
  const r = await inPage(env, 'runChoices');
  assert.equal(r.auto.encoderName, 'webcodecs');
  for (const k of ['auto-yuv444p', 'auto-x264-options', 'auto-mpeg4', 'auto-lossless']) {
    assert.equal(r[k].encoderName, 'wasm', `${k}: ${JSON.stringify(r[k])}`);
    assert.ok(r[k].size > 0);
  }
  assert.equal(r['webcodecs-vp9-webm'].encoderName, 'webcodecs');
  assert.equal(r['webcodecs-yuv444p'].code, 'POLYENC_ERR_UNSUPPORTED');
  assert.match(r['webcodecs-yuv444p'].message, /pixelFormat 'yuv444p'/);
  assert.equal(r['webcodecs-mpeg4'].code, 'POLYENC_ERR_UNSUPPORTED');
  assert.match(r['webcodecs-mpeg4'].message, /mpeg4/);
  assert.equal(r.bogus.error, 'TypeError');
  assert.match(r.bogus.message, /'auto', 'webcodecs' or 'wasm'/);
});
