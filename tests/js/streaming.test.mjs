// Streaming to a Writable that accepts data slowly: the encoder waits for 'drain', so the Writable never
// buffers more than its highWaterMark plus one chunk and the peak RSS does not grow with the number of
// frames (300 1080p frames against 30, each run in a fresh process on this run's backend).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { polyenc, BACKEND, tmpFile, rgbPattern, probe, decodeAudio } from './helpers.mjs';

const { Encoder } = polyenc;
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stream-child.mjs');

function runChild(frames, outFile) {
  const r = spawnSync(process.execPath, [child, String(frames), '5', ...(outFile ? [outFile] : [])], {
    env: { ...process.env, POLYENC_BACKEND: BACKEND, GOP: '30' }, // one fragment per second, as a live stream would
    encoding: 'utf8',
    timeout: 240000,
  });
  assert.equal(r.status, 0, `child failed (${r.signal || r.status}): ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(result.backend, BACKEND);
  return result;
}

test('a slow Writable slows the encoder down; memory stays bounded (300 vs 30 frames of 1080p)', { timeout: 300000 }, (t) => {
  const out = tmpFile('stream30.mp4');
  const small = runChild(30, out);
  const large = runChild(300);
  for (const [n, r] of [[30, small], [300, large]]) {
    t.diagnostic(`${BACKEND}, ${n} frames: peak RSS ${r.maxRssMiB.toFixed(1)} MiB, ${(r.bytes / 1e6).toFixed(1)} MB written, ` +
      `max buffered ${r.maxBufferedBytes} B, ${r.drains} drains, ${r.seconds.toFixed(2)} s`);
  }
  fs.writeFileSync(path.join(path.dirname(out), 'figures.json'), JSON.stringify({ small, large }, null, 2));

  // Backpressure happened, and the Writable never held more than highWaterMark (64 KiB) + one chunk.
  assert.ok(large.drains > 0, 'write() returned false and the encoder waited for drain');
  assert.ok(large.maxBufferedBytes <= 128 * 1024, `the Writable buffered ${large.maxBufferedBytes} bytes`);
  // Ten times the frames and the output, not ten times the memory. What growth there is comes from the
  // copies of the chunks handed to the Writable, which V8 frees lazily (its external-memory GC trigger is
  // 64 MiB).
  assert.ok(large.bytes > 5 * small.bytes);
  const growth = large.maxRssMiB - small.maxRssMiB;
  assert.ok(growth < 64, `peak RSS grew by ${growth.toFixed(1)} MiB for ${(large.bytes / 1048576).toFixed(1)} MiB of output`);

  // What went through the Writable is a playable fragmented MP4.
  const info = probe(out);
  assert.equal(Number(info.streams[0].nb_read_frames), 30);
  assert.equal(info.streams[0].width, 1920);
  assert.ok(fs.readFileSync(out).includes(Buffer.from('moof')));
});

test('a file stream (fs.createWriteStream) and a WHATWG WritableStream work as outputs', async () => {
  const frames = rgbPattern(96, 64, 10);

  const file = tmpFile('fs-stream.mov');
  const enc = new Encoder();
  const video = enc.addVideo({ width: 96, height: 64, frameRate: 10 });
  const ws = fs.createWriteStream(file);
  enc.openStream(ws, { format: 'mov' });
  await video.addFrames(frames, { layout: 'rgb24' });
  assert.equal(await enc.close(), undefined); // resolves after the file stream finished
  assert.ok(ws.writableFinished, 'the file stream was ended');
  assert.equal(Number(probe(file).streams[0].nb_read_frames), 10);

  const parts = [];
  const web = new WritableStream({ write(chunk) { parts.push(Buffer.from(chunk)); } });
  const enc2 = new Encoder();
  const v2 = enc2.addVideo({ width: 96, height: 64, frameRate: 10 });
  enc2.openStream(web, { format: 'webm' });
  await v2.addFrames(frames, { layout: 'rgb24' });
  await enc2.close();
  const info = probe(Buffer.concat(parts));
  assert.equal(info.streams[0].codec_name, 'vp9');
  assert.equal(Number(info.streams[0].nb_read_frames), 10);
});

test('openStream with { end: false } leaves the Writable open', async () => {
  const pass = new PassThrough();
  const chunks = [];
  pass.on('data', (c) => chunks.push(c));
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: 8000, numChannels: 1 });
  enc.openStream(pass, { format: 'wav', end: false });
  await audio.addSamples(new Float32Array(8000).fill(0.5));
  await enc.close();
  assert.equal(pass.writableEnded, false);
  pass.end();
  await new Promise((resolve) => pass.on('end', resolve));
  const wav = Buffer.concat(chunks);
  assert.equal(probe(wav).streams[0].codec_name, 'pcm_s16le');
  const pcm = decodeAudio(wav);
  assert.equal(pcm.length, 8000);
  assert.ok(Math.abs(pcm[4000] - 0.5) < 1e-3);
});

test('openStream(WritableStream, { end: false }): the stream stays open and writable by its owner', async () => {
  const parts = [];
  const web = new WritableStream({ write(chunk) { parts.push(Buffer.from(chunk)); } });
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: 8000, numChannels: 1 });
  enc.openStream(web, { format: 'wav', end: false });
  await audio.addSamples(new Float32Array(8000).fill(0.5));
  await enc.close();
  // the encoder's writer is released: the owner writes on and closes the stream
  assert.equal(web.locked, false, 'the WritableStream is still locked by the encoder\'s writer');
  const writer = web.getWriter();
  await writer.write(new Uint8Array([1, 2, 3]));
  await writer.close();
  const all = Buffer.concat(parts);
  assert.deepEqual([...all.subarray(-3)], [1, 2, 3]);
  assert.equal(decodeAudio(all.subarray(0, -3)).length, 8000);
});

test('openStream that fails (a bad format) leaves the WritableStream and the Writable to their owner', () => {
  const web = new WritableStream();
  const pass = new PassThrough();
  for (const w of [web, pass]) {
    const enc = new Encoder();
    enc.addVideo({ width: 16, height: 16, frameRate: 10 });
    assert.throws(() => enc.openStream(w, { format: 'no-such-format' }), (e) => e.code === 'POLYENC_ERR_UNSUPPORTED');
  }
  assert.equal(web.locked, false);
  assert.equal(pass.listenerCount('error'), 0, 'no listener of the failed open is left on the Writable');
});
