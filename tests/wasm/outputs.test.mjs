// Outputs of the WebAssembly build in Node: a WHATWG WritableStream and a Node Writable (fragmented MP4,
// backpressure), the memory output's result, errors as Error objects with the C status name.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { polyenc, rgbPattern, tone, probe, decodeVideo, meanAbsDiff } from './helpers.mjs';

const { init, Encoder } = polyenc;
await init();
const W = 160, H = 120;

test('openStream(WritableStream): fragmented MP4, backpressure honoured', async () => {
  const chunks = [];
  let inFlight = 0, maxInFlight = 0;
  const ws = new WritableStream({
    async write(chunk) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2)); // a slow consumer
      chunks.push(chunk);
      inFlight--;
    },
  }, { highWaterMark: 1 });
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, gopSize: 10 });
  const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
  enc.openStream(ws, { format: 'mp4' });
  const rgb = rgbPattern(W, H, 60);
  for (let i = 0; i < 6; i++) {
    await video.addFrames(rgb.subarray(i * 10 * W * H * 3, (i + 1) * 10 * W * H * 3), { layout: 'rgb24' });
    await audio.addSamples(tone(48000, 2, 16000));
  }
  assert.equal(await enc.close(), undefined);
  assert.ok(chunks.length > 3, `${chunks.length} chunks`);
  assert.equal(maxInFlight, 1, 'one write at a time with highWaterMark 1');
  const buf = Buffer.concat(chunks.map((c) => Buffer.from(c)));
  assert.ok(buf.includes(Buffer.from('moof')), 'fragmented');
  const info = probe(buf);
  assert.equal(Number(info.streams[0].nb_read_frames), 60);
  assert.ok(meanAbsDiff(decodeVideo(buf), rgb) < 4);
});

test('openStream(Node Writable) with a small highWaterMark', async () => {
  const parts = [];
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk, _enc, cb) {
      parts.push(chunk);
      setTimeout(cb, 1);
    },
  });
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30 });
  enc.openStream(sink, { format: 'matroska' });
  await video.addFrames(rgbPattern(W, H, 20), { layout: 'rgb24' });
  await enc.close();
  assert.ok(sink.writableFinished, 'the writable was ended');
  assert.equal(Number(probe(Buffer.concat(parts)).streams[0].nb_read_frames), 20);
});

test('a failing WritableStream ends the encoding with POLYENC_ERR_IO and its error as the cause', async () => {
  const boom = new Error('disk full');
  let n = 0;
  const ws = new WritableStream({ write() { if (++n > 1) throw boom; } });
  const enc = new Encoder();
  const video = enc.addVideo({ width: W, height: H, frameRate: 30, gopSize: 2 });
  enc.openStream(ws, { format: 'mp4' });
  let err;
  try {
    for (let i = 0; i < 10; i++) await video.addFrames(rgbPattern(W, H, 4, i * 4), { layout: 'rgb24' });
    await enc.close();
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'an error');
  assert.equal(err.code, 'POLYENC_ERR_IO');
  await assert.rejects(enc.close(), (e) => e.code === 'POLYENC_ERR_IO');
});

// Found by tests/wasm/fuzz.test.mjs: a WritableStream that fails on its first write made close() reject with
// the stream's own TypeError (ERR_INVALID_STATE, "WritableStream is closed"), and a Node Writable destroyed
// before the encoder wrote made close() wait forever for a 'drain' that never comes.
test('an output already failed or destroyed: close() rejects with POLYENC_ERR_IO, at once', async () => {
  const outputs = [
    () => new WritableStream({ write() { throw new Error('gone'); } }),
    () => { const w = new Writable({ write(c, e, cb) { cb(); } }); w.destroy(); return w; },
  ];
  for (const make of outputs) {
    const enc = new Encoder();
    const audio = enc.addAudio({ sampleRate: 8000, numChannels: 1 });
    const video = enc.addVideo({ width: 16, height: 16, frameRate: 10 });
    enc.openStream(make(), { format: 'mkv' });
    const t0 = Date.now();
    await assert.rejects((async () => {
      await audio.addSamples(tone(8000, 1, 100));
      await video.addFrames(rgbPattern(16, 16, 1), { layout: 'rgb24' });
      await enc.close();
    })(), (e) => e.code === 'POLYENC_ERR_IO');
    assert.ok(Date.now() - t0 < 10000, 'no hang');
  }
});

test('errors: TypeError for types, Error with code and the C message for values and state', async () => {
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ width: 'x', height: 2, frameRate: 30 }), TypeError);
  assert.throws(() => enc.addVideo({ height: 2, frameRate: 30 }), /addVideo.width is required/);
  assert.throws(() => enc.addVideo({ width: 0, height: 240, frameRate: 30 }),
    (e) => e.code === 'POLYENC_ERR_ARGUMENT' && /width/.test(e.message) && e.status === -1);
  assert.throws(() => enc.addVideo({ width: 64, height: 64, frameRate: 30, codec: 'nope' }),
    (e) => e.code === 'POLYENC_ERR_UNSUPPORTED' || e.code === 'POLYENC_ERR_ARGUMENT');
  assert.throws(() => enc.addVideo({ width: 64, height: 64, frameRate: 30, device: 'cuda' }),
    (e) => e.code === 'POLYENC_ERR_UNSUPPORTED');
  const video = enc.addVideo({ width: 64, height: 64, frameRate: 30 });
  await assert.rejects(video.addFrames(new Uint8Array(64 * 64 * 3), { layout: 'rgb24' }),
    (e) => e.code === 'POLYENC_ERR_STATE');
  assert.throws(() => enc.openFile('x.mp4'), (e) => e.code === 'POLYENC_ERR_UNSUPPORTED');
  assert.throws(() => enc.openMemory({}), TypeError);
  enc.openMemory({ format: 'mp4' });
  assert.throws(() => enc.openMemory({ format: 'mp4' }), (e) => e.code === 'POLYENC_ERR_STATE');
  assert.throws(() => enc.addAudio({ sampleRate: 48000, numChannels: 1 }), (e) => e.code === 'POLYENC_ERR_STATE');
  await assert.rejects(video.addFrames(new Uint8Array(100), { layout: 'rgb24' }),
    (e) => e.code === 'POLYENC_ERR_ARGUMENT' && /not a whole number/.test(e.message));
  await assert.rejects(video.addFrames(new Uint8Array(10), { layout: 'nope' }), TypeError);
  await assert.rejects(video.addFrames('x'), TypeError);
  await video.addFrames(new Uint8Array(64 * 64 * 3 * 2), { layout: 'rgb24' }); // still usable
  await video.addFrames(new Uint8Array(0), { layout: 'rgb24' });
  const out = await enc.close();
  assert.equal(Number(probe(out).streams[0].nb_read_frames), 2);
  await assert.rejects(video.addFrames(new Uint8Array(64 * 64 * 3), { layout: 'rgb24' }), (e) => e.code === 'POLYENC_ERR_STATE');
});

test('audio errors: channels, NaN, layout', async () => {
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
  enc.openMemory({ format: 'mkv' });
  await assert.rejects(audio.addSamples([new Float32Array(10)]), (e) => e.code === 'POLYENC_ERR_ARGUMENT' && /Expected 2 channels, got 1/.test(e.message));
  await assert.rejects(audio.addSamples(new Float32Array(3)), (e) => e.code === 'POLYENC_ERR_ARGUMENT');
  await assert.rejects(audio.addSamples(new Float32Array([0, NaN, 0, 0])), (e) => e.code === 'POLYENC_ERR_ARGUMENT' && /NaN|finite/i.test(e.message));
  await assert.rejects(audio.addSamples(new Float64Array(4)), TypeError);
  await audio.addSamples(tone(48000, 2, 4800));
  await enc.close();
});
