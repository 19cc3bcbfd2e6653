// Encoder threads: on the wasm backend, the threaded build (pthreads on worker_threads; x264 frame threads
// and sliced threads) loaded with `init({ backend: 'wasm', variant: 'mt' })`; on the native backend the
// same encodes with the addon's FFmpeg threads.
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, BACKEND, only, rgbPattern, tone, probe, decodeVideo, meanAbsDiff, rms, decodeAudio } from './helpers.mjs';

const { init, Encoder, backendInfo } = polyenc;
if (BACKEND === 'wasm') await init({ backend: 'wasm', variant: 'mt', maxThreads: 2 });

test('the threaded wasm build loads with its thread pool', { skip: only('wasm') }, () => {
  const info = backendInfo();
  assert.equal(info.backend, 'wasm');
  assert.equal(info.variant, 'mt');
  assert.equal(info.maxThreads, 2);
  assert.equal(new Encoder().backend, 'wasm');
});

test("init({ variant: 'mt' }) then init({ variant: 'st' }): new encoders use the module loaded last", { skip: only('wasm') }, async () => {
  const mt = new Encoder();
  assert.equal((await init({ backend: 'wasm', variant: 'st' })).variant, 'st');
  const st = new Encoder();
  assert.equal((await init({ backend: 'wasm', variant: 'mt', maxThreads: 2 })).variant, 'mt');
  // both still encode, each in its own module
  for (const enc of [mt, st]) {
    const v = enc.addVideo({ width: 64, height: 48, frameRate: 10, threads: 2 });
    enc.openMemory({ format: 'mkv' });
    await v.addFrames(rgbPattern(64, 48, 5), { layout: 'rgb24' });
    assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 5);
  }
});

for (const options of [undefined, { 'x264-params': 'sliced-threads=1' }]) {
  test(`video + audio with 2 x264 threads${options ? ' (sliced threads)' : ''}`, async () => {
    const W = 640, H = 360, N = 40;
    const rgb = rgbPattern(W, H, N);
    const enc = new Encoder();
    const video = enc.addVideo({ width: W, height: H, frameRate: 30, threads: 2, options });
    const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
    enc.openMemory({ format: 'mp4' });
    await video.addFrames(rgb, { layout: 'rgb24' });
    await audio.addSamples(tone(48000, 2, 64000));
    const out = await enc.close();
    const info = probe(out);
    assert.deepEqual(info.streams.map((s) => s.codec_name), ['h264', 'aac']);
    assert.equal(Number(info.streams[0].nb_read_frames), N);
    assert.ok(meanAbsDiff(decodeVideo(out), rgb) < 4);
    assert.ok(rms(decodeAudio(out)) > 0.25);
  });
}

test('two encoders, two video streams each with threads, at once', async () => {
  const run = async (seed) => {
    const enc = new Encoder();
    const a = enc.addVideo({ width: 320, height: 240, frameRate: 30, threads: 2 });
    const b = enc.addVideo({ width: 160, height: 120, frameRate: 30, threads: 2, codec: 'vp9' });
    enc.openMemory({ format: 'mkv' });
    await a.addFrames(rgbPattern(320, 240, 10, seed), { layout: 'rgb24' });
    await b.addFrames(rgbPattern(160, 120, 10, seed), { layout: 'rgb24' });
    return enc.close();
  };
  const [x, y] = await Promise.all([run(0), run(5)]);
  for (const out of [x, y]) assert.deepEqual(probe(out).streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]), [['h264', 10], ['vp9', 10]]);
});
