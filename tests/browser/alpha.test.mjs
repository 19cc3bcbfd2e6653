// Alpha in the browser: pictures with alpha (canvas, ImageData, ImageBitmap, RGBA / BGRA VideoFrames) given
// to a VP9 stream of pixelFormat 'yuva420p' keep it through the wasm encoder, directly and in worker mode;
// WebCodecs is not used for alpha (see ALPHA_REASON in js/src/webcodecs.mjs: Chromium's VideoEncoder
// supports no alpha: 'keep' configuration, and the chunks' alpha side data could not be muxed); the alpha
// WebM plays in Chromium over a green page; a yuv420p stream given the same pictures is opaque. The page's
// side is tests/browser/alpha-page.mjs. Decoded here with libvpx-vp9 (FFmpeg's native vp9 decoder drops
// alpha).
//   node --test --test-concurrency=1 tests/browser/alpha.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openBrowser, openPage, ffprobe, outDir } from './harness.mjs';
import { run } from '../js/checks.mjs';

const W = 64, H = 48, N = 6;
let env, ref, wcAlpha;

async function page() {
  const p = await openPage(env);
  await p.page.evaluate(async () => {
    const m = await import('/tests/browser/alpha-page.mjs');
    for (const [k, fn] of Object.entries(m)) window[`alpha.${k}`] = fn;
  });
  return { ...p, run: (name, params) => p.call(`alpha.${name}`, params) };
}

async function withPage(body) {
  const p = await page();
  try {
    await body(p);
    assert.deepEqual(p.logs.filter((l) => /^(pageerror|error)/.test(l)), [], 'no page error');
  } finally {
    await p.close();
  }
}

test.before(async () => {
  env = await openBrowser();
  await withPage(async (p) => {
    ref = (await p.run('reference', { n: N })).map((s) => Buffer.from(s, 'base64'));
    wcAlpha = await p.run('webcodecsAlpha');
  });
  console.log(`# this Chromium's VideoEncoder with alpha: 'keep': ${JSON.stringify(wcAlpha)}`);
});
test.after(() => env?.close());

function save(name, b64) {
  const bytes = Buffer.from(b64, 'base64');
  const file = path.join(outDir, `alpha-${name}`);
  fs.writeFileSync(file, bytes);
  return file;
}

// the file's frames decoded by libvpx-vp9 as RGBA
function decodeRgba(file) {
  const raw = run('ffmpeg', ['-v', 'error', '-c:v', 'libvpx-vp9', '-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
  const size = W * H * 4;
  assert.equal(raw.length % size, 0);
  return Array.from({ length: raw.length / size }, (_, k) => raw.subarray(k * size, (k + 1) * size));
}

// alpha within 2 of the input everywhere; the colour where alpha >= 128 (premultiplied storage and 4:2:0 aside)
function checkAlpha(file, what) {
  const info = ffprobe(file);
  const v = info.streams[0];
  assert.equal(v.codec_name, 'vp9');
  assert.equal(v.tags?.alpha_mode ?? v.tags?.ALPHA_MODE, '1', `${what}: the WebM track's AlphaMode: ${JSON.stringify(v.tags)}`);
  const frames = decodeRgba(file);
  assert.equal(frames.length, N, `${what}: ${frames.length} frames`);
  frames.forEach((got, k) => {
    const want = ref[k];
    let worstA = 0, worstC = 0, at = null;
    for (let i = 0; i < got.length; i += 4) {
      const da = Math.abs(got[i + 3] - want[i + 3]);
      if (da > worstA) [worstA, at] = [da, `x ${(i / 4) % W}, y ${Math.floor(i / 4 / W)}: ${got[i + 3]} for ${want[i + 3]}`];
      if (want[i + 3] >= 128) for (let c = 0; c < 3; c++) worstC = Math.max(worstC, Math.abs(got[i + c] - want[i + c]));
    }
    assert.ok(worstA <= 2, `${what}, frame ${k}: alpha off by ${worstA} (${at})`);
    assert.ok(worstC <= 24, `${what}, frame ${k}: colour off by ${worstC} where alpha >= 128`);
  });
}

const encode = (p, params) => p.run('encode', params).then((r) => {
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r;
});

test("(a) a canvas with alpha into yuva420p VP9 ('auto' -> wasm): alpha within 2 of the input", async () => {
  await withPage(async (p) => {
    const r = await encode(p, { source: 'canvas', encoder: 'auto' });
    assert.equal(r.encoderName, 'wasm', "'auto' uses the wasm encoder for alpha");
    assert.equal(r.type, 'video/webm');
    checkAlpha(save('canvas-auto.webm', r.bytes), 'canvas, auto');
    // the reason when WebCodecs is asked for
    const wc = await p.run('encode', { source: 'canvas', encoder: 'webcodecs' });
    if (!wcAlpha.videoEncoder) return;
    assert.equal(wc.error?.code, 'POLYENC_ERR_UNSUPPORTED', JSON.stringify(wc));
    assert.match(wc.error.message, /alpha needs the wasm encoder/);
    assert.match(wc.error.message, /yuva420p/);
  });
});

// Not here: a VideoFrame made directly of a canvas. Chromium 156 stores it premultiplied (format BGRA) and
// gives those bytes as straight alpha to copyTo and drawImage alike, so its translucent colours come out
// darkened (alpha is right); the frame does not tell. A canvas itself, or a VideoFrame of an ImageBitmap
// made with premultiplyAlpha: 'none', keeps the colours.
test('(b) ImageData, ImageBitmap, RGBA / BGRA VideoFrames, a VideoFrame of an ImageBitmap; direct and worker mode', async (t) => {
  await withPage(async (p) => {
    for (const worker of [false, true]) {
      for (const source of ['imagedata', 'bitmap', 'videoframe', 'bgra-frame', 'bitmap-frame', ...(worker ? ['canvas'] : [])]) {
        const what = `${source}, ${worker ? 'worker' : 'direct'} mode`;
        await t.test(what, async () => {
          const r = await encode(p, { source, worker, encoder: 'auto' });
          assert.equal(r.encoderName, 'wasm');
          checkAlpha(save(`${source}-${worker ? 'worker' : 'direct'}.webm`, r.bytes), what);
        });
      }
    }
  });
});

// the screenshot (PNG) as RGBA pixels, through ffmpeg
function pngPixels(file, width, height) {
  const raw = run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
  assert.equal(raw.length, width * height * 4);
  return (x, y) => Array.from(raw.subarray((y * width + x) * 4, (y * width + x) * 4 + 3));
}

test('(c) Chromium plays the alpha WebM: the green page shows through where it is transparent', async () => {
  await withPage(async (p) => {
    const r = await encode(p, { source: 'canvas', encoder: 'auto' });
    const scale = 4;
    const box = await p.run('showVideo', { bytes: r.bytes, time: 2 / 30, scale });
    assert.deepEqual([box.videoWidth, box.videoHeight], [W, H]);
    const file = path.join(outDir, 'alpha-played.png');
    const clip = { x: box.x, y: box.y, width: box.width, height: box.height };
    await p.page.screenshot({ path: file, clip });
    const px = pngPixels(file, clip.width, clip.height);
    const at = (x, y) => px(Math.round((x + 0.5) * scale), Math.round((y + 0.5) * scale)); // source pixel (x, y)
    const near = (got, want, tol, what) =>
      assert.ok(got.every((v, c) => Math.abs(v - want[c]) <= tol), `${what}: [${got}], expected about [${want.map(Math.round)}]`);
    // alpha 0 (left column, below the square): the page's green
    for (const y of [2, 30, 45]) near(at(0, y), [0, 255, 0], 12, `transparent pixel (0, ${y})`);
    // the opaque square: its own orange
    near(at(15, 15), [255, 128, 0], 24, 'opaque square');
    // the ramp: the colour over green by alpha (frame 2 of the pattern)
    for (const x of [20, 32, 48, 63]) {
      const y = 36, k = 2, a = Math.round((x * 255) / (W - 1)) / 255;
      const c = [(40 + x * 2 + k) & 255, (60 + y * 3) & 255, 200];
      near(at(x, y), [c[0] * a, c[1] * a + 255 * (1 - a), c[2] * a], 24, `alpha ${a.toFixed(2)} at (${x}, ${y})`);
    }
  });
});

test('(d) yuv420p given the same canvas: opaque, wasm and auto', async () => {
  await withPage(async (p) => {
    for (const encoder of ['wasm', 'auto']) {
      const r = await encode(p, { source: 'canvas', encoder, pixelFormat: 'yuv420p' });
      if (encoder === 'wasm') assert.equal(r.encoderName, 'wasm');
      const file = save(`opaque-${encoder}.webm`, r.bytes);
      const v = ffprobe(file).streams[0];
      assert.equal(v.pix_fmt, 'yuv420p');
      assert.equal(v.tags?.alpha_mode ?? v.tags?.ALPHA_MODE, undefined, `${encoder}: no AlphaMode: ${JSON.stringify(v.tags)}`);
      const frames = decodeRgba(file);
      assert.equal(frames.length, N);
      for (const f of frames) for (let i = 3; i < f.length; i += 4) assert.equal(f[i], 255, `${encoder} (${r.encoderName}): alpha ${f[i]}`);
    }
  });
});
