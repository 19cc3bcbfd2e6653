// The page's side of tenbit.test.mjs (loaded into tests/browser/page.html by the test, whose functions it
// then calls): a 10-bit grey ramp in the deep layouts, 8-bit bytes and a canvas into VP9 of pixelFormat
// 'yuv420p10le', through WebCodecs when this browser's VideoEncoder supports it and the wasm encoder
// otherwise; a NaN in a float frame. Outputs come back as base64, errors as { name, code, message }.
import { init, Encoder } from '/js/src/index.browser.mjs';

export const W = 256, H = 16;

// The grey level (0..1023) of pixel (x, y): every level once in each block of 4 rows.
export const level = (x, y) => x * 4 + (y & 3);

// One frame of the ramp in a layout: rgb48 / rgba64 / rgb-planar16 (Uint16Array, level * 65535 / 1023),
// rgb-planar-f32 (Float32Array, level / 1023), rgb24 (Uint8Array, the level's 8 bits).
export function ramp(layout) {
  const px = W * H;
  const deep = layout !== 'rgb24';
  const channels = layout === 'rgba64' ? 4 : 3;
  const out = layout === 'rgb-planar-f32' ? new Float32Array(px * 3) : deep ? new Uint16Array(px * channels) : new Uint8Array(px * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const l = level(x, y), p = y * W + x;
      const v = layout === 'rgb-planar-f32' ? l / 1023 : deep ? Math.round((l * 65535) / 1023) : l >> 2;
      for (let c = 0; c < 3; c++) out[layout.startsWith('rgb-planar') ? c * px + p : p * channels + c] = v;
      if (channels === 4) out[p * 4 + 3] = 65535;
    }
  }
  return out;
}

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
const errorInfo = (e) => (e && typeof e === 'object' ? { name: e.name, code: e.code, message: e.message } : { thrown: String(e) });

/** Whether this browser's VideoEncoder takes 10-bit VP9 (profile 2) at the test's size. */
export async function supported() {
  if (typeof VideoEncoder !== 'function') return false;
  const s = await VideoEncoder.isConfigSupported({ codec: 'vp09.02.41.10', width: W, height: H, framerate: 30, bitrateMode: 'quantizer' });
  return s.supported;
}

/**
 * n frames into 10-bit VP9 WebM. source: a layout name (the ramp, all frames in one call), or 'canvas' (the
 * 8-bit ramp drawn). nanAt: a NaN put into frame 1 of a float call, which must be refused, then the call again
 * without it. Returns the Blob as base64, the stream's encoderName, the refused call's error, or the error.
 */
export async function encode({ source = 'rgb48', encoder = 'auto', worker = false, n = 3, nan = false }) {
  await init();
  const enc = new Encoder({ worker });
  let v, refused = null;
  try {
    v = enc.addVideo({ width: W, height: H, frameRate: 30, codec: 'vp9', pixelFormat: 'yuv420p10le', encoder, crf: 2 });
    enc.openMemory({ format: 'webm' });
    if (source === 'canvas') {
      const c = new OffscreenCanvas(W, H);
      const rgb = ramp('rgb24'), rgba = new Uint8ClampedArray(W * H * 4);
      for (let p = 0; p < W * H; p++) rgba.set([rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2], 255], 4 * p);
      c.getContext('2d').putImageData(new ImageData(rgba, W, H), 0, 0);
      for (let k = 0; k < n; k++) await v.addFrames(c);
    } else {
      const one = ramp(source);
      const frames = new one.constructor(one.length * n);
      for (let k = 0; k < n; k++) frames.set(one, k * one.length);
      if (nan) {
        const bad = frames.slice();
        bad[one.length + 2 * W * H + 3 * W + 5] = NaN; // frame 1, channel B, pixel (5, 3)
        try {
          await v.addFrames(bad, { layout: source, numFrames: n });
        } catch (e) {
          refused = errorInfo(e);
        }
      }
      await v.addFrames(frames, { layout: source, numFrames: n });
    }
    const blob = await enc.close();
    return { encoderName: v.encoderName, refused, bytes: b64(new Uint8Array(await blob.arrayBuffer())) };
  } catch (e) {
    try { await enc.abort(); } catch { /* already failed */ }
    return { encoderName: v && v.encoderName, refused, error: errorInfo(e) };
  }
}
