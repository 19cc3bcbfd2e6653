// 10-bit in the browser: a grey ramp of 1024 levels in the deep layouts (rgb48, rgba64, rgb-planar16,
// rgb-planar-f32), 8-bit bytes and a canvas, into VP9 of pixelFormat 'yuv420p10le'. WebCodecs encodes it
// when this browser's VideoEncoder supports 10-bit VP9 (profile 2; Chromium does), from I420P10 frames that
// polyenc's own converter makes at full precision; the wasm encoder otherwise, and when asked for. Decoded
// here with FFmpeg: profile 2, yuv420p10le, and luma within a few codes of the exact 10-bit value, with more
// than 700 distinct levels (an 8-bit step would leave at most 256). A NaN in a float call refuses the call
// whole. The page's side is tests/browser/tenbit-page.mjs.
//   node --test --test-concurrency=1 tests/browser/tenbit.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openBrowser, openPage, ffprobe, outDir } from './harness.mjs';
import { run } from '../js/checks.mjs';

const W = 256, H = 16, N = 3;
const level = (x, y) => x * 4 + (y & 3); // as the page's
let env, wc10;

async function withPage(body) {
  const p = await openPage(env);
  try {
    await p.page.evaluate(async () => {
      const m = await import('/tests/browser/tenbit-page.mjs');
      for (const [k, fn] of Object.entries(m)) window[`tenbit.${k}`] = fn;
    });
    await body({ ...p, run: (name, params) => p.call(`tenbit.${name}`, params) });
    assert.deepEqual(p.logs.filter((l) => /^(pageerror|error)/.test(l)), [], 'no page error');
  } finally {
    await p.close();
  }
}

test.before(async () => {
  env = await openBrowser();
  await withPage(async (p) => (wc10 = await p.run('supported')));
  console.log(`# this Chromium's VideoEncoder takes 10-bit VP9: ${wc10}`);
});
test.after(() => env?.close());

// The luma plane of each frame as decoded (yuv420p10le as it is: no range conversion).
function lumaFrames(file) {
  const raw = run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p10le', '-']);
  const size = W * H * 3; // 2 bytes a sample, chroma a quarter each
  assert.equal(raw.length % size, 0);
  return Array.from({ length: raw.length / size }, (_, k) => new Uint16Array(raw.buffer.slice(raw.byteOffset + k * size, raw.byteOffset + k * size + W * H * 2)));
}

// The exact BT.601 tv luma of pixel (x, y) for a source of `bits` (16: the deep layouts; 8: bytes, a canvas).
const wantLuma = (x, y, bits) => Math.round(64 + 876 * (bits === 8 ? (level(x, y) >> 2) / 255 : level(x, y) / 1023));

function check(r, what, bits) {
  assert.equal(r.error, undefined, `${what}: ${JSON.stringify(r.error)}`);
  const file = path.join(outDir, `tenbit-${what.replace(/[^a-z0-9]+/gi, '-')}.webm`);
  fs.writeFileSync(file, Buffer.from(r.bytes, 'base64'));
  const v = ffprobe(file).streams[0];
  assert.deepEqual([v.codec_name, v.pix_fmt, v.profile], ['vp9', 'yuv420p10le', 'Profile 2'], `${what}: ${JSON.stringify(v)}`);
  const frames = lumaFrames(file);
  assert.equal(frames.length, N, `${what}: ${frames.length} frames`);
  for (const [k, y10] of frames.entries()) {
    let worst = 0, sum = 0;
    const levels = new Set(y10);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const d = Math.abs(y10[y * W + x] - wantLuma(x, y, bits));
        worst = Math.max(worst, d), sum += d;
      }
    }
    const mean = sum / (W * H);
    assert.ok(mean <= 2 && worst <= 12, `${what}, frame ${k}: luma off by ${mean.toFixed(2)} on average, ${worst} at most`);
    if (bits === 16) assert.ok(levels.size > 700, `${what}, frame ${k}: ${levels.size} distinct luma levels`);
  }
}

test('deep layouts into 10-bit VP9: WebCodecs where supported (direct and worker mode), the wasm encoder when asked', async (t) => {
  await withPage(async (p) => {
    for (const source of ['rgb48', 'rgba64', 'rgb-planar16', 'rgb-planar-f32']) {
      for (const [encoder, worker] of [['auto', false], ['auto', true], ['wasm', false]]) {
        const what = `${source}, ${encoder}${worker ? ', worker' : ''}`;
        await t.test(what, async () => {
          const r = await p.run('encode', { source, encoder, worker, n: N });
          if (r.error?.message?.includes('10-bit') && encoder === 'wasm') return t.skip(`the wasm encoder: ${r.error.message}`);
          assert.equal(r.encoderName, encoder === 'auto' && wc10 ? 'webcodecs' : 'wasm', what);
          check(r, what, 16);
        });
      }
    }
  });
});

test('8-bit bytes and a canvas into a 10-bit stream: the same values, 10-bit VP9', async () => {
  if (!wc10) return;
  await withPage(async (p) => {
    for (const source of ['rgb24', 'canvas']) {
      const r = await p.run('encode', { source, encoder: 'webcodecs', n: N });
      assert.equal(r.encoderName, 'webcodecs');
      check(r, `${source}, webcodecs`, 8);
    }
  });
});

test('a NaN in a float call: POLYENC_ERR_ARGUMENT naming the frame and pixel, nothing of the call encoded', async () => {
  await withPage(async (p) => {
    for (const encoder of wc10 ? ['webcodecs', 'wasm'] : ['wasm']) {
      const r = await p.run('encode', { source: 'rgb-planar-f32', encoder, n: N, nan: true });
      if (r.error?.message?.includes('10-bit') && encoder === 'wasm') continue;
      assert.equal(r.refused?.code, 'POLYENC_ERR_ARGUMENT', `${encoder}: ${JSON.stringify(r.refused)}`);
      assert.match(r.refused.message, /frame 1 of the call/);
      assert.match(r.refused.message, /NaN in channel B at pixel \(5, 3\)/);
      check(r, `nan, ${encoder}`, 16); // N frames: the refused call's none
    }
  });
});
