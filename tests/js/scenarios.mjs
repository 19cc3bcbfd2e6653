// The encode scenarios of the JS suite, written once and run in Node on each backend (scenarios.test.mjs)
// and in Chromium on each wasm build (tests/browser/scenarios.test.mjs): video + audio in one MP4,
// incremental chunks, multi-stream, every frame and sample layout, colour tagging, WebM / Matroska /
// audio-only containers, options, numFrames. No Node imports: the test server serves this file to the page.
//
// A scenario is { id, name, skip(polyenc) -> false | reason, run(polyenc, opts) -> { files, meta } }:
//   polyenc  the package's module (its default export: Encoder, cudaDeviceCount, ...)
//   opts     { encoder: options of new Encoder() (the browser: { worker: true }),
//              video: options added to every addVideo (the browser: { encoder: 'wasm' }) }
//   files    { name: Uint8Array }: the encoded outputs (openMemory with type 'uint8array')
//   meta     what the checks need besides the bytes (indices, encoderName, ...): JSON values only
// The checks (ffprobe, ffmpeg decode and compare) are Node's: checks.mjs, by scenario id.

import { rgbPattern, toLayout, tone, planarToInterleaved } from './media.mjs';

export const kit = { rgbPattern, toLayout, tone, planarToInterleaved };

// The sizes the scenarios use (the checks rebuild the inputs from them).
export const AV = { W: 320, H: 240, FPS: 24, N: 48, RATE: 16000 }; // 2 s of video + tone
export const MULTI = { v1: [256, 256, 10, 5], v2: [128, 128, 25, 8], rate: 16000, samples: 8000 };
export const LAYOUTS = ['rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p'];
export const LAYOUT_SIZES = { lossless: [64, 48, 4], lossy: [200, 120, 6] }; // 200x120: SIMD loops' scalar tails
export const COLOURS = [['bt709', 'tv'], ['bt2020', 'pc'], ['bt601', 'pc'], ['bt709', 'tv', 'yuv444p']];
export const AUDIO_LAYOUT = { rate: 8000, n: 4000 };
export const INCREMENTAL = { frames: [1, 5, 0, 10, AV.N - 16], samples: [1, 50, 1000, 0, 25] };
export const UNAWAITED = { w: 160, h: 120, n: 10, fps: 25, rate: 16000 };

// Helpers of the scenarios.
const sameClass = (v) => Object.getPrototypeOf(v) === Uint8Array.prototype; // a Uint8Array, not a Buffer
const open = (enc, format) => enc.openMemory({ format, type: 'uint8array' });

function setup(polyenc, opts = {}) {
  return {
    encoder: () => new polyenc.Encoder(opts.encoder),
    video: (o) => ({ ...opts.video, ...o }),
  };
}

const scenario = (id, name, run, skip = () => false) => ({ id, name, run, skip });

export const scenarios = [
  scenario('av', 'video + audio into one MP4', async (polyenc, opts) => {
    const { W, H, FPS, N, RATE } = AV;
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: W, height: H, frameRate: FPS }));
    const audio = enc.addAudio({ sampleRate: RATE, numChannels: 1 });
    open(enc, 'mp4');
    await video.addFrames(toLayout(rgbPattern(W, H, N), W, H, 'rgb-planar')); // the default layout
    await audio.addSamples(tone(RATE, 1, (RATE * N) / FPS));
    const out = await enc.close();
    const again = await enc.close();
    return {
      files: { mp4: out },
      meta: {
        indices: [video.index, audio.index], backend: enc.backend, encoderName: video.encoderName,
        plainUint8Array: sameClass(out), sameOnSecondClose: again === out,
      },
    };
  }),

  scenario('incremental', 'incremental: chunks of any size, including empty ones', async (polyenc, opts) => {
    const { W, H, FPS, N, RATE } = AV;
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: W, height: H, frameRate: FPS }));
    const audio = enc.addAudio({ sampleRate: RATE, numChannels: 2 });
    open(enc, 'mp4');
    const frames = rgbPattern(W, H, N);
    const fb = W * H * 3;
    let f = 0;
    for (const k of INCREMENTAL.frames) {
      await video.addFrames(frames.subarray(f * fb, (f + k) * fb), { layout: 'rgb24' });
      f += k;
    }
    const total = (RATE * N) / FPS;
    const stereo = planarToInterleaved(tone(RATE, 2, total), 2);
    let s = 0;
    for (const k of [...INCREMENTAL.samples, total - INCREMENTAL.samples.reduce((a, b) => a + b)]) {
      await audio.addSamples(stereo.subarray(2 * s, 2 * (s + k)), { layout: 'interleaved' });
      s += k;
    }
    await video.addFrames(new Uint8Array(0), { layout: 'rgb24' }); // empty chunks are no-ops, at the end too
    await audio.addSamples(new Float32Array(0));
    return { files: { mp4: await enc.close() }, meta: { framesFed: f, samplesFed: s } };
  }),

  scenario('multi', 'multi-stream: two video + two audio streams, order and exact counts', async (polyenc, opts) => {
    const { v1: [w1, h1, r1, n1], v2: [w2, h2, r2, n2], rate, samples } = MULTI;
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const v1 = enc.addVideo(S.video({ width: w1, height: h1, frameRate: r1 }));
    const a1 = enc.addAudio({ sampleRate: rate, numChannels: 2 });
    const v2 = enc.addVideo(S.video({ width: w2, height: h2, frameRate: r2 }));
    const a2 = enc.addAudio({ sampleRate: rate, numChannels: 1 });
    open(enc, 'mkv');
    // fed in any order, several calls in flight at once
    await Promise.all([
      v2.addFrames(toLayout(rgbPattern(w2, h2, n2), w2, h2, 'rgba'), { layout: 'rgba' }),
      a2.addSamples([tone(rate, 1, samples)]),
      v1.addFrames(rgbPattern(w1, h1, n1), { layout: 'rgb24' }),
      a1.addSamples(tone(rate, 2, samples)),
    ]);
    return { files: { mkv: await enc.close() }, meta: { indices: [v1.index, a1.index, v2.index, a2.index] } };
  }),

  scenario('unawaited', 'calls not awaited: close() right after the feeding calls still gets every frame and sample', async (polyenc, opts) => {
    const { w, h, n, fps, rate } = UNAWAITED;
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: w, height: h, frameRate: fps }));
    const audio = enc.addAudio({ sampleRate: rate, numChannels: 1 });
    open(enc, 'mp4');
    const rgb = rgbPattern(w, h, n);
    const fb = w * h * 3, per = rate / fps; // samples per frame
    const feeds = [];
    for (let i = 0; i < n; i += 2) {
      feeds.push(video.addFrames(rgb.subarray(i * fb, (i + 2) * fb), { layout: 'rgb24' }));
      feeds.push(audio.addSamples(tone(rate, 1, 2 * per, i * per)));
    }
    const closing = enc.close();
    // bounded: a lost call would leave its promise pending
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timed out'), 30000)));
    const outcome = async (p) => Promise.race([p.then(() => 'fulfilled', (e) => `rejected: ${e.code} ${e.message}`), timeout]);
    const feedOutcomes = await Promise.all(feeds.map(outcome));
    const out = await Promise.race([closing, timeout]);
    clearTimeout(timer);
    if (!(out instanceof Uint8Array)) throw new Error(`close() gave ${out}; the feeding calls: ${feedOutcomes.join(', ')}`);
    return { files: { mp4: out }, meta: { feedOutcomes } };
  }),

  scenario('cuda', 'a CUDA video stream next to a CPU one', async (polyenc, opts) => {
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const cpu = enc.addVideo(S.video({ width: 256, height: 256, frameRate: 30, device: 'cpu' }));
    const gpu = enc.addVideo(S.video({ width: 128, height: 128, frameRate: 30, device: 'cuda' }));
    open(enc, 'mkv');
    await cpu.addFrames(rgbPattern(256, 256, 3), { layout: 'rgb24' });
    return { files: { mkv: await enc.close() }, meta: { indices: [cpu.index, gpu.index] } };
  }, (polyenc) => polyenc.cudaDeviceCount() === 0 && 'no CUDA device'),

  ...LAYOUTS.map((layout) => scenario('layout', `frame layout ${layout}: every input type decodes back to the picture`, async (polyenc, opts) => {
    const S = setup(polyenc, opts);
    const files = {};
    // near-lossless (crf 0, 4:4:4) from each kind of byte array
    const [w, h, n] = LAYOUT_SIZES.lossless;
    const data = toLayout(rgbPattern(w, h, n), w, h, layout);
    const kinds = { Uint8Array: data, Uint8ClampedArray: new Uint8ClampedArray(data) };
    if (typeof globalThis.Buffer === 'function') kinds.Buffer = globalThis.Buffer.from(data);
    for (const [kind, input] of Object.entries(kinds)) {
      const enc = S.encoder();
      const video = enc.addVideo(S.video({ width: w, height: h, frameRate: 30, crf: 0, pixelFormat: 'yuv444p' }));
      open(enc, 'mkv');
      await video.addFrames(input, { layout });
      files[kind] = await enc.close();
    }
    // the default 4:2:0 at a size that is not a multiple of 16
    const [lw, lh, ln] = LAYOUT_SIZES.lossy;
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: lw, height: lh, frameRate: 30, crf: 10 }));
    open(enc, 'mp4');
    await video.addFrames(toLayout(rgbPattern(lw, lh, ln), lw, lh, layout), { layout });
    files.yuv420p = await enc.close();
    return { files, meta: { layout, encoderName: video.encoderName } };
  })),

  scenario('numFrames', 'numFrames takes the start of a view into a bigger buffer', async (polyenc, opts) => {
    const w = 64, h = 48;
    const rgb = rgbPattern(w, h, 6);
    const backing = new Uint8Array(rgb.length + 100);
    backing.set(rgb, 37);
    const view = backing.subarray(37, 37 + rgb.length);
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: w, height: h, frameRate: 30 }));
    open(enc, 'mp4');
    await video.addFrames(view, { layout: 'rgb24', numFrames: 4 });
    return { files: { mp4: await enc.close() }, meta: {} };
  }),

  scenario('audioLayouts', 'audio layouts: planar, interleaved and one array per channel give the same samples', async (polyenc, opts) => {
    const { rate, n } = AUDIO_LAYOUT;
    const S = setup(polyenc, opts);
    const planar = tone(rate, 2, n);
    const interleaved = planarToInterleaved(planar, 2);
    const cut = 1001; // uneven chunks
    const feeds = {
      planar: (a) => a.addSamples(planar, { layout: 'planar' }),
      interleaved: async (a) => {
        await a.addSamples(interleaved.subarray(0, 2 * cut), { layout: 'interleaved' });
        await a.addSamples(interleaved.subarray(2 * cut), { layout: 'interleaved' });
      },
      perChannel: async (a) => {
        await a.addSamples([planar.subarray(0, 1), planar.subarray(n, n + 1)]);
        await a.addSamples([planar.subarray(1, n), planar.subarray(n + 1)]);
      },
    };
    const files = {};
    for (const [name, feed] of Object.entries(feeds)) {
      const enc = S.encoder();
      const audio = enc.addAudio({ sampleRate: rate, numChannels: 2 });
      open(enc, 'wav');
      await feed(audio);
      files[name] = await enc.close();
    }
    return { files, meta: {} };
  }),

  ...COLOURS.map(([colorSpace, colorRange, pixelFormat]) =>
    scenario('colour', `colour ${colorSpace} ${colorRange}${pixelFormat ? ' ' + pixelFormat : ''}: converted and tagged`, async (polyenc, opts) => {
      const w = 160, h = 96;
      const S = setup(polyenc, opts);
      const enc = S.encoder();
      const video = enc.addVideo(S.video({ width: w, height: h, frameRate: 30, crf: 10, colorSpace, colorRange, pixelFormat }));
      open(enc, 'mkv');
      await video.addFrames(toLayout(rgbPattern(w, h, 4), w, h, 'rgba'), { layout: 'rgba' });
      return { files: { mkv: await enc.close() }, meta: { colorSpace, colorRange, size: [w, h, 4] } };
    })),

  scenario('containers', 'WebM VP9 + Opus; VP8 in Matroska; FLAC, WAV and Ogg audio only', async (polyenc, opts) => {
    const S = setup(polyenc, opts);
    const files = {};
    const enc = S.encoder();
    const video = enc.addVideo(S.video({ width: 160, height: 120, frameRate: 30 }));
    const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
    open(enc, 'webm');
    await video.addFrames(rgbPattern(160, 120, 15), { layout: 'rgb24' });
    await audio.addSamples(tone(48000, 2, 24000));
    files.webm = await enc.close();

    const e2 = S.encoder();
    const v2 = e2.addVideo(S.video({ width: 160, height: 120, frameRate: 30, codec: 'vp8' }));
    open(e2, 'mkv');
    await v2.addFrames(rgbPattern(160, 120, 5), { layout: 'rgb24' });
    files.vp8 = await e2.close();

    for (const format of ['flac', 'wav', 'ogg']) {
      const e = S.encoder();
      const a = e.addAudio({ sampleRate: 48000, numChannels: 1 });
      open(e, format);
      await a.addSamples(tone(48000, 1, 4800));
      files[format] = await e.close();
    }
    return { files, meta: {} };
  }),

  scenario('options', 'options reach the encoder (preset, gop, x264-params) and the muxer (brand)', async (polyenc, opts) => {
    const S = setup(polyenc, opts);
    const enc = S.encoder();
    const video = enc.addVideo(S.video({
      width: 160, height: 120, frameRate: 30, preset: 'ultrafast', gopSize: 5,
      options: { 'x264-params': 'bframes=0', brand: 'isom' },
    }));
    open(enc, 'mp4');
    await video.addFrames(rgbPattern(160, 120, 20), { layout: 'rgb24' });
    return { files: { mp4: await enc.close() }, meta: { encoderName: video.encoderName } };
  }),
];
