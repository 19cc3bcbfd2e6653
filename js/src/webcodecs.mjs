// Video streams encoded by the browser's WebCodecs VideoEncoder; polyenc's wasm core muxes the chunks
// (a mux-only stream: polyenc_add_encoded_video / polyenc_add_packet).
//
// How addVideo's options map onto a VideoEncoderConfig:
//   codec      h264 -> avc1 (High, then Main, then Baseline; the level from the size and rate),
//              vp9 -> vp09.00.41.08, vp8 -> vp8, av1 -> av01.0.08M.08; none: the container's default.
//   pixelFormat yuv420p10le with vp9 / av1: vp09.02.41.10 / av01.0.08M.10, when the browser's VideoEncoder
//              supports it (Chromium: VP9 profile 2); the frames, pictures read out as bytes (frameInput),
//              are then converted by polyenc (the wasm core's converter, any layout, at full precision)
//              into I420P10 VideoFrames.
//   bitRate    bitrate, bitrateMode 'variable'.
//   crf        vp9 / av1: bitrateMode 'quantizer' with the crf as the per-frame quantizer (0..63);
//              h264 (no quantizer mode in WebCodecs' H.264): a bitrate of 0.1 bit per pixel at crf 23,
//              halved every +6 like x264's crf. Without crf or bitRate, crf 23 is assumed.
//   preset     ultrafast / superfast / veryfast -> latencyMode 'realtime', any other -> 'quality'.
//   gopSize    a keyframe every gopSize frames (default 250, x264's keyint).
// What WebCodecs cannot honour (crf 0, pixelFormat other than yuv420p and the 10-bit one above (alpha: see ALPHA_REASON),
// colorSpace / colorRange, encoder options, another codec) makes 'auto' use the wasm encoder and 'webcodecs' fail.

import { frameBytes } from './validate.mjs';
import { hasAlpha } from './inputs.mjs';
import { frameTicks, ticksToMicros } from './times.mjs';

export const webcodecsAvailable = () => typeof VideoEncoder === 'function' && typeof VideoFrame === 'function';

const CODEC_NAMES = {
  h264: 'h264', libx264: 'h264', avc: 'h264', vp9: 'vp9', 'libvpx-vp9': 'vp9', vp8: 'vp8', libvpx: 'vp8',
  av1: 'av1', 'libaom-av1': 'av1', libsvtav1: 'av1',
};
const REALTIME_PRESETS = ['ultrafast', 'superfast', 'veryfast'];
const MAX_QUEUE = 4; // frames waiting in the VideoEncoder: bounds memory, keeps it busy
export const DEFAULT_GOP = 250;

// Chromium's VideoEncoder (156, software) answers isConfigSupported({ ..., alpha: 'keep' }) with
// supported: false for VP8, VP9, AV1 and H.264; where a browser does encode alpha, the alpha plane comes as
// EncodedVideoChunk metadata (alphaSideData) that WebM stores as BlockAdditional, which the mux-only stream
// (polyenc_add_packet: the chunk's bytes only) cannot store. So a stream with alpha is the wasm encoder's.
const ALPHA_REASON = (pf) => `alpha needs the wasm encoder: pixelFormat '${pf}' keeps alpha, and WebCodecs ` +
  "(alpha: 'keep') gives VP9 alpha as side data that polyenc's muxing of WebCodecs chunks cannot store (WebM BlockAdditional)";

// Why this stream cannot use WebCodecs (a sentence), or null. codec: the resolved codec name.
export function webcodecsObstacle(cfg, codec) {
  if (!webcodecsAvailable()) return 'this environment has no WebCodecs VideoEncoder';
  if (!CODEC_NAMES[codec]) return `WebCodecs has no encoder for codec '${codec}'`;
  if (cfg.crf === 0) return 'crf 0 (lossless) needs the wasm encoder';
  if (cfg.pixelFormat && hasAlpha(cfg.pixelFormat)) return ALPHA_REASON(cfg.pixelFormat);
  if (cfg.pixelFormat && cfg.pixelFormat !== 'yuv420p' && !tenBitCodec(cfg, codec)) return `pixelFormat '${cfg.pixelFormat}' needs the wasm encoder`;
  if (cfg.colorSpace || cfg.colorRange) return 'colorSpace / colorRange need the wasm encoder (WebCodecs converts RGB itself)';
  if (cfg.colorTransfer || cfg.colorPrimaries) return 'colorTransfer / colorPrimaries need the wasm encoder';
  if (cfg.deepLayout && !tenBitCodec(cfg, codec)) return `layout '${cfg.deepLayout}' needs the wasm encoder`; // set by the stream's first addFrames
  if (cfg.options && cfg.options.length) return 'encoder options need the wasm encoder';
  if (cfg.device && cfg.device !== 'cpu') return `device '${cfg.device}' is not a browser device`;
  return null;
}

// Whether the stream asks for 10-bit VP9 or AV1, which WebCodecs may encode (chooseConfig asks the browser).
const tenBitCodec = (cfg, codec) => cfg.pixelFormat === 'yuv420p10le' && ['vp9', 'av1'].includes(CODEC_NAMES[codec]);

// H.264 levels: [level_idc, max macroblocks per frame, max macroblocks per second].
const H264_LEVELS = [[30, 1620, 40500], [31, 3600, 108000], [32, 5120, 216000], [40, 8192, 245760],
  [42, 8704, 522240], [50, 22080, 589824], [51, 36864, 983040], [52, 36864, 2073600]];

function codecStrings(codec, width, height, frameRate, tenBit) {
  if (codec === 'vp9') return [tenBit ? 'vp09.02.41.10' : 'vp09.00.41.08'];
  if (codec === 'vp8') return ['vp8'];
  if (codec === 'av1') return [tenBit ? 'av01.0.08M.10' : 'av01.0.08M.08'];
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = (H264_LEVELS.find(([, f, s]) => mbs <= f && mbs * frameRate <= s) || H264_LEVELS[H264_LEVELS.length - 1])[0];
  const hex = level.toString(16).padStart(2, '0');
  return ['6400', '4d00', '42e0'].map((p) => `avc1.${p}${hex}`); // High, Main, Constrained Baseline
}

const estimatedBitrate = (cfg, crf) =>
  Math.round(0.1 * 2 ** ((23 - crf) / 6) * cfg.width * cfg.height * cfg.frameRate);

// The VideoEncoderConfig for cfg, or { reason } when the browser supports none.
export async function chooseConfig(cfg, codec) {
  const name = CODEC_NAMES[codec];
  const base = {
    width: cfg.width, height: cfg.height, framerate: cfg.frameRate,
    latencyMode: cfg.preset && REALTIME_PRESETS.includes(cfg.preset) ? 'realtime' : 'quality',
  };
  if (name === 'h264') base.avc = { format: 'avc' };
  const crf = cfg.crf === null || cfg.crf === undefined ? 23 : cfg.crf;
  const rates = [];
  if (cfg.bitRate > 0) rates.push({ bitrate: cfg.bitRate, bitrateMode: 'variable' });
  else {
    if (name !== 'h264' && name !== 'vp8') rates.push({ bitrateMode: 'quantizer', quantizer: Math.min(63, Math.round(crf)) });
    rates.push({ bitrate: estimatedBitrate(cfg, crf), bitrateMode: 'variable' });
  }
  const tenBit = tenBitCodec(cfg, codec);
  for (const codecString of codecStrings(name, cfg.width, cfg.height, cfg.frameRate, tenBit)) {
    for (const { quantizer, ...rate } of rates) {
      const config = { ...base, ...rate, codec: codecString };
      let support;
      try {
        support = await VideoEncoder.isConfigSupported(config);
      } catch (e) {
        continue; // a config the browser cannot even parse
      }
      if (support.supported) return { config, codec: name, quantizer, pixelFormat: tenBit ? 'yuv420p10le' : 'yuv420p' };
    }
  }
  return { reason: `the browser's VideoEncoder supports no ${tenBit ? '10-bit ' : ''}${name} configuration for ${cfg.width}x${cfg.height} @ ${cfg.frameRate} fps` };
}

// Bytes in a layout VideoFrame takes (RGBA, BGRA, I420); rgb24 and rgb-planar become RGBA here.
function frameFromBytes(bytes, layout, init) {
  const w = init.codedWidth, h = init.codedHeight;
  if (layout === 'rgba' || layout === 'bgra') return new VideoFrame(bytes, { ...init, format: layout.toUpperCase() });
  if (layout === 'yuv420p') return new VideoFrame(bytes, { ...init, format: 'I420', colorSpace: BT601_TV }); // polyenc's yuv420p
  const px = w * h, rgba = new Uint8Array(px * 4);
  if (layout === 'rgb24') {
    for (let i = 0, j = 0; i < px * 3; i += 3, j += 4) {
      rgba[j] = bytes[i], rgba[j + 1] = bytes[i + 1], rgba[j + 2] = bytes[i + 2], rgba[j + 3] = 255;
    }
  } else { // rgb-planar: 3 x H x W
    for (let p = 0, j = 0; p < px; p++, j += 4) {
      rgba[j] = bytes[p], rgba[j + 1] = bytes[px + p], rgba[j + 2] = bytes[2 * px + p], rgba[j + 3] = 255;
    }
  }
  return new VideoFrame(rgba, { ...init, format: 'RGBA' });
}

const BT601_TV = { primaries: 'smpte170m', transfer: 'smpte170m', matrix: 'smpte170m', fullRange: false };

// The encoder is fed RGB frames only: its decoder configuration (avcC: the colour fields too) then stays
// the probe's. A YUV frame (I420 bytes, a camera's or a decoder's NV12 / I420 VideoFrame) is drawn into a
// canvas first, which converts it with its own colour space; the caller closes `frame`, this closes its copy.
let rgbCanvas = null;
function rgbFrame(frame, width, height) {
  if (!frame.format || /^(RGB|BGR)/.test(frame.format)) return frame;
  if (!rgbCanvas || rgbCanvas.width !== width || rgbCanvas.height !== height) rgbCanvas = new OffscreenCanvas(width, height);
  rgbCanvas.getContext('2d').drawImage(frame, 0, 0, width, height);
  return new VideoFrame(rgbCanvas, { timestamp: frame.timestamp });
}

// A copy of an ArrayBuffer or a view of one (WebCodecs' decoderConfig.description may be either).
const copyBytes = (d) => (ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d)).slice();

// One VideoEncoder. Chunks go to onChunk(chunk, pts, duration) in output order, in ticks of the stream's
// time base; nextPts(pts, n) gives the ticks of the next n frames (the library's clock, which checks the
// caller's); convert(bytes, layout) one frame's yuv420p10le planes, for a 10-bit stream. Errors are kept
// and thrown by the next call.
export class WebCodecsVideo {
  constructor(choice, cfg, onChunk, nextPts, convert) {
    this.choice = choice;
    this.tenBit = choice.pixelFormat === 'yuv420p10le';
    this.convert = convert;
    this.cfg = cfg;
    this.frameTicks = frameTicks(cfg);
    this.ticks = new Map(); // a frame's timestamp (microseconds) -> its ticks, until its chunk is out
    this.nextPts = nextPts;
    this.width = cfg.width;
    this.height = cfg.height;
    this.gop = cfg.gopSize > 0 ? cfg.gopSize : DEFAULT_GOP;
    this.onChunk = onChunk;
    this.frames = 0;
    this.error = null;
    this.description = null;
    this.encoder = new VideoEncoder({
      output: (chunk, meta) => this._output(chunk, meta),
      error: (e) => (this.error = this.error || e),
    });
    this.encoder.configure(choice.config);
  }

  _output(chunk, meta) {
    if (meta && meta.decoderConfig && meta.decoderConfig.description) {
      const d = copyBytes(meta.decoderConfig.description);
      if (!this.description) this.description = d;
      else if (d.length !== this.description.length || d.some((v, i) => v !== this.description[i]))
        this.error = this.error || new Error('the WebCodecs encoder changed its decoder configuration mid-stream');
    }
    if (this.error) return;
    try {
      const ticks = this.ticks.get(chunk.timestamp);
      if (ticks === undefined) throw new Error(`the WebCodecs encoder gave a chunk at ${chunk.timestamp} us, a time no frame had`);
      this.ticks.delete(chunk.timestamp);
      this.onChunk(chunk, ticks, this.frameTicks);
    } catch (e) {
      this.error = this.error || e;
    }
  }

  _throwIfFailed() {
    if (this.error) throw this.error;
  }

  // The decoder configuration (avcC for H.264; null for VP8/VP9/AV1) before any real frame, so that the
  // container's header can be written first: a second encoder of the same configuration encodes one black
  // frame (the real encoder's rate control never sees it). The real encoder's own configuration must be
  // the same bytes, else its first chunk fails (see _output).
  async probe() {
    let error = null;
    const probe = new VideoEncoder({
      output: (chunk, meta) => {
        const d = meta && meta.decoderConfig && meta.decoderConfig.description;
        if (d && !this.description) this.description = copyBytes(d);
      },
      error: (e) => (error = error || e),
    });
    try {
      probe.configure(this.choice.config);
      const black = new Uint8Array(this.width * this.height * 4);
      for (let i = 3; i < black.length; i += 4) black[i] = 255;
      const frame = new VideoFrame(black, { format: 'RGBA', codedWidth: this.width, codedHeight: this.height, timestamp: 0 });
      probe.encode(frame, { keyFrame: true });
      frame.close();
      await probe.flush();
    } catch (e) {
      error = error || e;
    } finally {
      if (probe.state !== 'closed') probe.close();
    }
    if (error) throw error;
    return this.description;
  }

  _encodeOptions(keyFrame) {
    const o = { keyFrame };
    const q = this.choice.quantizer;
    if (q !== undefined) o[this.choice.codec === 'av1' ? 'av1' : 'vp9'] = { quantizer: q };
    return o;
  }

  async _encode(input, forceKey) {
    const i = this.frames++;
    const frame = this.tenBit ? input : rgbFrame(input, this.width, this.height); // 10-bit: I420P10 already
    try {
      this.encoder.encode(frame, this._encodeOptions(forceKey || i % this.gop === 0));
    } finally {
      if (frame !== input) frame.close();
    }
    while (this.encoder.encodeQueueSize > MAX_QUEUE && !this.error) {
      await new Promise((resolve) => this.encoder.addEventListener('dequeue', resolve, { once: true }));
    }
    this._throwIfFailed();
  }

  // The timestamp (microseconds) of a frame at `ticks`, remembered for its chunk.
  _timestamp(ticks) {
    const us = ticksToMicros(ticks, this.cfg);
    if (this.ticks.has(us)) throw new Error(`two frames at ${us} us: WebCodecs needs timestamps at least 1 us apart`);
    this.ticks.set(us, ticks);
    return us;
  }

  // source: a VideoFrame / canvas / ImageBitmap (wrapped without a copy), or { bytes, layout, numFrames };
  // times: { pts, keys } (frameTimes: ticks and key frame flags, or null).
  async add(source, times) {
    this._throwIfFailed();
    const n = source.bytes ? source.numFrames : 1;
    // a 10-bit stream converts the call's frames before its clock moves: a bad frame (a NaN) refuses the call
    const size = source.bytes && frameBytes(source.layout, this.width, this.height);
    const planes = this.tenBit ? Array.from({ length: n }, (_, k) => this._convert(source.bytes.subarray(k * size, (k + 1) * size), source.layout, k)) : null;
    const ticks = this.nextPts(times.pts, n);
    const key = (k) => !!(times.keys && times.keys[k]);
    for (let k = 0; k < n; k++) {
      const init = { codedWidth: this.width, codedHeight: this.height, timestamp: this._timestamp(ticks[k]) };
      const frame = planes ? new VideoFrame(planes[k], { ...init, format: 'I420P10', colorSpace: BT601_TV })
        : source.bytes ? frameFromBytes(source.bytes.subarray(k * size, (k + 1) * size), source.layout, init)
          : new VideoFrame(source, { timestamp: init.timestamp });
      try {
        await this._encode(frame, key(k));
      } finally {
        frame.close();
      }
    }
  }

  _convert(bytes, layout, k) {
    try {
      return this.convert(bytes, layout);
    } catch (e) {
      e.message = e.message.replace('addFrames: ', `addFrames: frame ${k} of the call: `) + ' (nothing of the call was encoded)';
      throw e;
    }
  }

  async flush() {
    this._throwIfFailed();
    await this.encoder.flush();
    this._throwIfFailed();
  }

  close() {
    if (this.encoder.state !== 'closed') this.encoder.close();
  }
}
