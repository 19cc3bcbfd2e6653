// The page's side of alpha.test.mjs (loaded into tests/browser/page.html by the test, whose functions it
// then calls): pictures with alpha (canvas, ImageData, ImageBitmap, RGBA VideoFrames) into VP9 yuva420p
// WebM, directly and in worker mode; what this browser's VideoEncoder does with alpha: 'keep'; the alpha
// WebM played in a <video> over a green page. Outputs come back as base64, errors as { name, code, message }.
import { init, Encoder } from '/js/src/index.browser.mjs';

export const W = 64, H = 48;

// frame k of a pattern with alpha, un-premultiplied RGBA: a horizontal alpha ramp (0 at the left, 255 at
// the right) over colours that vary with x, y and k, and an opaque orange square (x, y in 8..23)
export function pattern(k = 0, w = W, h = H) {
  const b = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const square = x >= 8 && x < 24 && y >= 8 && y < 24;
      b[i] = square ? 255 : (40 + x * 2 + k) & 255;
      b[i + 1] = square ? 128 : (60 + y * 3) & 255;
      b[i + 2] = square ? 0 : 200;
      b[i + 3] = square ? 255 : Math.round((x * 255) / (w - 1));
    }
  }
  return b;
}

// a canvas showing frame k, drawn with putImageData (no premultiplied drawing: the bytes read back are the
// ones given, but for the rounding of the canvas' premultiplied storage at low alpha)
function canvasOf(k) {
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  c.getContext('2d').putImageData(new ImageData(pattern(k), W, H), 0, 0);
  return c;
}

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
const blobB64 = async (blob) => b64(new Uint8Array(await blob.arrayBuffer()));
const errorInfo = (e) => (e && typeof e === 'object' ? { name: e.name, code: e.code, message: e.message } : { thrown: String(e) });

/** The reference: what a canvas gives back of each frame (getImageData after putImageData), as base64. */
export async function reference({ n }) {
  return Array.from({ length: n }, (_, k) => {
    const data = canvasOf(k).getContext('2d').getImageData(0, 0, W, H).data;
    return b64(new Uint8Array(data.buffer));
  });
}

/**
 * What this browser's VideoEncoder does with VP9 and alpha: 'keep': isConfigSupported's answer, and when
 * supported, one frame with alpha encoded: whether the chunk's metadata carries alphaSideData.
 */
export async function webcodecsAlpha() {
  const out = { videoEncoder: typeof VideoEncoder === 'function' };
  if (!out.videoEncoder) return out;
  const config = { codec: 'vp09.00.10.08', width: W, height: H, framerate: 30, bitrate: 500000, alpha: 'keep' };
  try {
    const s = await VideoEncoder.isConfigSupported(config);
    out.supported = s.supported;
    out.configAlpha = s.config && s.config.alpha; // 'keep' when the browser knows the member
  } catch (e) {
    out.supportError = errorInfo(e);
  }
  try {
    const plain = await VideoEncoder.isConfigSupported({ ...config, alpha: 'discard' });
    out.discardSupported = plain.supported;
  } catch (e) {
    out.discardError = errorInfo(e);
  }
  if (!out.supported) return out;
  const chunks = [];
  let error = null;
  const enc = new VideoEncoder({
    output: (chunk, meta) => chunks.push({ type: chunk.type, size: chunk.byteLength, alphaSideData: meta && meta.alphaSideData ? meta.alphaSideData.byteLength : null }),
    error: (e) => (error = errorInfo(e)),
  });
  try {
    enc.configure(config);
    for (let k = 0; k < 2; k++) {
      const frame = new VideoFrame(pattern(k), { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: k * 33333 });
      enc.encode(frame, { keyFrame: k === 0 });
      frame.close();
    }
    await enc.flush();
  } catch (e) {
    error = error || errorInfo(e);
  } finally {
    if (enc.state !== 'closed') enc.close();
  }
  return { ...out, chunks, error };
}

/**
 * n frames of the pattern into WebM through addVideo({ codec: 'vp9', pixelFormat, encoder }), each as
 * `source`: 'canvas', 'imagedata', 'bitmap', 'videoframe' (an RGBA buffer VideoFrame), 'bgra-frame' (BGRA),
 * 'bitmap-frame' (a VideoFrame of an ImageBitmap made with premultiplyAlpha: 'none'), 'canvas-frame' (a
 * VideoFrame of a canvas: premultiplied bytes in Chromium, see alpha.test.mjs). Returns the Blob, the stream's encoderName, or the error.
 */
export async function encode({ n = 6, pixelFormat = 'yuva420p', encoder = 'auto', worker = false, source = 'canvas' }) {
  await init();
  const enc = new Encoder({ worker });
  let v;
  try {
    v = enc.addVideo({ width: W, height: H, frameRate: 30, codec: 'vp9', pixelFormat, encoder, crf: 10 });
    enc.openMemory({ format: 'webm' });
    for (let k = 0; k < n; k++) {
      const timestamp = k / 30;
      if (source === 'canvas') await v.addFrames(canvasOf(k), { timestamp });
      else if (source === 'imagedata') await v.addFrames(new ImageData(pattern(k), W, H), { timestamp });
      else if (source === 'bitmap') {
        const bmp = await createImageBitmap(new ImageData(pattern(k), W, H), { premultiplyAlpha: 'none' });
        await v.addFrames(bmp, { timestamp });
        bmp.close();
      } else {
        let frame;
        if (source === 'videoframe') frame = new VideoFrame(pattern(k), { format: 'RGBA', codedWidth: W, codedHeight: H, timestamp: Math.round(timestamp * 1e6) });
        else if (source === 'bgra-frame') {
          const p = pattern(k);
          for (let i = 0; i < p.length; i += 4) [p[i], p[i + 2]] = [p[i + 2], p[i]];
          frame = new VideoFrame(p, { format: 'BGRA', codedWidth: W, codedHeight: H, timestamp: Math.round(timestamp * 1e6) });
        } else if (source === 'bitmap-frame') { // straight alpha kept: premultiplyAlpha 'none'
          const bmp = await createImageBitmap(canvasOf(k), { premultiplyAlpha: 'none' });
          frame = new VideoFrame(bmp, { timestamp: Math.round(timestamp * 1e6) });
          bmp.close();
        } else frame = new VideoFrame(canvasOf(k), { timestamp: Math.round(timestamp * 1e6) });
        try {
          await v.addFrames(frame);
        } finally {
          frame.close();
        }
      }
    }
    const blob = await enc.close();
    return { encoderName: v.encoderName, type: blob.type, bytes: await blobB64(blob) };
  } catch (e) {
    try { await enc.abort(); } catch { /* already failed */ }
    return { encoderName: v && v.encoderName, error: errorInfo(e) };
  }
}

/**
 * Plays a WebM (base64) in a <video> over a pure green page, seeked to `time`; resolves once the frame is
 * shown. The test then takes a screenshot of the element's box (returned, in CSS pixels, at `scale`).
 */
export async function showVideo({ bytes, time = 0.1, scale = 4 }) {
  document.body.innerHTML = '';
  document.body.style.cssText = 'margin:0;background:#00ff00';
  const v = document.createElement('video');
  v.muted = true;
  v.style.cssText = `display:block;position:absolute;left:16px;top:16px;border:0;margin:0;width:${W * scale}px;height:${H * scale}px;image-rendering:pixelated`;
  const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
  v.src = URL.createObjectURL(new Blob([data], { type: 'video/webm' }));
  document.body.appendChild(v);
  await new Promise((resolve, reject) => {
    v.onloadeddata = resolve;
    v.onerror = () => reject(new Error(`the video did not load: ${v.error && v.error.message}`));
  });
  v.currentTime = time;
  await new Promise((resolve) => (v.onseeked = resolve));
  // a frame shown for sure: two animation frames after the seek
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const r = v.getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height, videoWidth: v.videoWidth, videoHeight: v.videoHeight, currentTime: v.currentTime };
}
