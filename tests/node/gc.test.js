'use strict';
// Garbage collection: the addon keeps the caller's arrays alive until the worker has consumed them (no
// copy, no use-after-free), and an encoder dropped without close() releases its native memory.
// Run with --expose-gc (run-tests.sh does).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { Encoder } = require('../../node');
const { rgbPattern, decodeVideo, probe, meanAbsDiff, tmpFile } = require('./helpers');

const gc = global.gc;
const skip = !gc && 'needs node --expose-gc';

async function collect(rounds = 5) {
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalizers run from the loop
  }
}

test('arrays the caller dropped stay valid until the worker has used them', { skip }, async () => {
  const w = 320, h = 240, n = 24;
  const enc = new Encoder();
  const video = enc.addVideo({ width: w, height: h, frameRate: 30 });
  enc.openMemory({ format: 'mp4' });
  const promises = [];
  for (let i = 0; i < n; i++) {
    // No reference kept: only the addon holds the array.
    promises.push(video.addFrames(rgbPattern(w, h, 1, i), { layout: 'rgb24' }));
  }
  const garbage = [];
  for (let round = 0; round < 10; round++) {
    gc();
    // Reuse of freed memory would show up as white frames.
    for (let i = 0; i < 20; i++) garbage.push(new Uint8Array(w * h * 3).fill(255));
    garbage.length = 0;
  }
  await Promise.all(promises);
  const buf = await enc.close();
  const decoded = decodeVideo(buf);
  assert.equal(decoded.length, w * h * 3 * n);
  const mad = meanAbsDiff(decoded, rgbPattern(w, h, n));
  assert.ok(mad < 4, `decoded frames differ from what was fed: mean abs diff ${mad}`);
});

test('per-channel sample arrays dropped by the caller stay valid too', { skip }, async () => {
  const enc = new Encoder();
  const audio = enc.addAudio({ sampleRate: 8000, numChannels: 2 });
  enc.openMemory({ format: 'wav' });
  const promises = [];
  for (let i = 0; i < 10; i++) {
    promises.push(audio.addSamples([new Float32Array(800).fill(0.25), new Float32Array(800).fill(-0.25)]));
  }
  gc();
  for (let i = 0; i < 50; i++) new Float32Array(800).fill(1);
  gc();
  await Promise.all(promises);
  const buf = await enc.close();
  const pcm = require('./helpers').decodeAudio(buf);
  assert.equal(pcm.length, 16000);
  for (let i = 0; i < pcm.length; i += 2) {
    assert.ok(Math.abs(pcm[i] - 0.25) < 1e-3 && Math.abs(pcm[i + 1] + 0.25) < 1e-3, `sample ${i / 2}`);
  }
});

test('an encoder dropped while its promises are pending still settles them', { skip }, async () => {
  let p;
  (() => {
    const enc = new Encoder();
    const video = enc.addVideo({ width: 640, height: 480, frameRate: 30 });
    enc.openMemory({ format: 'mp4' });
    p = video.addFrames(rgbPattern(640, 480, 8), { layout: 'rgb24' });
  })();
  await collect(3);
  await p; // resolves: the native encoder lived as long as it had work
  await collect(3);
});

test('encoders dropped without close() are finalized and release their memory', { skip }, async () => {
  const registry = new FinalizationRegistry(() => finalized++);
  let finalized = 0;
  const frames = rgbPattern(640, 480, 3);
  async function oneDropped(i) {
    const enc = new Encoder();
    const video = enc.addVideo({ width: 640, height: 480, frameRate: 30 });
    enc.addAudio({ sampleRate: 48000, numChannels: 2 });
    const kind = i % 3;
    if (kind === 0) enc.openMemory({ format: 'mp4' });
    else if (kind === 1) enc.openFile(tmpFile('dropped.mkv'));
    else enc.openStream(new (require('node:stream').PassThrough)().resume(), { format: 'mp4' });
    await video.addFrames(frames, { layout: 'rgb24' });
    registry.register(enc, i);
    // also some that never opened
    new Encoder().addVideo({ width: 64, height: 64, frameRate: 1 });
  }
  const settle = async () => {
    // the workers of dropped encoders free them off the JS thread: give them a moment
    await collect(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await collect(5);
  };
  for (let i = 0; i < 6; i++) await oneDropped(i);
  await settle();
  const rssBase = process.memoryUsage().rss;
  for (let i = 6; i < 36; i++) await oneDropped(i);
  await settle();
  const growth = (process.memoryUsage().rss - rssBase) / 1048576;
  assert.ok(finalized > 20, `only ${finalized} of 36 encoders were collected`);
  // 30 open 640x480 x264 + aac encoders that leaked would hold several hundred MiB.
  assert.ok(growth < 100, `RSS grew by ${growth.toFixed(0)} MiB over 30 dropped encoders`);
});

test('close() twice is fine; close() before open is POLYENC_ERR_STATE', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  await assert.rejects(enc.close(), (err) => err.code === 'POLYENC_ERR_STATE');
  const enc2 = new Encoder();
  const v2 = enc2.addVideo({ width: 64, height: 48, frameRate: 30 });
  enc2.openFile(tmpFile('twice.mp4'));
  await v2.addFrames(rgbPattern(64, 48, 2), { layout: 'rgb24' });
  const [a, b] = await Promise.all([enc2.close(), enc2.close()]);
  assert.equal(a, undefined);
  assert.equal(b, undefined);
  assert.equal(await enc2.close(), undefined);
  assert.ok(video);
});

function runScript(code, timeout = 60000) {
  return spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, POLYENC_TEST_MODULE: path.join(__dirname, '..', '..', 'node') },
  });
}

test('a process exits cleanly with an encoder left open, or mid-encode', () => {
  // Left open and idle: the process must not hang (nothing keeps the loop alive).
  let r = runScript(`
    const { Encoder } = require(process.env.POLYENC_TEST_MODULE);
    const enc = new Encoder();
    const v = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
    enc.openMemory({ format: 'mp4' });
    v.addFrames(new Uint8Array(64 * 48 * 3 * 2), { layout: 'rgb24' }).then(() => console.log('fed'));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /fed/);
  // process.exit() while the worker waits for a slow Writable.
  r = runScript(`
    const { Encoder } = require(process.env.POLYENC_TEST_MODULE);
    const { Writable } = require('node:stream');
    const never = new Writable({ highWaterMark: 1, write(chunk, enc, cb) { /* never calls back */ } });
    const enc = new Encoder();
    const v = enc.addVideo({ width: 640, height: 480, frameRate: 30, gopSize: 1 });
    enc.openStream(never, { format: 'mp4' });
    for (let i = 0; i < 10; i++) v.addFrames(new Uint8Array(640 * 480 * 3 * 4).fill(i * 20), { layout: 'rgb24' });
    setTimeout(() => process.exit(0), 500);
  `);
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
});

test('a worker_threads Worker terminated mid-encode does not crash the process', () => {
  const r = runScript(`
    const { Worker } = require('node:worker_threads');
    const w = new Worker(\`
      const { Encoder } = require(process.env.POLYENC_TEST_MODULE);
      const { parentPort } = require('node:worker_threads');
      const enc = new Encoder();
      const v = enc.addVideo({ width: 1280, height: 720, frameRate: 30 });
      enc.openMemory({ format: 'mp4' });
      for (let i = 0; i < 20; i++) v.addFrames(new Uint8Array(1280 * 720 * 3 * 2).fill(i * 10), { layout: 'rgb24' });
      parentPort.postMessage('started');
    \`, { eval: true, env: process.env });
    w.on('message', () => setTimeout(() => w.terminate().then(() => console.log('terminated')), 200));
  `);
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /terminated/);
});
