// The three outputs on every backend: openStream to a WHATWG WritableStream or a Node Writable (fragmented
// MP4, backpressure, failures as POLYENC_ERR_IO with the writable's error as the cause), openMemory (close()
// resolves to a Buffer, or the type asked for), openFile (a path or a file: URL; an MP4 written with seeks,
// its index at the end, as a regular file).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { polyenc, BACKEND, tmpFile, rgbPattern, tone, probe, decodeVideo, decodeAudio, meanAbsDiff, rms } from './helpers.mjs';

const { Encoder } = polyenc;
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
    await audio.addSamples(tone(48000, 2, 16000, i * 16000));
  }
  assert.equal(await enc.close(), undefined);
  assert.ok(chunks.length > 3, `${chunks.length} chunks`);
  assert.equal(maxInFlight, 1, 'one write at a time with highWaterMark 1');
  const buf = Buffer.concat(chunks.map((c) => Buffer.from(c)));
  assert.ok(buf.includes(Buffer.from('moof')), 'fragmented');
  const info = probe(buf);
  assert.deepEqual(info.streams.map((s) => s.codec_name), ['h264', 'aac']);
  assert.equal(Number(info.streams[0].nb_read_frames), 60);
  assert.ok(meanAbsDiff(decodeVideo(buf), rgb) < 4);
  assert.ok(rms(decodeAudio(buf)) > 0.3);
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
  assert.equal(err.code, 'POLYENC_ERR_IO', err.message);
  assert.equal(err.status, -4);
  assert.equal(err.cause, boom);
  await assert.rejects(enc.close(), (e) => e.code === 'POLYENC_ERR_IO');
});

// Found by the wasm fuzz test: a WritableStream that fails on its first write made close() reject with
// the stream's own TypeError (ERR_INVALID_STATE, "WritableStream is closed"), and a Node Writable destroyed
// before the encoder wrote made close() wait forever for a 'drain' that never comes.
test('an output already failed or destroyed: close() rejects with POLYENC_ERR_IO, at once', async () => {
  const outputs = [
    () => new WritableStream({ write() { throw new Error('gone'); } }),
    () => { const w = new Writable({ write(c, e, cb) { cb(); } }); w.destroy(); return w; },
    () => { const w = new Writable({ write(c, e, cb) { cb(); } }); w.end(); return w; },
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

async function smallEncode(open, { audioOnly = false } = {}) {
  const enc = new Encoder();
  const video = audioOnly ? null : enc.addVideo({ width: 64, height: 48, frameRate: 10 });
  const audio = enc.addAudio({ sampleRate: 16000, numChannels: 1 });
  open(enc);
  if (video) await video.addFrames(rgbPattern(64, 48, 5), { layout: 'rgb24' });
  await audio.addSamples(tone(16000, 1, 8000));
  return enc.close();
}

test('openMemory: close() resolves to a Buffer, or to the type asked for', async () => {
  const plain = await smallEncode((e) => e.openMemory({ format: 'mp4' }));
  assert.ok(Buffer.isBuffer(plain), 'a Buffer by default in Node');
  const buffer = await smallEncode((e) => e.openMemory({ format: 'mp4', type: 'buffer' }));
  assert.ok(Buffer.isBuffer(buffer));
  const u8 = await smallEncode((e) => e.openMemory({ format: 'mp4', type: 'uint8array' }));
  assert.ok(u8 instanceof Uint8Array && !Buffer.isBuffer(u8), `a plain Uint8Array, got ${u8.constructor.name}`);
  const blob = await smallEncode((e) => e.openMemory({ format: 'mp4', type: 'blob' }));
  assert.ok(blob instanceof Blob);
  assert.equal(blob.type, 'video/mp4');
  const audioBlob = await smallEncode((e) => e.openMemory({ format: 'webm', type: 'blob' }), { audioOnly: true });
  assert.equal(audioBlob.type, 'audio/webm');
  // the same deterministic encode, whatever the wrapper
  const bytes = [plain, buffer, u8, Buffer.from(await blob.arrayBuffer())];
  for (const b of bytes) assert.deepEqual(probe(b).streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]), [['h264', 5], ['aac', 8]]);
  assert.equal(u8.length, plain.length);
  assert.equal(blob.size, plain.length);
  const ogg = probe(Buffer.from(await audioBlob.arrayBuffer()));
  assert.deepEqual(ogg.streams.map((s) => s.codec_name), ['opus']);
});

test('openFile: a path or a file: URL; the container from the extension or options.format', async () => {
  const mp4 = tmpFile('out.mp4');
  assert.equal(await smallEncode((e) => e.openFile(mp4)), undefined);
  const url = tmpFile('url.mkv');
  await smallEncode((e) => e.openFile(pathToFileURL(url)));
  const named = tmpFile('named.bin');
  await smallEncode((e) => e.openFile(named, { format: 'mov' }));
  assert.deepEqual(probe(mp4).streams.map((s) => s.codec_name), ['h264', 'aac']);
  assert.equal(probe(url).format.format_name, 'matroska,webm');
  assert.match(probe(named).format.format_name, /mov/);
  // an MP4 file is written with seeks: one moov (the index) after the mdat, not fragments
  const bytes = fs.readFileSync(mp4);
  assert.ok(bytes.indexOf('mdat') < bytes.indexOf('moov'), 'the index at the end');
  assert.equal(bytes.indexOf('moof'), -1, 'not fragmented');
  // a file encodes the same bytes as memory
  assert.ok(Buffer.compare(bytes, await smallEncode((e) => e.openMemory({ format: 'mp4' }))) === 0, 'file and memory differ');
});

// faststart re-reads the finished file by its name: the native backend's files can; the wasm backend writes
// files through JS (a writer, to the C library) and memory outputs cannot: refused at open, naming why.
test('movflags +faststart: the index moves to the front of a native file; elsewhere refused at open', async () => {
  const file = tmpFile('fast.mp4');
  const enc = new Encoder();
  const video = enc.addVideo({ width: 64, height: 48, frameRate: 10, options: { movflags: '+faststart' } });
  assert.throws(() => enc.openMemory({ format: 'mp4' }), { code: 'POLYENC_ERR_UNSUPPORTED', message: /faststart .*only a file output opened by path/ });
  if (BACKEND === 'wasm') {
    assert.throws(() => enc.openFile(file), { code: 'POLYENC_ERR_UNSUPPORTED', message: /faststart/ });
    assert.equal(fs.existsSync(file), false, 'no file left behind');
    return;
  }
  enc.openFile(file);
  await video.addFrames(rgbPattern(64, 48, 10), { layout: 'rgb24' });
  await enc.close();
  const bytes = fs.readFileSync(file);
  assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'), 'moov before mdat');
  assert.equal(Number(probe(file).streams[0].nb_read_frames), 10);
});
