// Every argument check of the JS API, written once: the backends (the Node addon, the wasm module) take
// the flat values these functions return and check nothing again. Semantic limits (sizes, rates, codec
// names, option values) are the C library's: its messages reach the caller unchanged.
import { polyencError, typeError, rangeError, show, typeName } from './errors.mjs';

export const FRAME_LAYOUTS = ['rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p', 'rgb48', 'rgba64', 'rgb-planar16',
  'rgb-planar-f32']; // index = polyenc_layout
// The layouts of more than 8 bits a value: the typed array each takes and its values per pixel. The user counts
// their ELEMENTS; the backends (and C) see the bytes of the same memory.
export const DEEP_LAYOUTS = {
  'rgb48': { array: Uint16Array, channels: 3 },
  'rgba64': { array: Uint16Array, channels: 4 },
  'rgb-planar16': { array: Uint16Array, channels: 3 },
  'rgb-planar-f32': { array: Float32Array, channels: 3 },
};
export const SAMPLE_LAYOUTS = ['planar', 'interleaved']; // index = polyenc_sample_layout
const INT32 = [-2147483648, 2147483647];
const SAFE = [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

const present = (v) => v !== undefined && v !== null;

// The options argument of a method: undefined/null -> {}.
export function optionsOf(o, what) {
  if (!present(o)) return {};
  if (typeof o !== 'object') throw typeError(`${what}: options must be an object, got ${typeof o}`);
  return o;
}

function required(o, what) {
  if (o === null || typeof o !== 'object') throw typeError(`${what} expects an options object, got ${typeName(o)}`);
  return o;
}

function num(o, ctx, name, isRequired) {
  const v = o[name];
  if (!present(v)) {
    if (isRequired) throw typeError(`${ctx}.${name} is required (a number)`);
    return null;
  }
  if (typeof v !== 'number') throw typeError(`${ctx}.${name} must be a number, got ${typeName(v)}`);
  return v;
}

export function integer(v, what, [lo, hi] = INT32) {
  if (typeof v !== 'number') throw typeError(`${what} must be a number, got ${typeName(v)}`);
  if (!Number.isInteger(v)) throw typeError(`${what} must be an integer, got ${v}`);
  if (v < lo || v > hi) throw rangeError(`${what} must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

function int(o, ctx, name, isRequired, range = INT32) {
  const v = o[name];
  if (!present(v)) {
    if (isRequired) throw typeError(`${ctx}.${name} is required (an integer)`);
    return 0;
  }
  return integer(v, `${ctx}.${name}`, range);
}

function str(o, ctx, name) {
  const v = o[name];
  if (!present(v)) return null;
  if (typeof v !== 'string') throw typeError(`${ctx}.${name} must be a string, got ${typeName(v)}`);
  if (v.includes('\0')) throw typeError(`${ctx}.${name} must not contain NUL characters`);
  return v;
}

// options: { key: value } or [[key, value], ...] -> ['key', 'value', ...] (null when absent).
function optionList(o, ctx) {
  const v = o.options;
  if (!present(v)) return null;
  const what = `${ctx}.options`;
  if (typeof v !== 'object') throw typeError(`${what} must be an object of key: value pairs, got ${typeName(v)}`);
  const pairs = Array.isArray(v) ? v : Object.entries(v);
  const out = [];
  pairs.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw typeError(`${what}[${i}] must be a [key, value] pair, got ${typeName(pair)}`);
    const [key, val] = pair;
    if (typeof key !== 'string') throw typeError(`${what} key must be a string, got ${typeName(key)}`);
    if (!['string', 'number', 'boolean'].includes(typeof val))
      throw typeError(`${what}.${key} must be a string, number or boolean, got ${typeName(val)}`);
    const s = String(val);
    if (key.includes('\0') || s.includes('\0')) throw typeError(`${what}.${key} must not contain NUL characters`);
    out.push(key, s);
  });
  return out;
}

// timeBase: [num, den], the unit of the stream's timestamps (C's time_base_num / time_base_den); null: 1/frameRate.
function timeBaseOf(o, ctx) {
  const v = o.timeBase;
  if (!present(v)) return null;
  if (!Array.isArray(v) || v.length !== 2) throw typeError(`${ctx}.timeBase must be [num, den] (e.g. [1, 90000]), got ${typeName(v)}`);
  return [integer(v[0], `${ctx}.timeBase[0]`), integer(v[1], `${ctx}.timeBase[1]`)];
}

/** Tags: { key: 'value' | null } -> [[key, value], ...] (null removes the key); the library checks keys and values. */
export function metadataOf(v, what) {
  if (!present(v)) return [];
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(`${what} must be an object of key: 'value' pairs, got ${typeName(v)}`);
  return Object.entries(v).map(([key, val]) => {
    if (val !== null && typeof val !== 'string') throw typeError(`${what}.${key} must be a string (or null to remove it), got ${typeName(val)}`);
    if (key.includes('\0') || (val && val.includes('\0'))) throw typeError(`${what}.${key} must not contain NUL characters`);
    return [key, val];
  });
}

/** addVideo's options -> the flat config both backends take (null / 0: the library's default). */
export function videoConfig(options) {
  const o = required(options, 'addVideo()');
  const ctx = 'addVideo';
  const cfg = {
    width: int(o, ctx, 'width', true), height: int(o, ctx, 'height', true), frameRate: num(o, ctx, 'frameRate', true),
    device: str(o, ctx, 'device'), codec: str(o, ctx, 'codec'), pixelFormat: str(o, ctx, 'pixelFormat'),
    crf: num(o, ctx, 'crf'), preset: str(o, ctx, 'preset'), bitRate: int(o, ctx, 'bitRate', false, SAFE),
    gopSize: int(o, ctx, 'gopSize'), colorSpace: str(o, ctx, 'colorSpace'), colorRange: str(o, ctx, 'colorRange'),
    colorTransfer: str(o, ctx, 'colorTransfer'), colorPrimaries: str(o, ctx, 'colorPrimaries'),
    threads: int(o, ctx, 'threads'), options: optionList(o, ctx), encoder: str(o, ctx, 'encoder') || 'auto',
    rotation: int(o, ctx, 'rotation'), timeBase: timeBaseOf(o, ctx), metadata: metadataOf(o.metadata, `${ctx}.metadata`),
  };
  // 'webcodecs': the browser's VideoEncoder or an error; 'wasm': polyenc's own encoder; 'auto': WebCodecs when it can
  if (!['auto', 'webcodecs', 'wasm'].includes(cfg.encoder))
    throw typeError(`addVideo.encoder must be 'auto', 'webcodecs' or 'wasm', got '${cfg.encoder}'`);
  return cfg;
}

/** addAudio's options -> the flat config. */
export function audioConfig(options) {
  const o = required(options, 'addAudio()');
  const ctx = 'addAudio';
  return {
    sampleRate: int(o, ctx, 'sampleRate', true), numChannels: int(o, ctx, 'numChannels', true), codec: str(o, ctx, 'codec'),
    bitRate: int(o, ctx, 'bitRate', false, SAFE), outSampleRate: int(o, ctx, 'outSampleRate'),
    outNumChannels: int(o, ctx, 'outNumChannels'), options: optionList(o, ctx),
    startTime: num(o, ctx, 'startTime') ?? 0, metadata: metadataOf(o.metadata, `${ctx}.metadata`),
  };
}

/** A container name: required for memory and stream outputs, optional for files (from the extension). */
export function format(o, what, isRequired = true) {
  if (o.format === undefined || o.format === null) {
    if (isRequired) throw typeError(`${what}: options.format is required (e.g. { format: 'mp4' })`);
    return null;
  }
  if (typeof o.format !== 'string') throw typeError(`${what}: options.format must be a string, got ${typeName(o.format)}`);
  if (o.format.includes('\0')) throw typeError(`${what}: options.format must not contain NUL characters`);
  return o.format;
}

export function filePath(p) {
  if (typeof p !== 'string') throw typeError(`openFile: path must be a string or a file: URL, got ${typeName(p)}`);
  if (p.includes('\0')) throw typeError('openFile: path must not contain NUL characters');
  return p;
}

export function frameLayout(v) {
  if (!present(v)) return 'rgb-planar';
  if (typeof v !== 'string') throw typeError(`layout must be a string, got ${typeName(v)}`);
  if (!FRAME_LAYOUTS.includes(v)) {
    throw typeError(`layout must be 'rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p', 'rgb48', 'rgba64', 'rgb-planar16' ` +
      `or 'rgb-planar-f32', got '${v}'`);
  }
  return v;
}

/** Bytes of one width x height frame in a layout. */
export function frameBytes(layout, width, height) {
  if (layout === 'yuv420p') return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  const deep = DEEP_LAYOUTS[layout];
  if (deep) return width * height * deep.channels * deep.array.BYTES_PER_ELEMENT;
  return width * height * (layout === 'rgba' || layout === 'bgra' ? 4 : 3);
}

/**
 * How many whole frames of the stream's size `bytes` holds; numFrames: the caller's count (optional). The
 * messages count what the caller handed over: bytes, or values (Uint16Array / Float32Array) of a deep layout.
 */
export function frameCount(bytes, layout, stream, numFrames) {
  const fb = frameBytes(layout, stream.width, stream.height);
  const deep = DEEP_LAYOUTS[layout];
  const size = deep ? deep.array.BYTES_PER_ELEMENT : 1;
  const unit = deep ? 'values' : 'bytes';
  if (present(numFrames)) {
    const n = integer(numFrames, 'numFrames', [0, INT32[1]]);
    if (n * fb > bytes.length) {
      throw polyencError('POLYENC_ERR_ARGUMENT',
        `addFrames: numFrames=${n} needs ${n * fb / size} ${unit} of ${stream.width}x${stream.height} ${layout}, got ${bytes.length / size}`);
    }
    return n;
  }
  if (bytes.length % fb) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addFrames: ${bytes.length / size} ${unit} is not a whole number of ${stream.width}x${stream.height} ` +
      `${layout} frames (${fb / size} ${unit} each); pass numFrames to use only the start of the data`);
  }
  const n = bytes.length / fb;
  if (n > INT32[1]) throw rangeError(`addFrames: ${n} frames in one call, at most ${INT32[1]}`);
  return n;
}

/** The frame size of a picture input (ImageData, canvas, VideoFrame) against the stream's. */
export function frameSize(what, width, height, stream) {
  if (width !== stream.width || height !== stream.height) {
    throw polyencError('POLYENC_ERR_ARGUMENT',
      `addFrames: ${what} is ${width}x${height}, the stream is ${stream.width}x${stream.height}`);
  }
}

/**
 * Samples -> { channels: Float32Array[] | null, flat: Float32Array | null, layout, n }: one Float32Array
 * (planar C x N by default, or interleaved N x C), or an array of Float32Array (one per channel).
 */
export function samples(data, layout, stream) {
  if (Array.isArray(data)) {
    if (present(layout) && layout !== 'planar') {
      throw typeError(`addSamples: an array of Float32Array (one per channel) is planar; layout ${show(layout)} does not apply`);
    }
    if (data.length !== stream.numChannels)
      throw polyencError('POLYENC_ERR_ARGUMENT', `addSamples: Expected ${stream.numChannels} channels, got ${data.length}`);
    data.forEach((c, i) => {
      if (!(c instanceof Float32Array)) throw typeError(`addSamples: data[${i}] must be a Float32Array, got ${typeName(c)}`);
    });
    const n = data.length ? data[0].length : 0;
    data.forEach((c, i) => {
      if (c.length !== n) {
        throw polyencError('POLYENC_ERR_ARGUMENT',
          `addSamples: data[${i}] has ${c.length} samples, data[0] has ${n}; every channel needs the same count`);
      }
    });
    return { channels: data, flat: null, layout: 'planar', n };
  }
  if (!(data instanceof Float32Array)) {
    throw typeError('addSamples: data must be a Float32Array or an array of Float32Array (one per channel), ' +
      `got ${typeName(data)}`);
  }
  let l = 'planar';
  if (present(layout)) {
    if (!SAMPLE_LAYOUTS.includes(layout)) throw typeError(`layout must be 'planar' or 'interleaved', got ${show(layout)}`);
    l = layout;
  }
  const c = stream.numChannels;
  if (data.length % c) {
    throw polyencError('POLYENC_ERR_ARGUMENT', `addSamples: ${data.length} values are not a whole number of samples for ${c} channels`);
  }
  return { channels: null, flat: data, layout: l, n: data.length / c };
}

/** close()'s result type of a memory output: 'buffer' (Node), 'blob' (browser) or 'uint8array'. */
export function resultType(o, what) {
  const t = o.type;
  if (!present(t)) return null;
  if (!['blob', 'buffer', 'uint8array'].includes(t))
    throw typeError(`${what}: options.type must be 'blob', 'buffer' or 'uint8array', got ${show(t)}`);
  if (t === 'buffer' && typeof Buffer !== 'function')
    throw polyencError('POLYENC_ERR_UNSUPPORTED', `${what}: options.type 'buffer' is Node's Buffer, which this environment lacks; use 'blob' or 'uint8array'`);
  return t;
}
