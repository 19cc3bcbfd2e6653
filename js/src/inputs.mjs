// The inputs addFrames and addSamples take besides raw bytes, turned into bytes: ImageData (or its shape,
// e.g. from node-canvas), a canvas (HTMLCanvasElement, OffscreenCanvas), an ImageBitmap, a VideoFrame,
// an AudioBuffer. Each is checked against the stream here, once, for every backend and mode.
import { typeError, typeName } from './errors.mjs';
import { DEEP_LAYOUTS, frameLayout, frameSize } from './validate.mjs';

export const isImageDataLike = (v) =>
  v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && v.data instanceof Uint8ClampedArray &&
  Number.isInteger(v.width) && Number.isInteger(v.height);
export const isVideoFrame = (v) => typeof VideoFrame !== 'undefined' && v instanceof VideoFrame;
export const isCanvas = (v) =>
  (typeof HTMLCanvasElement !== 'undefined' && v instanceof HTMLCanvasElement) ||
  (typeof OffscreenCanvas !== 'undefined' && v instanceof OffscreenCanvas);
export const isImageBitmap = (v) => typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap;
export const isAudioBuffer = (v) =>
  v !== null && typeof v === 'object' && typeof v.getChannelData === 'function' && Number.isInteger(v.numberOfChannels);
export const isBytes = (v) => v instanceof Uint8Array || v instanceof Uint8ClampedArray;
/** Whether a pixel format keeps alpha (yuva420p, yuva444p10le, argb, rgba, gbrap, ya8 ...). */
export const hasAlpha = (pf) => typeof pf === 'string' && /^(yuva|gbrap|ya\d|argb|rgba|bgra|abgr|pal8$)/.test(pf);

/** A picture input (canvas, ImageBitmap, VideoFrame) after its size check; null for any other input. */
export function pictureSource(data, stream) {
  if (isCanvas(data) || isImageBitmap(data)) {
    frameSize(isCanvas(data) ? 'the canvas' : 'the ImageBitmap', data.width, data.height, stream);
    return data;
  }
  if (isVideoFrame(data)) {
    frameSize('the VideoFrame', data.displayWidth, data.displayHeight, stream);
    return data;
  }
  return null;
}

let scratchCanvas = null;
function drawToImageData(source, width, height) {
  if (!scratchCanvas || scratchCanvas.width !== width || scratchCanvas.height !== height) {
    scratchCanvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : document.createElement('canvas');
    scratchCanvas.width = width;
    scratchCanvas.height = height;
  }
  const ctx = scratchCanvas.getContext('2d', { willReadFrequently: true });
  // cleared first: a picture with alpha is drawn over transparent black, not over the previous picture
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

function canvasImageData(canvas) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx) return ctx.getImageData(0, 0, canvas.width, canvas.height);
  return drawToImageData(canvas, canvas.width, canvas.height); // a WebGL / bitmaprenderer canvas
}

const bytesOf = (img) => new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);

// A VideoFrame's own bytes when its format is one the library takes as is, else null. RGBA / BGRA keep
// their (un-premultiplied) alpha; RGBX / BGRX are opaque: their fourth byte, undefined, is set to 255.
// (Chromium 156: a VideoFrame made of a canvas, or of an ImageBitmap with premultiplied alpha, holds
// premultiplied bytes under format BGRA, and copyTo and drawImage alike give them as straight alpha; the
// frame does not tell, so such a frame's colours come out darkened where it is translucent.)
async function videoFrameBytes(frame) {
  const w = frame.displayWidth, h = frame.displayHeight;
  const layout = { RGBA: 'rgba', RGBX: 'rgba', BGRA: 'bgra', BGRX: 'bgra', I420: 'yuv420p' }[frame.format];
  const plain = frame.codedWidth === w && frame.codedHeight === h &&
    (!frame.visibleRect || (frame.visibleRect.x === 0 && frame.visibleRect.y === 0));
  if (!layout || !plain) return null;
  const bytes = new Uint8Array(frame.allocationSize());
  const planes = await frame.copyTo(bytes);
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const packed = planes.length === 1 ? planes[0].stride === w * 4
    : planes[0].stride === w && planes[1].stride === cw && planes[1].offset === w * h && planes[2].offset === w * h + cw * ch;
  if (!packed) return null;
  if (frame.format === 'RGBX' || frame.format === 'BGRX') for (let i = 3; i < bytes.length; i += 4) bytes[i] = 255;
  return { bytes, layout, single: true };
}

const DEEP_16 = Object.keys(DEEP_LAYOUTS).filter((l) => DEEP_LAYOUTS[l].array === Uint16Array).map((l) => `'${l}'`);
const DEEP_F32 = Object.keys(DEEP_LAYOUTS).filter((l) => DEEP_LAYOUTS[l].array === Float32Array).map((l) => `'${l}'`);
const or = (list) => (list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0]);

// The typed array a layout takes, checked once here (the backends and C see bytes): 8-bit layouts a
// Uint8Array, Uint8ClampedArray or Buffer; 'rgb48', 'rgba64', 'rgb-planar16' a Uint16Array; 'rgb-planar-f32' a
// Float32Array. Throws a TypeError naming the layout and the array it expects.
function arrayForLayout(data, layout) {
  const deep = DEEP_LAYOUTS[layout];
  if (deep ? data instanceof deep.array : isBytes(data)) return;
  const got = typeName(data);
  if (deep) {
    const bits = deep.array === Float32Array ? 'float32 values in [0, 1]' : '16-bit values, native endian';
    throw typeError(`addFrames: layout '${layout}' takes a ${deep.array.name} (${bits}), got ${got}`);
  }
  const hint = data instanceof Uint16Array ? `; a Uint16Array is for layout ${or(DEEP_16)}`
    : data instanceof Float32Array ? `; a Float32Array is for layout ${or(DEEP_F32)}` : '';
  throw typeError(`addFrames: layout '${layout}' takes 8-bit bytes (a Buffer, Uint8Array or Uint8ClampedArray${hint}), got ${got}`);
}

/** The caller's typed array again (Uint16Array / Float32Array for a deep layout) over frameInput's bytes. */
export function layoutView(bytes, layout) {
  const deep = DEEP_LAYOUTS[layout];
  if (!deep) return bytes;
  return new deep.array(bytes.buffer, bytes.byteOffset, bytes.byteLength / deep.array.BYTES_PER_ELEMENT);
}

/**
 * Any frame input -> { bytes: Uint8Array, layout: name, single: true when it is one picture }.
 * Bytes keep the caller's memory (no copy); pictures are read out (canvas, ImageBitmap, VideoFrame).
 */
export async function frameInput(data, layout, stream) {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const l = frameLayout(layout);
    arrayForLayout(data, l);
    // a view of a detached buffer (transferred away) has no bytes left: zero frames, as an empty array
    const bytes = data.byteLength ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0);
    return { bytes, layout: l };
  }
  if (isImageDataLike(data)) {
    frameSize('ImageData', data.width, data.height, stream);
    return { bytes: bytesOf(data), layout: 'rgba', single: true };
  }
  const picture = pictureSource(data, stream);
  if (!picture) {
    throw typeError('addFrames: data must be a Buffer, Uint8Array, Uint8ClampedArray, Uint16Array / Float32Array ' +
      `(layouts 'rgb48', 'rgba64', 'rgb-planar16' / 'rgb-planar-f32'), ImageData, VideoFrame, canvas or ImageBitmap, got ${typeName(data)}`);
  }
  if (isCanvas(picture)) return { bytes: bytesOf(canvasImageData(picture)), layout: 'rgba', single: true };
  if (isVideoFrame(picture)) {
    const own = await videoFrameBytes(picture);
    if (own) return own;
    return { bytes: bytesOf(drawToImageData(picture, stream.width, stream.height)), layout: 'rgba', single: true };
  }
  return { bytes: bytesOf(drawToImageData(picture, stream.width, stream.height)), layout: 'rgba', single: true };
}

/** An AudioBuffer -> its channels (Float32Array[]); any other input unchanged. */
export function sampleInput(data) {
  if (!isAudioBuffer(data)) return data;
  const chans = [];
  for (let c = 0; c < data.numberOfChannels; c++) chans.push(data.getChannelData(c));
  return chans;
}
