// Regression tests of failures the fuzz tests (fuzz.test.mjs) found: how openStream reports a Writable that
// fails or is not a Node stream, the codes of the JS front door's own TypeErrors, and muxers that would
// write files of their own. The same on every backend.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { polyenc, BACKEND, entry, rgbPattern, probe } from './helpers.mjs';

const { Encoder } = polyenc;

function encoderTo(writable) {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 32, height: 32, frameRate: 10, gopSize: 5 });
  enc.openStream(writable, { format: 'mp4' });
  return { enc, video };
}

test('openStream: a WritableLike that is not a Node stream: close() ends it and resolves', { timeout: 20000 }, async () => {
  const chunks = [];
  let ended = false;
  const like = {
    write(chunk) { chunks.push(Buffer.from(chunk)); return true; },
    on() { return this; },
    off() { return this; },
    end(cb) { ended = true; if (cb) cb(); return this; },
  };
  const { enc, video } = encoderTo(like);
  await video.addFrames(rgbPattern(32, 32, 10), { layout: 'rgb24' });
  assert.equal(await enc.close(), undefined); // used to wait for a 'finish' event that never came
  assert.ok(ended);
  assert.equal(Number(probe(Buffer.concat(chunks)).streams[0].nb_read_frames), 10);
});

test('openStream: write() that throws is POLYENC_ERR_IO with that cause, and no uncaught exception', async () => {
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    let n = 0;
    const w = new Writable({ write(chunk, enc, cb) { cb(); } });
    w.write = function write(...args) {
      if (n++ === 2) throw new Error('write threw');
      return Writable.prototype.write.apply(this, args);
    };
    const { enc, video } = encoderTo(w);
    await video.addFrames(rgbPattern(32, 32, 30), { layout: 'rgb24' }).catch(() => {});
    await assert.rejects(enc.close(), (e) => e.code === 'POLYENC_ERR_IO' && /write threw/.test(e.cause && e.cause.message));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the destroyed Writable's 'error' event
    assert.deepEqual(uncaught.map(String), []);
    assert.ok(w.destroyed);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('openStream: a Writable that fails after taking the last chunk: close() rejects with POLYENC_ERR_IO', async () => {
  let fail = false;
  const w = new Writable({ write(chunk, enc, cb) { setImmediate(() => cb(fail ? new Error('late failure') : undefined)); } });
  const { enc, video } = encoderTo(w);
  await video.addFrames(rgbPattern(32, 32, 10), { layout: 'rgb24' });
  fail = true; // the trailer's writes fail after write() took them
  await assert.rejects(enc.close(), (e) => e.code === 'POLYENC_ERR_IO' && /late failure/.test(e.cause && e.cause.message));
});

test('the front door\'s own TypeErrors carry code ERR_INVALID_ARG_TYPE', () => {
  const enc = new Encoder();
  enc.addVideo({ width: 16, height: 16, frameRate: 10 });
  const coded = (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE';
  assert.throws(() => enc.openMemory(5), coded);
  assert.throws(() => enc.openMemory({}), coded);
  assert.throws(() => enc.openStream(null, { format: 'mp4' }), coded);
  assert.throws(() => enc.openStream(new Writable(), {}), coded);
  assert.throws(() => enc.openFile('x.mp4', 'mp4'), coded);
});

test('muxers that write files or sockets of their own (hls, dash, tee, image2, sap) are POLYENC_ERR_UNSUPPORTED', () => {
  // in a child whose working directory is empty: nothing may appear there
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'polyenc-cwd-'));
  const script = `
    const { default: polyenc } = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const out = [];
    for (const format of ['hls', 'dash', 'tee', 'image2', 'sap', 'segment']) {
      const enc = new polyenc.Encoder();
      enc.addVideo({ width: 16, height: 16, frameRate: 10 });
      try { enc.openMemory({ format }); out.push(format + ' opened'); } catch (e) { out.push(format + ' ' + e.code); }
      const file = new polyenc.Encoder();
      file.addVideo({ width: 16, height: 16, frameRate: 10 });
      try { file.openFile('out.' + format, { format }); out.push(format + ' file opened'); } catch (e) { out.push(format + ' file ' + e.code); }
    }
    console.log(out.join('\\n'));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd, encoding: 'utf8', timeout: 30000, env: { ...process.env, POLYENC_BACKEND: BACKEND },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 12, r.stdout);
  for (const line of lines) assert.match(line, /POLYENC_ERR_UNSUPPORTED$/);
  assert.deepEqual(fs.readdirSync(cwd), []);
});

// Found by the fuzz test on the new front door: a Uint8Array whose buffer was transferred away made
// addFrames reject with V8's own TypeError, without a code ("Cannot perform Construct on a detached
// ArrayBuffer"). A detached view holds no bytes: zero frames, as an empty array (and as for samples).
test('a detached typed array is empty: addFrames and addSamples take it as no data', async () => {
  const detached = (view) => {
    structuredClone(view.buffer, { transfer: [view.buffer] });
    assert.equal(view.byteLength, 0);
    return view;
  };
  const enc = new Encoder();
  const video = enc.addVideo({ width: 16, height: 16, frameRate: 10 });
  const audio = enc.addAudio({ sampleRate: 8000, numChannels: 1 });
  enc.openMemory({ format: 'mkv' });
  await video.addFrames(detached(new Uint8Array(16 * 16 * 3)), { layout: 'rgb24' });
  await video.addFrames(detached(new Uint8ClampedArray(16 * 16 * 4)), { layout: 'rgba' });
  await audio.addSamples(detached(new Float32Array(800)));
  await audio.addSamples([detached(new Float32Array(800))]);
  await video.addFrames(rgbPattern(16, 16, 3), { layout: 'rgb24' });
  await audio.addSamples(new Float32Array(800).fill(0.25));
  const info = probe(await enc.close());
  assert.equal(Number(info.streams[0].nb_read_frames), 3);
});
