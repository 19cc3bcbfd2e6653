// The Node side of the scenarios (scenarios.mjs): each scenario's outputs checked with ffprobe and decoded
// back with ffmpeg (exact frame and sample counts, the picture and the tone close to the input), the same
// whether the bytes came from Node (either backend) or from a page in Chromium. No polyenc import here:
// the browser tests use these checks without loading a Node backend.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AV, MULTI, LAYOUT_SIZES, AUDIO_LAYOUT, UNAWAITED } from './scenarios.mjs';
import { rgbPattern, tone, planarToInterleaved, meanAbsDiff, maxAbsDiff, rms } from './media.mjs';

export function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return r.stdout;
}

// Runs fn(path) on a file path, or on bytes written to a temporary file (not through a pipe: an MP4 whose
// moov follows the mdat needs a seekable input).
let tmpDir = null;
function withFile(fileOrBytes, fn) {
  if (typeof fileOrBytes === 'string') return fn(fileOrBytes);
  tmpDir = tmpDir || fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-checks-'));
  const file = path.join(tmpDir, `${process.pid}-${Math.random().toString(36).slice(2)}.bin`);
  fs.writeFileSync(file, fileOrBytes);
  try {
    return fn(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** ffprobe's JSON (streams with nb_read_frames, format) of a file or bytes; extra: more ffprobe arguments. */
export function probe(fileOrBytes, extra = []) {
  return withFile(fileOrBytes, (input) =>
    JSON.parse(run('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', ...extra, '-of', 'json', input]).toString()));
}

/** The video stream `index` decoded to raw frames (rgb24 by default), one per packet. */
export function decodeVideo(fileOrBytes, index = 0, pixFmt = 'rgb24') {
  return withFile(fileOrBytes, (input) =>
    run('ffmpeg', ['-v', 'error', '-i', input, '-map', `0:v:${index}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-']));
}

/** The audio stream `index` decoded to interleaved float32. */
export function decodeAudio(fileOrBytes, index = 0) {
  const b = withFile(fileOrBytes, (input) =>
    run('ffmpeg', ['-v', 'error', '-i', input, '-map', `0:a:${index}`, '-f', 'f32le', '-acodec', 'pcm_f32le', '-']));
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

const streamsOf = (info) => info.streams.map((s) => ({ index: s.index, type: s.codec_type, codec: s.codec_name }));
const frames = (s) => Number(s.nb_read_frames);

// The video decodes to `rgb` (all of it, frame for frame) within `limit` mean absolute difference.
function pictureClose(bytes, index, rgb, limit, what) {
  const decoded = decodeVideo(bytes, index);
  assert.equal(decoded.length, rgb.length, `${what}: decoded ${decoded.length} bytes of rgb24, fed ${rgb.length}`);
  const mad = meanAbsDiff(decoded, rgb);
  assert.ok(mad < limit, `${what}: decoded frames differ from the input: mean abs diff ${mad.toFixed(2)} (limit ${limit})`);
}

/**
 * Checks one scenario's result ({ files, meta }). ctx: { backend: 'native' | 'wasm', webcodecs: true when
 * the page's WebCodecs may encode the video ('auto'; the streams whose options rule it out run on the
 * backend) }. Throws an AssertionError naming what is wrong.
 */
export function check(scenario, result, ctx = {}) {
  const fn = CHECKS[scenario.id];
  if (!fn) throw new Error(`no check for scenario '${scenario.id}'`);
  for (const [name, bytes] of Object.entries(result.files)) {
    assert.ok(bytes instanceof Uint8Array && bytes.length > 0, `${scenario.name}: output '${name}' is empty or not bytes`);
  }
  fn(result.files, result.meta, ctx);
}

// AAC in MP4: the edit list gives the exact count fed (the stream's duration); ffmpeg's decoder drops the
// encoder's priming and keeps the last frame's padding (less than 1024 samples). Returns the samples.
function aacInMp4(bytes, stream, fed, channels) {
  assert.equal(stream.codec_name, 'aac');
  assert.equal(stream.channels, channels);
  assert.equal(Number(stream.duration_ts), fed, `audio: the edit list holds ${stream.duration_ts} samples, fed ${fed}`);
  const pcm = decodeAudio(bytes);
  const n = pcm.length / channels;
  assert.ok(n >= fed && n < fed + 1024, `audio: decoded ${n} samples per channel, fed ${fed}`);
  return pcm;
}

// The mean abs diff allowed at the encoders' default quality (x264 crf 23; WebCodecs: the bitrate
// webcodecs.mjs maps crf 23 to, 0.1 bit per pixel, which small pictures feel more).
const lossy = (ctx) => (ctx.webcodecs ? 6 : 4);

const CHECKS = {
  av({ mp4 }, meta, ctx) {
    const { W, H, FPS, N, RATE } = AV;
    assert.deepEqual(meta.indices, [0, 1], 'stream indices in the order of addVideo / addAudio');
    assert.ok(meta.plainUint8Array, "openMemory({ type: 'uint8array' }) gives a plain Uint8Array");
    assert.ok(meta.sameOnSecondClose, 'a second close() gives the same result');
    assert.equal(meta.backend, ctx.backend);
    assert.equal(meta.encoderName, ctx.webcodecs ? 'webcodecs' : ctx.backend);
    assert.equal(Buffer.from(mp4.subarray(4, 8)).toString('latin1'), 'ftyp');
    const info = probe(mp4);
    assert.deepEqual(streamsOf(info), [
      { index: 0, type: 'video', codec: 'h264' },
      { index: 1, type: 'audio', codec: 'aac' },
    ]);
    const v = info.streams[0];
    assert.equal(frames(v), N);
    assert.equal(v.width, W);
    assert.equal(v.height, H);
    assert.equal(v.r_frame_rate, `${FPS}/1`);
    assert.ok(Math.abs(Number(v.duration) - N / FPS) < 0.01, `video duration ${v.duration}`);
    pictureClose(mp4, 0, rgbPattern(W, H, N), lossy(ctx), 'video');
    aacInMp4(mp4, info.streams[1], (RATE * N) / FPS, 1);
    const pcm = decodeAudio(mp4);
    assert.ok(rms(pcm) > 0.25, `the tone is audible after decoding (rms ${rms(pcm)})`);
  },

  incremental({ mp4 }, meta, ctx) {
    const { W, H, FPS, N, RATE } = AV;
    const total = (RATE * N) / FPS;
    assert.equal(meta.framesFed, N);
    assert.equal(meta.samplesFed, total);
    const info = probe(mp4);
    assert.equal(frames(info.streams[0]), N);
    assert.ok(Math.abs(Number(info.streams[0].duration) - N / FPS) < 0.01, `video duration ${info.streams[0].duration}`);
    assert.equal(info.streams[1].channels, 2);
    pictureClose(mp4, 0, rgbPattern(W, H, N), lossy(ctx), 'video');
    const pcm = aacInMp4(mp4, info.streams[1], total, 2);
    // the chunks joined without a gap or a repeat: the stereo tone decodes close to the input
    const ref = planarToInterleaved(tone(RATE, 2, total), 2);
    assert.ok(rms(pcm) > 0.3, `rms ${rms(pcm)}`);
    assert.ok(Math.abs(rms(pcm) - rms(ref)) < 0.02, `rms ${rms(pcm)}, input ${rms(ref)}`);
  },

  multi({ mkv }, meta, ctx) {
    const { v1: [w1, h1, , n1], v2: [w2, h2, , n2], samples } = MULTI;
    assert.deepEqual(meta.indices, [0, 1, 2, 3]);
    const info = probe(mkv);
    assert.equal(info.format.format_name.split(',')[0], 'matroska');
    assert.deepEqual(info.streams.map((s) => [s.index, s.codec_type, s.width || s.channels]),
      [[0, 'video', w1], [1, 'audio', 2], [2, 'video', w2], [3, 'audio', 1]]);
    assert.equal(frames(info.streams[0]), n1);
    assert.equal(frames(info.streams[2]), n2);
    pictureClose(mkv, 0, rgbPattern(w1, h1, n1), lossy(ctx), 'video 0');
    pictureClose(mkv, 1, rgbPattern(w2, h2, n2), lossy(ctx), 'video 1');
    for (const [a, channels] of [[0, 2], [1, 1]]) {
      const pcm = decodeAudio(mkv, a);
      // Matroska keeps the AAC encoder's priming (1024) and the last frame's padding: whole 1024-sample frames
      assert.equal(pcm.length / channels, Math.ceil((samples + 1024) / 1024) * 1024, `audio ${a}: samples per channel`);
      assert.ok(rms(pcm) > 0.25, `audio ${a}: rms ${rms(pcm)}`);
    }
  },

  unawaited({ mp4 }, { feedOutcomes }, ctx) {
    const { w, h, n, fps, rate } = UNAWAITED;
    assert.deepEqual(feedOutcomes, feedOutcomes.map(() => 'fulfilled'), 'every feeding call resolved');
    const info = probe(mp4);
    assert.deepEqual(info.streams.map((s) => s.codec_type), ['video', 'audio']);
    assert.equal(frames(info.streams[0]), n, 'every frame in the file');
    pictureClose(mp4, 0, rgbPattern(w, h, n), lossy(ctx), 'video');
    aacInMp4(mp4, info.streams[1], (rate * n) / fps, 1);
  },

  cuda({ mkv }, meta) {
    assert.deepEqual(meta.indices, [0, 1]);
    const info = probe(mkv);
    assert.equal(info.streams.length, 2);
    assert.equal(frames(info.streams[0]), 3);
  },

  layout(files, { layout, encoderName }, ctx) {
    const [w, h, n] = LAYOUT_SIZES.lossless;
    const rgb = rgbPattern(w, h, n);
    for (const kind of ['Uint8Array', 'Uint8ClampedArray', 'Buffer']) {
      if (!files[kind]) continue;
      const info = probe(files[kind]);
      assert.equal(frames(info.streams[0]), n, `${layout} from ${kind}`);
      assert.equal(info.streams[0].pix_fmt, 'yuv444p');
      pictureClose(files[kind], 0, rgb, layout === 'yuv420p' ? 4 : 2, `${layout} from ${kind}`);
    }
    const [lw, lh, ln] = LAYOUT_SIZES.lossy;
    const info = probe(files.yuv420p);
    assert.equal(frames(info.streams[0]), ln);
    assert.equal(encoderName, ctx.webcodecs ? 'webcodecs' : ctx.backend);
    // WebCodecs is fed RGB pictures (yuv420p bytes are drawn into a canvas first): its H.264 is full range
    assert.equal(info.streams[0].pix_fmt, ctx.webcodecs ? 'yuvj420p' : 'yuv420p');
    pictureClose(files.yuv420p, 0, rgbPattern(lw, lh, ln), 3, `${layout}, ${lw}x${lh} 4:2:0`);
  },

  numFrames({ mp4 }, meta, ctx) {
    const w = 64, h = 48;
    assert.equal(frames(probe(mp4).streams[0]), 4);
    pictureClose(mp4, 0, rgbPattern(w, h, 4), lossy(ctx), 'the first 4 frames of the view');
  },

  audioLayouts(files) {
    const { rate, n } = AUDIO_LAYOUT;
    const expected = planarToInterleaved(tone(rate, 2, n), 2);
    for (const [name, wav] of Object.entries(files)) {
      const s = probe(wav).streams[0];
      assert.equal(s.codec_name, 'pcm_s16le', name);
      assert.equal(s.channels, 2, name);
      const pcm = decodeAudio(wav);
      assert.equal(pcm.length, expected.length, `${name}: decoded ${pcm.length} values, fed ${expected.length}`);
      const err = maxAbsDiff(pcm, expected);
      assert.ok(err < 1e-3, `${name}: max error ${err}`);
    }
  },

  colour({ mkv }, { colorSpace, colorRange, size: [w, h, n] }) {
    const s = probe(mkv).streams[0];
    assert.equal(s.color_range, colorRange);
    assert.equal(s.color_space, colorSpace === 'bt601' ? 'smpte170m' : colorSpace === 'bt2020' ? 'bt2020nc' : 'bt709');
    // ffmpeg converts back with the tagged matrix and range
    pictureClose(mkv, 0, rgbPattern(w, h, n), 3, `${colorSpace} ${colorRange}`);
  },

  containers(files) {
    const webm = probe(files.webm);
    assert.equal(webm.format.format_name.split(',').includes('webm') || webm.format.format_name.startsWith('matroska'), true);
    assert.deepEqual(webm.streams.map((s) => s.codec_name), ['vp9', 'opus']);
    assert.equal(frames(webm.streams[0]), 15);
    pictureClose(files.webm, 0, rgbPattern(160, 120, 15), 6, 'VP9');
    const opus = decodeAudio(files.webm);
    assert.equal(opus.length / 2, 24000, 'Opus in WebM: every sample back (the codec delay is trimmed)');
    assert.ok(rms(opus) > 0.3, 'the Opus tone is audible');
    const vp8 = probe(files.vp8).streams[0];
    assert.equal(vp8.codec_name, 'vp8');
    assert.equal(frames(vp8), 5);
    for (const [format, codec] of [['flac', 'flac'], ['wav', 'pcm_s16le'], ['ogg', 'opus']]) {
      const info = probe(files[format]);
      assert.equal(info.streams[0].codec_name, codec, format);
      const pcm = decodeAudio(files[format]);
      assert.equal(pcm.length, 4800, `${format}: every sample back`);
      if (codec !== 'opus') assert.ok(maxAbsDiff(pcm, tone(48000, 1, 4800)) < 1e-3, `${format}: lossless`);
    }
  },

  options({ mp4 }, meta, ctx) {
    assert.equal(meta.encoderName, ctx.backend, 'encoder options keep WebCodecs out');
    const info = probe(mp4, ['-show_frames', '-select_streams', 'v']);
    assert.equal(info.frames.length, 20);
    assert.equal(info.frames.filter((f) => f.key_frame === 1).length, 4, 'a keyframe every 5 frames');
    assert.equal(info.frames.filter((f) => f.pict_type === 'B').length, 0, 'x264-params bframes=0');
    assert.equal(info.format.tags.major_brand, 'isom');
  },
};
