// Depth, alpha, HDR (docs: ../shared/design/API.md, "Depth, alpha, HDR"): the layouts of more than 8 bits a
// value ('rgb48', 'rgba64', 'rgb-planar16' in a Uint16Array, 'rgb-planar-f32' in a Float32Array), fed at full
// precision into a 10-bit pixel format, and the colorTransfer / colorPrimaries tags. Lossless x264 (qp 0,
// yuv444p10le) and lossless VP9 (yuv420p10le) isolate the conversion: a 1024-level grey ramp keeps its levels
// (no 8-bit step between), the same YUV on both backends. The array type of each layout is checked once in JS
// (the C side sees bytes).
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, BACKEND, probe, decodeVideo, maxAbsDiff } from './helpers.mjs';

const { Encoder } = polyenc;
const W = 256, H = 16, N = 2; // 4096 pixels a frame: the ramp's 1024 levels, each 4 times
const LAYOUTS = ['rgb48', 'rgba64', 'rgb-planar16', 'rgb-planar-f32'];
const LOSSLESS = { preset: 'ultrafast', pixelFormat: 'yuv444p10le', threads: 1, options: { qp: '0' } };
const VP9_LOSSLESS = { codec: 'libvpx-vp9', pixelFormat: 'yuv420p10le', threads: 1,
  options: { lossless: '1', deadline: 'realtime', 'cpu-used': '8' } };

// The ramp: pixel i of a frame is level (i + 7 * frame) % 1024 of 1024, the same in R, G and B (grey).
const level = (f, i) => (i + 7 * f) % 1024;

// The ramp in a layout: Uint16Array (level * 65535 / 1023, rounded) or Float32Array (level / 1023).
function ramp(layout) {
  const float = layout === 'rgb-planar-f32';
  const channels = layout === 'rgba64' ? 4 : 3;
  const planar = layout.startsWith('rgb-planar');
  const out = float ? new Float32Array(N * H * W * channels) : new Uint16Array(N * H * W * channels);
  for (let f = 0; f < N; f++) {
    for (let i = 0; i < H * W; i++) {
      const v = float ? level(f, i) / 1023 : Math.round((level(f, i) * 65535) / 1023);
      for (let c = 0; c < channels; c++) {
        const at = planar ? (f * channels + c) * H * W + i : (f * H * W + i) * channels + c;
        out[at] = c === 3 ? 65535 : v;
      }
    }
  }
  return out;
}

// The encoded file decoded as is (a 10-bit pixel format): a Uint16Array of N frames, each its Y, U and V planes.
function yuv10(file, pixFmt = 'yuv444p10le') {
  const raw = decodeVideo(file, 0, pixFmt);
  const all = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const frame = pixFmt === 'yuv420p10le' ? (H * W * 3) / 2 : 3 * H * W;
  assert.equal(all.length, N * frame, `decoded ${all.length} values, expected ${N} frames of ${W}x${H} ${pixFmt}`);
  return all;
}

// The luma planes of yuv10's frames: a Uint16Array of N x H x W levels.
function luma(all) {
  const frame = all.length / N, y = new Uint16Array(N * H * W);
  for (let f = 0; f < N; f++) y.set(all.subarray(f * frame, f * frame + H * W), f * H * W);
  return y;
}

async function encodeRamp(enc, layout, video = LOSSLESS, format = 'mkv') {
  const v = enc.addVideo({ width: W, height: H, frameRate: 30, ...video });
  enc.openMemory({ format });
  await v.addFrames(ramp(layout), { layout });
  return Buffer.from(await enc.close());
}

// The ramp's luma kept its levels: Y = 64 + 876 * level / 1023 (grey in limited range).
function checkRampLuma(y) {
  const distinct = new Set(y).size;
  assert.ok(distinct > 700, `${distinct} distinct luma levels (an 8-bit step would leave at most 256)`);
  // 99% within rounding (1.5 levels), all within 4 (at the ramp's wrap from white to black a few pixels
  // are off by 2-3 levels)
  let worst = 0, off = 0;
  for (let f = 0; f < N; f++) {
    for (let i = 0; i < H * W; i++) {
      const d = Math.abs(y[f * H * W + i] - (64 + (876 * level(f, i)) / 1023));
      worst = Math.max(worst, d);
      if (d > 1.5) off++;
    }
  }
  assert.ok(worst <= 4 && off < y.length / 100, `luma off the reference by up to ${worst.toFixed(2)} levels (${off} pixels over 1.5)`);
}

for (const layout of LAYOUTS) {
  test(`${layout}: a 1024-level ramp keeps its levels through yuv444p10le (lossless x264)`, async () => {
    checkRampLuma(luma(yuv10(await encodeRamp(new Encoder(), layout))));
  });
}

const noVp9 = (backend = BACKEND) => (polyenc.hasEncoder('libvpx-vp9') ? false : `no libvpx-vp9 on the ${backend} backend`);

test('a 1024-level ramp keeps its levels through VP9 yuv420p10le in WebM (lossless libvpx-vp9)', { skip: noVp9() }, async () => {
  for (const layout of LAYOUTS) {
    const file = await encodeRamp(new Encoder(), layout, VP9_LOSSLESS, 'webm');
    const s = probe(file).streams[0];
    assert.deepEqual([s.codec_name, s.pix_fmt, s.profile], ['vp9', 'yuv420p10le', 'Profile 2'], layout);
    checkRampLuma(luma(yuv10(file, 'yuv420p10le')));
  }
});

// Both backends in one process (as native.test.mjs): skipped unless both load; the same in either run.
let bothSkip = false;
for (const backend of ['native', 'wasm']) {
  try {
    await polyenc.init({ backend });
  } catch (e) {
    bothSkip = `the ${backend} backend does not load: ${e.message}`;
  }
}
await polyenc.init({ backend: BACKEND });

async function make(backend) {
  await polyenc.init({ backend });
  const enc = new Encoder();
  await polyenc.init({ backend: BACKEND });
  return enc;
}

test('the deep layouts give the same YUV on the native and the wasm backend (yuv444p10le, lossless x264)', { skip: bothSkip }, async () => {
  for (const layout of LAYOUTS) {
    const a = yuv10(await encodeRamp(await make('native'), layout));
    const b = yuv10(await encodeRamp(await make('wasm'), layout));
    assert.equal(maxAbsDiff(a, b), 0, `${layout}: native and wasm differ (Y, U and V)`);
  }
});

let bothVp9 = bothSkip;
for (const backend of bothSkip ? [] : ['native', 'wasm']) {
  await polyenc.init({ backend });
  bothVp9 ||= noVp9(backend);
}
await polyenc.init({ backend: BACKEND });

test('the deep layouts give the same YUV on the native and the wasm backend (VP9 yuv420p10le, lossless)', { skip: bothVp9 }, async () => {
  for (const layout of LAYOUTS) {
    const a = yuv10(await encodeRamp(await make('native'), layout, VP9_LOSSLESS, 'webm'), 'yuv420p10le');
    const b = yuv10(await encodeRamp(await make('wasm'), layout, VP9_LOSSLESS, 'webm'), 'yuv420p10le');
    assert.equal(maxAbsDiff(a, b), 0, `${layout}: native and wasm differ (Y, U and V)`);
  }
});

test('the deep layouts into 8-bit yuv444p: native and wasm give the same picture', { skip: bothSkip }, async () => {
  const video = { ...LOSSLESS, pixelFormat: 'yuv444p' };
  for (const layout of LAYOUTS) {
    const a = decodeVideo(await encodeRamp(await make('native'), layout, video), 0, 'yuv444p');
    const b = decodeVideo(await encodeRamp(await make('wasm'), layout, video), 0, 'yuv444p');
    assert.equal(a.length, N * 3 * H * W);
    assert.ok(maxAbsDiff(a, b) <= 1, `${layout}: native and wasm differ by up to ${maxAbsDiff(a, b)}`);
  }
});

function typeError(pattern) {
  return (err) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${err && err.constructor.name}: ${err && err.message}`);
    assert.match(err.message, pattern);
    return true;
  };
}

function polyencError(code, pattern) {
  return (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err && err.code}: ${err && err.message}`);
    assert.match(err.message, pattern);
    return true;
  };
}

test('the array type is the layout\'s: anything else is a TypeError naming both', async () => {
  const enc = new Encoder();
  const v = enc.addVideo({ width: 4, height: 2, frameRate: 30 });
  enc.openMemory({ format: 'mkv' });
  await assert.rejects(v.addFrames(new Uint8Array(4 * 2 * 6), { layout: 'rgb48' }),
    typeError(/^addFrames: layout 'rgb48' takes a Uint16Array \(16-bit values, native endian\), got Uint8Array$/));
  await assert.rejects(v.addFrames(Buffer.alloc(4 * 2 * 8), { layout: 'rgba64' }), typeError(/layout 'rgba64' takes a Uint16Array .*got Buffer$/));
  await assert.rejects(v.addFrames(new Float32Array(4 * 2 * 3), { layout: 'rgb-planar16' }),
    typeError(/layout 'rgb-planar16' takes a Uint16Array .*got Float32Array$/));
  await assert.rejects(v.addFrames(new Float64Array(4 * 2 * 3), { layout: 'rgb-planar-f32' }),
    typeError(/^addFrames: layout 'rgb-planar-f32' takes a Float32Array \(float32 values in \[0, 1\]\), got Float64Array$/));
  await assert.rejects(v.addFrames(new Uint16Array(4 * 2 * 3), { layout: 'rgb-planar-f32' }),
    typeError(/layout 'rgb-planar-f32' takes a Float32Array .*got Uint16Array$/));
  // 8-bit layouts keep taking bytes only, and say which layout the array is for
  await assert.rejects(v.addFrames(new Uint16Array(4 * 2 * 3), { layout: 'rgb24' }),
    typeError(/^addFrames: layout 'rgb24' takes 8-bit bytes \(a Buffer, Uint8Array or Uint8ClampedArray; a Uint16Array is for layout 'rgb48', 'rgba64' or 'rgb-planar16'\), got Uint16Array$/));
  await assert.rejects(v.addFrames(new Float32Array(4 * 2 * 3)),
    typeError(/^addFrames: layout 'rgb-planar' takes 8-bit bytes \(.*a Float32Array is for layout 'rgb-planar-f32'\), got Float32Array$/));
  // counted in values, not bytes
  await assert.rejects(v.addFrames(new Uint16Array(4 * 2 * 3 + 1), { layout: 'rgb48' }),
    polyencError('POLYENC_ERR_ARGUMENT', /^addFrames: 25 values is not a whole number of 4x2 rgb48 frames \(24 values each\)/));
  await assert.rejects(v.addFrames(new Float32Array(4 * 2 * 3), { layout: 'rgb-planar-f32', numFrames: 2 }),
    polyencError('POLYENC_ERR_ARGUMENT', /^addFrames: numFrames=2 needs 48 values of 4x2 rgb-planar-f32, got 24$/));
  // numFrames uses the start of the data, as for bytes; a view into a larger buffer is its own values only
  const big = new Uint16Array(100 + 4 * 2 * 4 * 3);
  await v.addFrames(big.subarray(100, 100 + 4 * 2 * 4 * 2), { layout: 'rgba64' });
  await v.addFrames(new Uint16Array(4 * 2 * 3 * 2 + 5), { layout: 'rgb-planar16', numFrames: 2 });
  await v.addFrames(new Float32Array(0), { layout: 'rgb-planar-f32' });
  assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 4);
  assert.throws(() => new Encoder().addVideo({ width: 4, height: 2, frameRate: 30, colorTransfer: 5 }),
    typeError(/^addVideo\.colorTransfer must be a string, got number$/));
  assert.throws(() => new Encoder().addVideo({ width: 4, height: 2, frameRate: 30, colorPrimaries: {} }),
    typeError(/^addVideo\.colorPrimaries must be a string, got object$/));
});

test('a NaN in a Float32Array: POLYENC_ERR_ARGUMENT naming the pixel, the stream usable after', async () => {
  const enc = new Encoder();
  const v = enc.addVideo({ width: 8, height: 4, frameRate: 30, ...LOSSLESS, pixelFormat: 'yuv444p' });
  enc.openMemory({ format: 'mkv' });
  const frames = new Float32Array(2 * 3 * 4 * 8).fill(0.5);
  frames[(1 * 3 + 2) * 4 * 8 + 3 * 8 + 5] = NaN; // frame 1, channel 2 (blue), y 3, x 5
  await assert.rejects(v.addFrames(frames, { layout: 'rgb-planar-f32' }), (err) => {
    assert.equal(err.code, 'POLYENC_ERR_ARGUMENT', err.message);
    assert.match(err.message, /NaN/);
    assert.match(err.message, /frame 1\b/);
    assert.match(err.message, /channel (2|B)\b/);
    assert.match(err.message, /\(x 5, y 3\)|\(5, 3\)|x[ =]5.*y[ =]3/);
    return true;
  });
  frames[(1 * 3 + 2) * 4 * 8 + 3 * 8 + 5] = 2; // clamped to 1
  await v.addFrames(frames, { layout: 'rgb-planar-f32' });
  assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 2); // nothing of the failed call
});

test('colorTransfer smpte2084 + colorPrimaries bt2020 + colorSpace bt2020 are tagged (libx265)', {
  skip: polyenc.hasEncoder('libx265') ? false : `no libx265 on this backend (${BACKEND})`,
}, async () => {
  for (const format of ['mkv', 'mp4']) {
    const enc = new Encoder();
    const v = enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 'libx265', pixelFormat: 'yuv420p10le',
      colorSpace: 'bt2020', colorTransfer: 'smpte2084', colorPrimaries: 'bt2020', options: { 'x265-params': 'log-level=error' } });
    enc.openMemory({ format });
    const frames = new Uint16Array(3 * 64 * 48 * 3).fill(30000);
    await v.addFrames(frames, { layout: 'rgb48' });
    const s = probe(await enc.close()).streams[0];
    assert.equal(s.codec_name, 'hevc');
    assert.equal(s.pix_fmt, 'yuv420p10le');
    assert.deepEqual([s.color_transfer, s.color_primaries, s.color_space], ['smpte2084', 'bt2020', 'bt2020nc'], format);
  }
});

test('an unknown colorTransfer is the library\'s POLYENC_ERR_ARGUMENT', () => {
  assert.throws(() => new Encoder().addVideo({ width: 4, height: 2, frameRate: 30, colorTransfer: 'st2084' }),
    polyencError('POLYENC_ERR_ARGUMENT', /smpte2084.*got 'st2084'/));
});
