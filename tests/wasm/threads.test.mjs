// The threaded build (pthreads, x264 frame threads / sliced threads) in Node.
import test from 'node:test';
import assert from 'node:assert/strict';
import { polyenc, rgbPattern, tone, probe, decodeVideo, meanAbsDiff, rms, decodeAudio } from './helpers.mjs';

const { init, Encoder, wasmInfo } = polyenc;
await init({ variant: 'mt', maxThreads: 2 });

test('the threaded build loads with its thread pool', () => {
  const info = wasmInfo();
  assert.equal(info.variant, 'mt');
  assert.equal(info.maxThreads, 2);
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

test('two encoders, two video streams each with threads, in one module', async () => {
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
  for (const out of [x, y]) assert.deepEqual(probe(out).streams.map((s) => Number(s.nb_read_frames)), [10, 10]);
});
