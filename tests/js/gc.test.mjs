// Garbage collection: the caller's arrays stay valid until the encoder has consumed them (the native
// backend references them without a copy until its thread is done; the wasm backend copies them when
// their turn comes), and an encoder dropped without close() releases its memory (native: the addon's
// finalizer, RSS; wasm: the FinalizationRegistry frees the C encoder, the wasm heap in use).
// Run with --expose-gc.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { polyenc, BACKEND, entry, rgbPattern, decodeVideo, decodeAudio, probe, meanAbsDiff, tmpFile } from './helpers.mjs';

const { Encoder } = polyenc;
const gc = globalThis.gc;
const skip = !gc && 'needs node --expose-gc';

async function collect(rounds = 5) {
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalizers run from the loop
  }
}

test('arrays the caller dropped stay valid until the encoder has used them', { skip }, async () => {
  const w = 320, h = 240, n = 24;
  const enc = new Encoder();
  const video = enc.addVideo({ width: w, height: h, frameRate: 30 });
  enc.openMemory({ format: 'mp4' });
  const promises = [];
  for (let i = 0; i < n; i++) {
    // No reference kept: only the encoder holds the array.
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
  const pcm = decodeAudio(await enc.close());
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
  await p; // resolves: the encoder lived as long as it had work
  await collect(3);
});

// What dropped encoders may still hold: the process's RSS (native), the wasm heap in use (wasm).
const held = () => (BACKEND === 'wasm' ? polyenc.backendInfo().heapInUse : process.memoryUsage().rss);

test('encoders dropped without close() are finalized and release their memory', { skip, timeout: 300000 }, async (t) => {
  let finalized = 0;
  const registry = new FinalizationRegistry(() => finalized++);
  const frames = rgbPattern(640, 480, 3);
  async function oneDropped(i) {
    const enc = new Encoder();
    const video = enc.addVideo({ width: 640, height: 480, frameRate: 30, preset: 'veryfast' });
    enc.addAudio({ sampleRate: 48000, numChannels: 2 });
    const kind = i % 3;
    if (kind === 0) enc.openMemory({ format: 'mp4' });
    else if (kind === 1) enc.openFile(tmpFile('dropped.mkv'));
    else enc.openStream(new PassThrough().resume(), { format: 'mp4' });
    await video.addFrames(frames, { layout: 'rgb24' });
    registry.register(enc, i);
    // also some that never opened
    new Encoder().addVideo({ width: 64, height: 64, frameRate: 1 });
  }
  const settle = async () => {
    // the native workers of dropped encoders free them off the JS thread: give them a moment
    await collect(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await collect(5);
  };
  const total = BACKEND === 'wasm' ? 18 : 36;
  for (let i = 0; i < 6; i++) await oneDropped(i);
  await settle();
  const base = held();
  for (let i = 6; i < total; i++) await oneDropped(i);
  await settle();
  const growth = (held() - base) / 1048576;
  t.diagnostic(`${finalized} of ${total} finalized; ${BACKEND === 'wasm' ? 'wasm heap in use' : 'RSS'} grew by ${growth.toFixed(1)} MiB`);
  assert.ok(finalized > total - 16, `only ${finalized} of ${total} encoders were collected`);
  // 640x480 x264 + aac encoders that leaked would hold several MiB each.
  assert.ok(growth < (BACKEND === 'wasm' ? 8 : 100), `${BACKEND === 'wasm' ? 'wasm heap in use' : 'RSS'} grew by ${growth.toFixed(1)} MiB over ${total - 6} dropped encoders`);
});

test('close() twice is fine; close() before open is POLYENC_ERR_STATE', async () => {
  const enc = new Encoder();
  enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  await assert.rejects(enc.close(), (err) => err.code === 'POLYENC_ERR_STATE' && /^Cannot close before open\(\) was called\.$/.test(err.message));
  const enc2 = new Encoder();
  const v2 = enc2.addVideo({ width: 64, height: 48, frameRate: 30 });
  const file = tmpFile('twice.mp4');
  enc2.openFile(file);
  await v2.addFrames(rgbPattern(64, 48, 2), { layout: 'rgb24' });
  const first = enc2.close();
  assert.strictEqual(enc2.close(), first, 'a second call returns the same promise');
  const [a, b] = await Promise.all([first, enc2.close()]);
  assert.equal(a, undefined);
  assert.equal(b, undefined);
  assert.equal(await enc2.close(), undefined);
  assert.equal(Number(probe(file).streams[0].nb_read_frames), 2);
});

const importEntry = `const { default: polyenc } = await import(${JSON.stringify(pathToFileURL(entry).href)});`;

function runScript(code, timeout = 60000) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, POLYENC_BACKEND: BACKEND },
  });
}

test('a process exits cleanly with an encoder left open, or mid-encode', () => {
  // Left open and idle: the process must not hang (nothing keeps the loop alive).
  let r = runScript(`${importEntry}
    const enc = new polyenc.Encoder();
    const v = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
    enc.openMemory({ format: 'mp4' });
    v.addFrames(new Uint8Array(64 * 48 * 3 * 2), { layout: 'rgb24' }).then(() => console.log('fed', enc.backend));
  `);
  assert.equal(r.signal, null, `killed by ${r.signal} (a hang?): ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `fed ${BACKEND}`);
  // process.exit() while the encoder waits for a slow Writable.
  r = runScript(`${importEntry}
    const { Writable } = await import('node:stream');
    const never = new Writable({ highWaterMark: 1, write(chunk, enc, cb) { /* never calls back */ } });
    const enc = new polyenc.Encoder();
    const v = enc.addVideo({ width: 640, height: 480, frameRate: 30, gopSize: 1 });
    enc.openStream(never, { format: 'mp4' });
    for (let i = 0; i < 10; i++) v.addFrames(new Uint8Array(640 * 480 * 3 * 4).fill(i * 20), { layout: 'rgb24' }).catch(() => {});
    setTimeout(() => { console.log('exiting'); process.exit(0); }, 500);
  `);
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exiting/);
});

test('a worker_threads Worker terminated mid-encode does not crash the process', () => {
  const r = runScript(`
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(\`
      ${importEntry.replace(/`/g, '\\`')}
      const { parentPort } = await import('node:worker_threads');
      const enc = new polyenc.Encoder();
      const v = enc.addVideo({ width: 1280, height: 720, frameRate: 30 });
      enc.openMemory({ format: 'mp4' });
      parentPort.postMessage('started ' + enc.backend);
      for (let i = 0; i < 20; i++) v.addFrames(new Uint8Array(1280 * 720 * 3 * 2).fill(i * 10), { layout: 'rgb24' }).catch(() => {});
    \`, { eval: true, type: 'module', env: process.env });
    w.on('message', (m) => { console.log(m); setTimeout(() => w.terminate().then(() => console.log('terminated')), 200); });
    w.on('error', (e) => { console.error('worker error', e); process.exitCode = 3; });
  `);
  assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`started ${BACKEND}\\n[^]*terminated`));
});
