// The wasm backend against the native one (the Node addon over the same C core, host FFmpeg and libyuv),
// in one process: one encoder of each, made after `init({ backend })` switched the backend new encoders
// get. The same raw frames and settings must decode to the same frames within the codec's tolerance.
// Lossless x264 (crf 0) isolates the colour conversion: BT.601 is libyuv's arithmetic on both sides, so
// the YUV must be identical; BT.709 is SIMD128 (wasm) against swscale (host): within 2 levels.
// Skipped unless both backends load. (The same in both runs of the suite: it does not depend on BACKEND.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { polyenc, BACKEND, rgbPattern, noise, toLayout, probe, decodeVideo, meanAbsDiff, maxAbsDiff } from './helpers.mjs';

let skip = false;
for (const backend of ['native', 'wasm']) {
  try {
    await polyenc.init({ backend });
  } catch (e) {
    skip = `the ${backend} backend does not load: ${e.message}`;
  }
}
await polyenc.init({ backend: BACKEND }); // back to this run's backend

// An encoder of a backend: made after init() switched to it; it keeps that backend after the switch back.
async function make(backend) {
  await polyenc.init({ backend });
  const enc = new polyenc.Encoder();
  await polyenc.init({ backend: BACKEND });
  assert.equal(enc.backend, backend);
  return enc;
}

const W = 320, H = 240, N = 12;

async function encode(backend, frames, layout, video, format = 'mkv') {
  const enc = await make(backend);
  const v = enc.addVideo({ width: W, height: H, frameRate: 30, threads: 1, ...video });
  enc.openMemory({ format });
  await v.addFrames(frames, { layout });
  return Buffer.from(await enc.close());
}

// smooth pattern + a band of noise (every chroma rounding case)
function input() {
  const rgb = rgbPattern(W, H, N);
  const n = noise(W * 40 * 3 * N, 7);
  for (let f = 0; f < N; f++) rgb.set(n.subarray(f * W * 40 * 3, (f + 1) * W * 40 * 3), f * W * H * 3 + W * 100 * 3);
  return rgb;
}

for (const layout of ['rgba', 'rgb24', 'bgra', 'rgb-planar']) {
  for (const colorRange of ['tv', 'pc']) {
    test(`lossless, BT.601 ${colorRange}, ${layout}: wasm and native give identical YUV`, { skip }, async () => {
      const frames = toLayout(input(), W, H, layout);
      const settings = { crf: 0, preset: 'ultrafast', colorRange };
      const a = decodeVideo(await encode('wasm', frames, layout, settings), 0, 'yuv420p');
      const b = decodeVideo(await encode('native', frames, layout, settings), 0, 'yuv420p');
      assert.equal(a.length, b.length);
      assert.equal(maxAbsDiff(a, b), 0, `mean abs diff ${meanAbsDiff(a, b)}`);
    });
  }
}

test('lossless, BT.709 tv: SIMD128 (wasm) vs swscale (native) within 2 levels (99%)', { skip }, async () => {
  // (on noise the two differ in chroma: swscale filters chroma with a bicubic kernel, the wasm path and
  // libyuv take the 2x2 average)
  const frames = toLayout(rgbPattern(W, H, N), W, H, 'rgba');
  const settings = { crf: 0, preset: 'ultrafast', colorSpace: 'bt709' };
  const a = decodeVideo(await encode('wasm', frames, 'rgba', settings), 0, 'yuv420p');
  const b = decodeVideo(await encode('native', frames, 'rgba', settings), 0, 'yuv420p');
  const mad = meanAbsDiff(a, b);
  let over = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > 2) over++;
  // the pattern has one sharp edge (where red wraps around): chroma filters differ there
  assert.ok(over / a.length < 0.01 && mad < 0.5, `mean ${mad}, ${over} of ${a.length} values off by more than 2`);
});

test('default settings (crf 23, medium): the decoded frames agree within the codec tolerance', { skip }, async () => {
  const rgb = rgbPattern(W, H, 30);
  const a = await encode('wasm', rgb, 'rgb24', {}, 'mp4');
  const b = await encode('native', rgb, 'rgb24', {}, 'mp4');
  const pa = probe(a).streams[0], pb = probe(b).streams[0];
  for (const k of ['codec_name', 'width', 'height', 'r_frame_rate', 'time_base', 'duration', 'nb_frames', 'pix_fmt'])
    assert.equal(pa[k], pb[k], k);
  const da = decodeVideo(a), db = decodeVideo(b);
  const mad = meanAbsDiff(da, db);
  assert.ok(mad < 1, `wasm vs native decoded frames: mean abs diff ${mad}`);
  assert.ok(meanAbsDiff(da, rgb) < 4);
});

test('init({ backend }) switches new encoders only: the ones made before keep theirs', { skip }, async () => {
  const other = BACKEND === 'wasm' ? 'native' : 'wasm';
  const mine = new polyenc.Encoder();
  const info = await polyenc.init({ backend: other });
  assert.equal(info.backend, other);
  assert.equal(polyenc.backendInfo().backend, other);
  const theirs = new polyenc.Encoder();
  await polyenc.init({ backend: BACKEND });
  assert.deepEqual([mine.backend, theirs.backend], [BACKEND, other]);
  for (const enc of [mine, theirs]) {
    const v = enc.addVideo({ width: 64, height: 48, frameRate: 10 });
    enc.openMemory({ format: 'mp4' });
    await v.addFrames(rgbPattern(64, 48, 3), { layout: 'rgb24' });
    assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 3);
  }
});

// The H.264 bitstream alone (Annex B), as the muxer stored it.
const h264Of = (file) => execFileSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-map', '0:v', '-c', 'copy', '-f', 'h264', 'pipe:1'],
  { input: file, maxBuffer: 1 << 28 });

// x264's SIMD128 kernels (wasm/patches/x264) against x264's C code: the wasm build's bitstream must equal its
// own with the kernels off (x264-params asm=0) and the native x264's C output (native x86 assembly is left
// out: at veryfast, libx264 0.164's x86 assembly itself does not give the bytes of its C code).
test('x264 in wasm, SIMD128 kernels on, writes the bytes of x264\'s C code: ultrafast, veryfast, medium', { skip }, async () => {
  const frames = toLayout(input(), W, H, 'rgb24');
  const c = { options: { 'x264-params': 'asm=0' } };
  for (const preset of ['ultrafast', 'veryfast', 'medium']) {
    const simd = h264Of(await encode('wasm', frames, 'rgb24', { preset }));
    assert.ok(simd.length > 1000, `${preset}: ${simd.length} bytes`);
    for (const [what, other] of [['wasm, kernels off', await encode('wasm', frames, 'rgb24', { preset, ...c })],
      ['native C', await encode('native', frames, 'rgb24', { preset, ...c })]]) {
      const b = h264Of(other);
      assert.ok(simd.equals(b), `${preset}: SIMD128 ${simd.length} bytes, ${what} ${b.length}, first difference at byte ${simd.findIndex((v, k) => v !== b[k])}`);
    }
  }
});
