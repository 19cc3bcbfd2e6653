'use strict';
// Bad input never crashes: wrong JS types give a TypeError with a clear message, bad values and calls out
// of order give an Error whose code is the C status name and whose message is the C library's.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { polyenc, tmpFile, rgbPattern, probe } = require('./helpers');

const { Encoder } = polyenc;

function opened(format = 'mp4', w = 64, h = 48) {
  const enc = new Encoder();
  const video = enc.addVideo({ width: w, height: h, frameRate: 30 });
  const audio = enc.addAudio({ sampleRate: 48000, numChannels: 2 });
  enc.openMemory({ format });
  return { enc, video, audio };
}

function typeError(pattern) {
  return (err) => {
    assert.ok(err instanceof TypeError, `expected a TypeError, got ${err && err.constructor.name}: ${err && err.message}`);
    assert.match(err.message, pattern);
    return true;
  };
}

function polyencError(code, pattern) {
  return (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.code, code, `code of "${err.message}"`);
    if (pattern) assert.match(err.message, pattern);
    assert.ok(err.message.length > 10, 'the message says what went wrong');
    return true;
  };
}

test('addVideo / addAudio: wrong types are TypeErrors', () => {
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ height: 48, frameRate: 30 }), typeError(/width is required/));
  assert.throws(() => enc.addVideo({ width: '64', height: 48, frameRate: 30 }), typeError(/width must be a number, got string/));
  assert.throws(() => enc.addVideo({ width: 64.5, height: 48, frameRate: 30 }), typeError(/width must be an integer, got 64.5/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48 }), typeError(/frameRate is required/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 264 }), typeError(/codec must be a string, got number/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, options: 'tune=film' }), typeError(/options must be an object/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, options: { tune: {} } }), typeError(/options.tune must be a string, number or boolean/));
  assert.throws(() => enc.addVideo(), typeError(/expects an options object, got undefined/));
  assert.throws(() => enc.addVideo(42), typeError(/expects an options object, got number/));
  assert.throws(() => enc.addAudio({ sampleRate: 48000 }), typeError(/numChannels is required/));
  assert.throws(() => enc.addAudio({ sampleRate: '48k', numChannels: 2 }), typeError(/sampleRate must be a number, got string/));
  assert.throws(() => enc.addVideo({ width: 2 ** 40, height: 48, frameRate: 30 }), RangeError);
});

test('addVideo / addAudio: bad values carry the C status and message', () => {
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ width: 0, height: 48, frameRate: 30 }), polyencError('POLYENC_ERR_ARGUMENT', /width/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: -1 }), polyencError('POLYENC_ERR_ARGUMENT', /frame_?rate/i));
  assert.throws(() => enc.addAudio({ sampleRate: 48000, numChannels: 10 }), polyencError('POLYENC_ERR_ARGUMENT', /10/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 'no-such-codec' }), polyencError('POLYENC_ERR_UNSUPPORTED', /no-such-codec/));
  // the rejected streams left the encoder usable
  const v = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  assert.equal(v.index, 0);
});

test('open: errors of codec options show up at addVideo or at open, with the C message', () => {
  // Checked where the C library can check them: at addVideo, or at open when they need the container.
  const addAndOpen = (cfg) => () => {
    const enc = new Encoder();
    enc.addVideo({ width: 64, height: 48, frameRate: 30, ...cfg });
    enc.openMemory({ format: 'mp4' });
  };
  assert.throws(addAndOpen({ crf: -10 }), polyencError('POLYENC_ERR_ARGUMENT', /crf/));
  assert.throws(addAndOpen({ pixelFormat: 'nope' }), (err) => /POLYENC_ERR_(ARGUMENT|UNSUPPORTED)/.test(err.code) && /nope/.test(err.message));
  assert.throws(addAndOpen({ preset: 'warp-speed' }), (err) => err.code.startsWith('POLYENC_ERR_') && /warp-speed/.test(err.message));
  assert.throws(addAndOpen({ options: { 'no-such-option': 1 } }), (err) => err.code.startsWith('POLYENC_ERR_') && /no-such-option/.test(err.message));

  const enc3 = new Encoder();
  enc3.addVideo({ width: 64, height: 48, frameRate: 30 });
  assert.throws(() => enc3.openMemory({ format: 'no-such-format' }), (err) => err.code.startsWith('POLYENC_ERR_') && /no-such-format/.test(err.message));
  assert.throws(() => enc3.openMemory({}), typeError(/format is required/));
  assert.throws(() => enc3.openMemory({ format: 7 }), typeError(/format must be a string/));
  assert.throws(() => enc3.openFile(42), typeError(/path must be a string/));
  assert.throws(
    () => enc3.openFile(path.join(tmpFile('x'), 'no', 'such', 'dir', 'out.mp4')),
    polyencError('POLYENC_ERR_IO'),
  );
});

test('open twice, addVideo after open, feed before open: POLYENC_ERR_STATE', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  await assert.rejects(video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }), polyencError('POLYENC_ERR_STATE'));
  enc.openMemory({ format: 'mp4' });
  assert.throws(() => enc.openMemory({ format: 'mp4' }), polyencError('POLYENC_ERR_STATE'));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30 }), polyencError('POLYENC_ERR_STATE'));
  assert.throws(() => enc.addAudio({ sampleRate: 8000, numChannels: 1 }), polyencError('POLYENC_ERR_STATE'));
  await video.addFrames(rgbPattern(64, 48, 2), { layout: 'rgb24' });
  const buf = await enc.close();
  assert.equal(Number(probe(buf).streams[0].nb_read_frames), 2);
  await assert.rejects(video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }), polyencError('POLYENC_ERR_STATE'));
  assert.strictEqual(await enc.close(), buf);
});

test('addFrames: wrong data types are TypeErrors', async () => {
  const { enc, video } = opened();
  await assert.rejects(video.addFrames('not frames'), typeError(/data must be a Buffer, Uint8Array or Uint8ClampedArray, got string/));
  await assert.rejects(video.addFrames(new Int16Array(64 * 48 * 3)), typeError(/got Int16Array/));
  await assert.rejects(video.addFrames(new Float32Array(64 * 48 * 3)), typeError(/got Float32Array/));
  await assert.rejects(video.addFrames(new ArrayBuffer(64 * 48 * 3)), typeError(/got ArrayBuffer/));
  await assert.rejects(video.addFrames([1, 2, 3]), typeError(/got Array/));
  await assert.rejects(video.addFrames(), typeError(/got undefined/));
  await assert.rejects(video.addFrames(null), typeError(/got null/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgb' }), typeError(/layout must be 'rgb-planar', 'rgb24', 'rgba', 'bgra' or 'yuv420p', got 'rgb'/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 3 }), typeError(/layout must be a string/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), 'rgb24'), typeError(/options must be an object/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: '1' }), typeError(/numFrames must be a number/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: 0.5 }), typeError(/numFrames must be an integer/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: -1 }), RangeError);
  await enc.close();
});

test('addFrames: sizes that do not fit are POLYENC_ERR_ARGUMENT, and the encoder stays usable', async () => {
  const { enc, video } = opened();
  await assert.rejects(
    video.addFrames(new Uint8Array(64 * 48 * 3 + 1), { layout: 'rgb24' }),
    polyencError('POLYENC_ERR_ARGUMENT', /9217 bytes is not a whole number of 64x48 rgb24 frames \(9216 bytes each\)/),
  );
  await assert.rejects(
    video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgba' }),
    polyencError('POLYENC_ERR_ARGUMENT', /rgba/),
  );
  await assert.rejects(
    video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgb24', numFrames: 2 }),
    polyencError('POLYENC_ERR_ARGUMENT', /numFrames=2 needs 18432 bytes/),
  );
  await video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgb24' });
  const buf = await enc.close();
  assert.equal(Number(probe(buf).streams[0].nb_read_frames), 1);
});

test('addSamples: wrong types are TypeErrors, bad values carry the C message', async () => {
  const { enc, audio } = opened();
  await assert.rejects(audio.addSamples(new Float64Array(100)), typeError(/data must be a Float32Array or an array of Float32Array \(one per channel\), got Float64Array/));
  await assert.rejects(audio.addSamples([0.1, 0.2]), typeError(/data\[0\] must be a Float32Array, got number/));
  await assert.rejects(audio.addSamples('samples'), typeError(/got string/));
  await assert.rejects(audio.addSamples(new Float32Array(2), { layout: 'stereo' }), typeError(/layout must be 'planar' or 'interleaved', got 'stereo'/));
  await assert.rejects(audio.addSamples([new Float32Array(2), new Float32Array(2)], { layout: 'interleaved' }), typeError(/interleaved/));
  await assert.rejects(audio.addSamples(new Float32Array(3)), polyencError('POLYENC_ERR_ARGUMENT', /3 values are not a whole number of samples for 2 channels/));
  await assert.rejects(audio.addSamples([new Float32Array(4)]), polyencError('POLYENC_ERR_ARGUMENT', /2.*1|1.*2/));
  await assert.rejects(audio.addSamples([new Float32Array(4), new Float32Array(3)]), polyencError('POLYENC_ERR_ARGUMENT', /same length/));
  const bad = new Float32Array(20);
  bad[7] = NaN;
  await assert.rejects(audio.addSamples(bad, { layout: 'interleaved' }), polyencError('POLYENC_ERR_ARGUMENT', /NaN|finite|infin/i));
  await audio.addSamples(new Float32Array(2000)); // still usable
  await enc.close();
});

test('openStream: not a Writable is a TypeError; a Writable that fails gives POLYENC_ERR_IO with the cause', async () => {
  const enc = new Encoder();
  enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  assert.throws(() => enc.openStream({}, { format: 'mp4' }), typeError(/expected a Node Writable/));
  assert.throws(() => enc.openStream(null, { format: 'mp4' }), typeError(/got null/));
  const { Writable } = require('node:stream');
  assert.throws(() => enc.openStream(new Writable({ write: (c, e, cb) => cb() })), typeError(/format is required/));

  const failing = new Writable({
    highWaterMark: 1024,
    write(chunk, encoding, cb) {
      setImmediate(() => cb(new Error('disk full')));
    },
  });
  const enc2 = new Encoder();
  const video = enc2.addVideo({ width: 64, height: 48, frameRate: 30, gopSize: 1 });
  enc2.openStream(failing, { format: 'mp4' });
  let err;
  try {
    for (let i = 0; i < 50; i++) await video.addFrames(rgbPattern(64, 48, 2, i), { layout: 'rgb24' });
    await enc2.close();
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the failure is reported');
  assert.equal(err.code, 'POLYENC_ERR_IO');
  assert.match(String(err.cause && err.cause.message), /disk full/);
  await assert.rejects(enc2.close(), (e) => e.code === 'POLYENC_ERR_IO');
});

test('native methods on the wrong object and the constructor without new do not crash', () => {
  const enc = new Encoder();
  const native = Object.getOwnPropertySymbols(enc).map((s) => enc[s])[0];
  const NativeEncoder = native.constructor;
  assert.throws(() => NativeEncoder(), TypeError);
  assert.throws(() => NativeEncoder.prototype.addVideo.call({}, { width: 1 }), TypeError);
  assert.throws(() => native.addFrames(99, new Uint8Array(3)), typeError(/no video stream with index 99/));
  assert.throws(() => native.addSamples(0, new Float32Array(3)), TypeError);
  assert.throws(() => native.openStream('nope', 'mp4'), typeError(/sink must be a function/));
});
