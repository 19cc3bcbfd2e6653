// The native tests' scenarios through the WebAssembly build (single-threaded), in Node: video + audio,
// incremental chunks, multi-stream, every frame layout, memory output; checked with ffprobe and decoded
// with FFmpeg.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  polyenc, rgbPattern, toLayout, tone, planarToInterleaved, probe, decodeVideo, decodeAudio, meanAbsDiff, rms,
} from './helpers.mjs';

const { init, Encoder, version, hasEncoder, wasmInfo } = polyenc;
await init();

const W = 320, H = 240, FPS = 24, N = 48; // 2 s
const RATE = 16000;
const frames = rgbPattern(W, H, N);
const samples = tone(RATE, 1, (RATE * N) / FPS);

const streamsOf = (info) => info.streams.map((s) => ({ index: s.index, type: s.codec_type, codec: s.codec_name }));

test('init loads the single-threaded build; version and capabilities', async () => {
  assert.equal(wasmInfo().variant, 'st');
  assert.match(version(), /^\d+\.\d+\.\d+/);
  for (const c of ['h264', 'libx264', 'aac', 'opus', 'libopus', 'flac', 'vp9', 'libvpx-vp9', 'vp8']) assert.equal(hasEncoder(c), true, c);
  assert.equal(hasEncoder('h264_nvenc'), false);
  assert.equal(hasEncoder('no-such-codec'), false);
  await init(); // a second init is a no-op
});

test('video + audio into one MP4 in memory', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS });
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1 });
  assert.equal(video.index, 0);
  assert.equal(audio.index, 1);
  assert.equal(video.encoderName, 'wasm', 'Node has no WebCodecs: auto is the wasm encoder');
  assert.throws(() => enc.addVideo({ width: W, height: H, frameRate: FPS, encoder: 'webcodecs' }),
    (e) => e.code === 'POLYENC_ERR_UNSUPPORTED' && /no WebCodecs VideoEncoder/.test(e.message));
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(toLayout(frames, W, H, 'rgb-planar'));
  await audio.addSamples(samples);
  const out = await enc.close();
  assert.ok(out instanceof Uint8Array && out.length > 1000);
  assert.equal(await enc.close(), out, 'a second close returns the same result');

  const info = probe(out);
  assert.deepEqual(streamsOf(info), [
    { index: 0, type: 'video', codec: 'h264' },
    { index: 1, type: 'audio', codec: 'aac' },
  ]);
  const v = info.streams[0];
  assert.equal(Number(v.nb_read_frames), N);
  assert.equal(v.width, W);
  assert.equal(v.height, H);
  assert.equal(v.r_frame_rate, `${FPS}/1`);
  assert.ok(Math.abs(Number(v.duration) - N / FPS) < 0.01, `video duration ${v.duration}`);
  assert.ok(Math.abs(Number(info.streams[1].duration) - N / FPS) < 0.1, `audio duration ${info.streams[1].duration}`);
  const decoded = decodeVideo(out);
  assert.equal(decoded.length, frames.length);
  const mad = meanAbsDiff(decoded, frames);
  assert.ok(mad < 4, `decoded frames differ from the input: mean abs diff ${mad}`);
  const pcm = decodeAudio(out);
  assert.ok(pcm.length >= samples.length * 0.95, `decoded ${pcm.length} samples, fed ${samples.length}`);
  assert.ok(rms(pcm) > 0.25, 'the tone is audible after decoding');
});

test('incremental encoding: chunks of any size, including empty ones', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: FPS });
  const audio = enc.addAudio({ sampleRate: RATE, numChannels: 2 });
  enc.openMemory({ format: 'matroska' });
  const fb = W * H * 3;
  let f = 0;
  for (const k of [1, 5, 0, 10, N - 16]) {
    await video.addFrames(frames.subarray(f * fb, (f + k) * fb), { layout: 'rgb24' });
    f += k;
  }
  const total = (RATE * N) / FPS;
  const stereo = planarToInterleaved(tone(RATE, 2, total), 2);
  let s = 0;
  for (const k of [1, 50, 1000, 0, 25, total - 1076]) {
    await audio.addSamples(stereo.subarray(2 * s, 2 * (s + k)), { layout: 'interleaved' });
    s += k;
  }
  const out = await enc.close();
  const info = probe(out);
  assert.match(info.format.format_name, /matroska/);
  assert.equal(Number(info.streams[0].nb_read_frames), N);
  assert.equal(info.streams[1].channels, 2);
  const pcm = decodeAudio(out);
  assert.ok(Math.abs(pcm.length / 2 - total) < 2100, `decoded ${pcm.length / 2} samples per channel, fed ${total}`);
  assert.ok(meanAbsDiff(decodeVideo(out), frames) < 4);
});

test('multi-stream: two video streams and two audio streams, order and exact counts', async () => {
  const enc = new Encoder();
  const v1 = enc.addVideo({ width: 256, height: 256, frameRate: 10 });
  const a1 = enc.addAudio({ sampleRate: 16000, numChannels: 2 });
  const v2 = enc.addVideo({ width: 128, height: 128, frameRate: 25 });
  const a2 = enc.addAudio({ sampleRate: 16000, numChannels: 1 });
  assert.deepEqual([v1.index, a1.index, v2.index, a2.index], [0, 1, 2, 3]);
  enc.openMemory({ format: 'mkv' });
  await Promise.all([
    v2.addFrames(rgbPattern(128, 128, 8), { layout: 'rgb24' }),
    a2.addSamples([tone(16000, 1, 8000)]),
    v1.addFrames(rgbPattern(256, 256, 5), { layout: 'rgb24' }),
    a1.addSamples(tone(16000, 2, 8000)),
  ]);
  const info = probe(await enc.close());
  assert.deepEqual(info.streams.map((s) => [s.codec_type, s.width || s.channels, Number(s.nb_read_frames)]).slice(0, 3)
    .map((x, i) => (i === 1 ? x.slice(0, 2) : x)), [['video', 256, 5], ['audio', 2], ['video', 128, 8]]);
  assert.equal(info.streams[3].channels, 1);
});

for (const layout of ['rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p']) {
  test(`frame layout ${layout} (SIMD128 conversion, swscale where it does not apply)`, async () => {
    const w = 200, h = 120; // not a multiple of 16: the scalar tail runs too
    const rgb = rgbPattern(w, h, 6);
    const enc = new Encoder();
    const video = enc.addVideo({ width: w, height: h, frameRate: 30, crf: 10 });
    enc.openMemory({ format: 'mp4' });
    await video.addFrames(toLayout(rgb, w, h, layout), { layout });
    const out = await enc.close();
    const mad = meanAbsDiff(decodeVideo(out), rgb);
    assert.ok(mad < 3, `${layout}: mean abs diff ${mad}`);
  });
}

for (const [colorSpace, colorRange, pixelFormat] of [['bt709', 'tv'], ['bt2020', 'pc'], ['bt601', 'pc'], ['bt709', 'tv', 'yuv444p']]) {
  test(`colour ${colorSpace} ${colorRange}${pixelFormat ? ' ' + pixelFormat : ''}: converted and tagged`, async () => {
    const w = 160, h = 96;
    const rgb = rgbPattern(w, h, 4);
    const enc = new Encoder();
    const video = enc.addVideo({ width: w, height: h, frameRate: 30, crf: 10, colorSpace, colorRange, pixelFormat });
    enc.openMemory({ format: 'mkv' });
    await video.addFrames(toLayout(rgb, w, h, 'rgba'), { layout: 'rgba' });
    const out = await enc.close();
    const s = probe(out).streams[0];
    assert.equal(s.color_range, colorRange);
    assert.equal(s.color_space, colorSpace === 'bt601' ? 'smpte170m' : colorSpace === 'bt2020' ? 'bt2020nc' : 'bt709');
    // ffmpeg converts back with the tagged matrix and range
    const mad = meanAbsDiff(decodeVideo(out), rgb);
    assert.ok(mad < 3, `mean abs diff ${mad}`);
  });
}

test('WebM: VP9 + Opus; VP8 in Matroska; FLAC and WAV audio only', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 160, height: 120, frameRate: 30 });
  const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
  enc.openMemory({ format: 'webm' });
  await video.addFrames(rgbPattern(160, 120, 15), { layout: 'rgb24' });
  await audio.addSamples(tone(48000, 2, 24000));
  const info = probe(await enc.close());
  assert.deepEqual(info.streams.map((s) => s.codec_name), ['vp9', 'opus']);
  assert.equal(Number(info.streams[0].nb_read_frames), 15);

  const e2 = new Encoder();
  const v2 = e2.addVideo({ width: 160, height: 120, frameRate: 30, codec: 'vp8' });
  e2.openMemory({ format: 'mkv' });
  await v2.addFrames(rgbPattern(160, 120, 5), { layout: 'rgb24' });
  assert.equal(probe(await e2.close()).streams[0].codec_name, 'vp8');

  for (const [format, codec] of [['flac', 'flac'], ['wav', 'pcm_s16le'], ['ogg', 'opus']]) {
    const e = new Encoder();
    const a = e.addAudio({ sampleRate: 48000, numChannels: 1 });
    e.openMemory({ format });
    await a.addSamples(tone(48000, 1, 4800));
    const out = await e.close();
    assert.equal(probe(out).streams[0].codec_name, codec, format);
  }
});

test('options: preset, gop and x264-params reach the encoder; muxer options reach the muxer', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 160, height: 120, frameRate: 30, preset: 'ultrafast', gopSize: 5,
    options: { 'x264-params': 'bframes=0', brand: 'isom' } });
  enc.openMemory({ format: 'mp4' });
  await video.addFrames(rgbPattern(160, 120, 20), { layout: 'rgb24' });
  const out = await enc.close();
  const info = probe(out, ['-show_frames', '-select_streams', 'v']);
  const keys = info.frames.filter((f) => f.key_frame === 1).length;
  assert.equal(keys, 4, 'a keyframe every 5 frames');
  assert.equal(info.frames.filter((f) => f.pict_type === 'B').length, 0);
  assert.equal(info.format.tags.major_brand, 'isom');
});
