'use strict';
// Streaming to a Writable that accepts data slowly: the encoder waits for 'drain', so the Writable never
// buffers more than its highWaterMark plus one chunk and the peak RSS does not grow with the number of
// frames (300 1080p frames against 30, each run in a fresh process).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { tmpFile, probe } = require('./helpers');

const child = path.join(__dirname, 'fixtures', 'stream-child.js');

function runChild(frames, outFile) {
  const r = spawnSync(process.execPath, [child, String(frames), '5', ...(outFile ? [outFile] : [])], {
    env: { ...process.env, GOP: '30' }, // one fragment per second, as a live stream would
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

test('a slow Writable slows the encoder down; memory stays bounded (300 vs 30 frames of 1080p)', (t) => {
  const out = tmpFile('stream30.mp4');
  const small = runChild(30, out);
  const large = runChild(300);
  t.diagnostic(`30 frames:  peak RSS ${small.maxRssMiB.toFixed(1)} MiB, ${(small.bytes / 1e6).toFixed(1)} MB written, ` +
    `max buffered ${small.maxBufferedBytes} B, ${small.drains} drains, ${small.seconds.toFixed(2)} s`);
  t.diagnostic(`300 frames: peak RSS ${large.maxRssMiB.toFixed(1)} MiB, ${(large.bytes / 1e6).toFixed(1)} MB written, ` +
    `max buffered ${large.maxBufferedBytes} B, ${large.drains} drains, ${large.seconds.toFixed(2)} s`);
  fs.writeFileSync(path.join(path.dirname(out), 'figures.json'), JSON.stringify({ small, large }, null, 2));

  // Backpressure happened, and the Writable never held more than highWaterMark (64 KiB) + one chunk.
  assert.ok(large.drains > 0, 'write() returned false and the encoder waited for drain');
  assert.ok(large.maxBufferedBytes <= 128 * 1024, `the Writable buffered ${large.maxBufferedBytes} bytes`);
  // Ten times the frames and the output, not ten times the memory. What growth there is comes from the
  // copies of the chunks handed to the Writable, which V8 frees lazily (its external-memory GC trigger is
  // 64 MiB); with a gc() every 20 frames the two runs differ by ~5 MiB.
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
  const { Encoder } = require('../../node');
  const { rgbPattern } = require('./helpers');
  const frames = rgbPattern(96, 64, 10);

  const file = tmpFile('fs-stream.mov');
  const enc = new Encoder();
  const video = enc.addVideo({ width: 96, height: 64, frameRate: 10 });
  enc.openStream(fs.createWriteStream(file), { format: 'mov' });
  await video.addFrames(frames, { layout: 'rgb24' });
  await enc.close(); // resolves after the file stream finished
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
  const { Encoder } = require('../../node');
  const { PassThrough } = require('node:stream');
  const pass = new PassThrough();
  const chunks = [];
  pass.on('data', (c) => chunks.push(c));
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: 8000, numChannels: 1 });
  enc.openStream(pass, { format: 'wav', end: false });
  await audio.addSamples(new Float32Array(8000));
  await enc.close();
  assert.equal(pass.writableEnded, false);
  pass.end('trailer');
  assert.ok(Buffer.concat(chunks).length > 16000);
});
