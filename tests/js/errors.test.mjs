// Bad input never crashes, and gives the same error on every backend: wrong JS types are TypeErrors
// (code ERR_INVALID_ARG_TYPE) or RangeErrors (ERR_OUT_OF_RANGE) from the front door's one validation
// (js/src/validate.mjs); bad values and calls out of order are Errors whose code is the C status name,
// whose status is its number, and whose message is the C library's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';
import { polyenc, BACKEND, only, tmpFile, rgbPattern, tone, probe } from './helpers.mjs';

const { Encoder } = polyenc;
const STATUS = { POLYENC_ERR_ARGUMENT: -1, POLYENC_ERR_STATE: -2, POLYENC_ERR_UNSUPPORTED: -3, POLYENC_ERR_IO: -4 };

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
    assert.equal(err.code, 'ERR_INVALID_ARG_TYPE', err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

function rangeError(pattern) {
  return (err) => {
    assert.ok(err instanceof RangeError, `expected a RangeError, got ${err && err.constructor.name}: ${err && err.message}`);
    assert.equal(err.code, 'ERR_OUT_OF_RANGE', err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

function polyencError(code, pattern) {
  return (err) => {
    assert.ok(err instanceof Error, `expected an Error, got ${err}`);
    assert.equal(err.code, code, `code of "${err.message}"`);
    if (STATUS[code]) assert.equal(err.status, STATUS[code], `status of "${err.message}"`);
    if (pattern) assert.match(err.message, pattern);
    assert.ok(err.message.length > 10, 'the message says what went wrong');
    return true;
  };
}

test('addVideo / addAudio: wrong types are TypeErrors, out-of-range integers RangeErrors', () => {
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ height: 48, frameRate: 30 }), typeError(/^addVideo\.width is required \(an integer\)$/));
  assert.throws(() => enc.addVideo({ width: '64', height: 48, frameRate: 30 }), typeError(/^addVideo\.width must be a number, got string$/));
  assert.throws(() => enc.addVideo({ width: 64.5, height: 48, frameRate: 30 }), typeError(/^addVideo\.width must be an integer, got 64\.5$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48 }), typeError(/^addVideo\.frameRate is required \(a number\)$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: '30' }), typeError(/^addVideo\.frameRate must be a number, got string$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 264 }), typeError(/^addVideo\.codec must be a string, got number$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 'h26\0' }), typeError(/codec must not contain NUL/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, options: 'tune=film' }), typeError(/^addVideo\.options must be an object of key: value pairs, got string$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, options: { tune: {} } }), typeError(/^addVideo\.options\.tune must be a string, number or boolean, got object$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, options: [['g']] }), typeError(/^addVideo\.options\[0\] must be a \[key, value\] pair, got Array$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, encoder: 'gpu' }), typeError(/^addVideo\.encoder must be 'auto', 'webcodecs' or 'wasm', got 'gpu'$/));
  assert.throws(() => enc.addVideo(), typeError(/^addVideo\(\) expects an options object, got undefined$/));
  assert.throws(() => enc.addVideo(42), typeError(/^addVideo\(\) expects an options object, got number$/));
  assert.throws(() => enc.addAudio(null), typeError(/^addAudio\(\) expects an options object, got null$/));
  assert.throws(() => enc.addAudio({ sampleRate: 48000 }), typeError(/^addAudio\.numChannels is required \(an integer\)$/));
  assert.throws(() => enc.addAudio({ sampleRate: '48k', numChannels: 2 }), typeError(/^addAudio\.sampleRate must be a number, got string$/));
  assert.throws(() => enc.addVideo({ width: 2 ** 40, height: 48, frameRate: 30 }), rangeError(/^addVideo\.width must be in \[-2147483648, 2147483647\], got 1099511627776$/));
  assert.throws(() => enc.addAudio({ sampleRate: 48000, numChannels: 2, bitRate: 2 ** 60 }), rangeError(/addAudio\.bitRate must be in/));
  // none of these added a stream
  assert.equal(enc.addVideo({ width: 64, height: 48, frameRate: 30 }).index, 0);
});

test('addVideo / addAudio: bad values carry the C status and message', () => {
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ width: 0, height: 48, frameRate: 30 }), polyencError('POLYENC_ERR_ARGUMENT', /^width must be > 0, got 0$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: -1 }), polyencError('POLYENC_ERR_ARGUMENT', /frame_rate must be between .* got -1$/));
  assert.throws(() => enc.addAudio({ sampleRate: 48000, numChannels: 10 }), polyencError('POLYENC_ERR_ARGUMENT', /10 channels .* at most 8/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, codec: 'no-such-codec' }), polyencError('POLYENC_ERR_UNSUPPORTED', /Video codec 'no-such-codec' not found/));
  // cuda: the native build of this machine has no CUDA driver, the wasm build no CUDA at all
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, device: 'cuda' }), polyencError('POLYENC_ERR_UNSUPPORTED', /^device 'cuda' cannot be used: /));
  // the rejected streams left the encoder usable
  const v = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  assert.equal(v.index, 0);
  assert.equal(enc.addAudio({ sampleRate: 48000, numChannels: 2 }).index, 1);
});

test('open: errors of codec options show up at addVideo or at open, with the C message', () => {
  // Checked where the C library can check them: at addVideo, or at open when they need the container.
  const addAndOpen = (cfg) => () => {
    const enc = new Encoder();
    enc.addVideo({ width: 64, height: 48, frameRate: 30, ...cfg });
    enc.openMemory({ format: 'mp4' });
  };
  assert.throws(addAndOpen({ crf: -10 }), polyencError('POLYENC_ERR_ARGUMENT', /^crf=-10 is out of valid range \[0, 51\]/));
  assert.throws(addAndOpen({ pixelFormat: 'nope' }), polyencError('POLYENC_ERR_ARGUMENT', /^pixel_format 'nope' is not a pixel format/));
  assert.throws(addAndOpen({ preset: 'warp-speed' }), polyencError('POLYENC_ERR_ARGUMENT', /^preset 'warp-speed' is not a preset of codec libx264/));
  assert.throws(addAndOpen({ options: { 'no-such-option': 1 } }), polyencError('POLYENC_ERR_ARGUMENT', /unknown option 'no-such-option'/));

  const enc = new Encoder();
  enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  assert.throws(() => enc.openMemory({ format: 'no-such-format' }), polyencError('POLYENC_ERR_UNSUPPORTED', /^format 'no-such-format' is not a container/));
  assert.throws(() => enc.openMemory({}), typeError(/^openMemory: options\.format is required \(e\.g\. \{ format: 'mp4' \}\)$/));
  assert.throws(() => enc.openMemory(), typeError(/^openMemory: options\.format is required/));
  assert.throws(() => enc.openMemory({ format: 7 }), typeError(/^openMemory: options\.format must be a string, got number$/));
  assert.throws(() => enc.openMemory({ format: 'mp4', type: 'string' }), typeError(/^openMemory: options\.type must be 'blob', 'buffer' or 'uint8array', got 'string'$/));
  assert.throws(() => enc.openFile(42), typeError(/^openFile: path must be a string or a file: URL, got number$/));
  assert.throws(() => enc.openFile('x\0.mp4'), typeError(/^openFile: path must not contain NUL characters$/));
  const missing = path.join(tmpFile('x'), 'no', 'such', 'dir', 'out.mp4');
  assert.throws(() => enc.openFile(missing), polyencError('POLYENC_ERR_IO', new RegExp(`^cannot open path '${missing}' for writing: `)));
  assert.throws(() => enc.openFile(tmpFile('noext')), polyencError('POLYENC_ERR_ARGUMENT', /^cannot tell the container from path .* give a known extension/));
  // after all of these, the encoder still opens
  enc.openMemory({ format: 'mkv' });
});

test('open twice, addVideo after open, feed before open or after close: POLYENC_ERR_STATE', async () => {
  const enc = new Encoder();
  const video = enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  await assert.rejects(video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }), polyencError('POLYENC_ERR_STATE', /before open\(\)/));
  enc.openMemory({ format: 'mp4' });
  assert.throws(() => enc.openMemory({ format: 'mp4' }), polyencError('POLYENC_ERR_STATE', /^open\(\) was already called\.$/));
  assert.throws(() => enc.openStream(new Writable(), { format: 'mp4' }), polyencError('POLYENC_ERR_STATE', /^open\(\) was already called\.$/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30 }), polyencError('POLYENC_ERR_STATE', /^Cannot add a stream after open\(\) was called/));
  assert.throws(() => enc.addAudio({ sampleRate: 8000, numChannels: 1 }), polyencError('POLYENC_ERR_STATE', /^Cannot add a stream after open\(\) was called/));
  await video.addFrames(rgbPattern(64, 48, 2), { layout: 'rgb24' });
  await video.addFrames(new Uint8Array(0), { layout: 'rgb24' }); // nothing: fine
  const buf = await enc.close();
  assert.equal(Number(probe(buf).streams[0].nb_read_frames), 2);
  await assert.rejects(video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }), polyencError('POLYENC_ERR_STATE', /^addFrames: the encoder was closed \(close\(\) was called\)$/));
  assert.throws(() => enc.openMemory({ format: 'mp4' }), polyencError('POLYENC_ERR_STATE', /^openMemory: the encoder was closed/));
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30 }), polyencError('POLYENC_ERR_STATE', /^addVideo: the encoder was closed/));
  assert.strictEqual(await enc.close(), buf);
});

test('addFrames: wrong data types are TypeErrors', async () => {
  const { enc, video } = opened();
  const any = "Buffer, Uint8Array, Uint8ClampedArray, Uint16Array / Float32Array \\(layouts 'rgb48', 'rgba64', 'rgb-planar16' / " +
    "'rgb-planar-f32'\\), ImageData, VideoFrame, canvas or ImageBitmap";
  await assert.rejects(video.addFrames('not frames'), typeError(new RegExp(`^addFrames: data must be a ${any}, got string$`)));
  await assert.rejects(video.addFrames(new Int16Array(64 * 48 * 3)), typeError(/, got Int16Array$/));
  await assert.rejects(video.addFrames(new Float32Array(64 * 48 * 3)), typeError(/, got Float32Array$/));
  await assert.rejects(video.addFrames(new ArrayBuffer(64 * 48 * 3)), typeError(/, got ArrayBuffer$/));
  await assert.rejects(video.addFrames([1, 2, 3]), typeError(/, got Array$/));
  await assert.rejects(video.addFrames(), typeError(/, got undefined$/));
  await assert.rejects(video.addFrames(null), typeError(/, got null$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgb' }), typeError(/^layout must be 'rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p', 'rgb48', 'rgba64', 'rgb-planar16' or 'rgb-planar-f32', got 'rgb'$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 3 }), typeError(/^layout must be a string, got number$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), 'rgb24'), typeError(/^addFrames: options must be an object, got string$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: '1' }), typeError(/^numFrames must be a number, got string$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: 0.5 }), typeError(/^numFrames must be an integer, got 0\.5$/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { numFrames: -1 }), rangeError(/^numFrames must be in \[0, 2147483647\], got -1$/));
  await video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }); // still usable
  assert.equal(Number(probe(await enc.close()).streams[0].nb_read_frames), 1);
});

test('addFrames: sizes that do not fit are POLYENC_ERR_ARGUMENT, and the encoder stays usable', async () => {
  const { enc, video } = opened();
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3 + 1), { layout: 'rgb24' }),
    polyencError('POLYENC_ERR_ARGUMENT', /^addFrames: 9217 bytes is not a whole number of 64x48 rgb24 frames \(9216 bytes each\); pass numFrames/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgba' }),
    polyencError('POLYENC_ERR_ARGUMENT', /9216 bytes is not a whole number of 64x48 rgba frames \(12288 bytes each\)/));
  await assert.rejects(video.addFrames(new Uint8Array(64 * 48 * 3), { layout: 'rgb24', numFrames: 2 }),
    polyencError('POLYENC_ERR_ARGUMENT', /^addFrames: numFrames=2 needs 18432 bytes of 64x48 rgb24, got 9216$/));
  // an ImageData (or its shape) of another size
  await assert.rejects(video.addFrames({ data: new Uint8ClampedArray(32 * 32 * 4), width: 32, height: 32 }),
    polyencError('POLYENC_ERR_ARGUMENT', /^addFrames: ImageData is 32x32, the stream is 64x48$/));
  // numFrames takes the start of a longer buffer; an ImageData-like object is one rgba frame
  await video.addFrames(new Uint8Array(64 * 48 * 3 + 5), { layout: 'rgb24', numFrames: 1 });
  await video.addFrames({ data: new Uint8ClampedArray(64 * 48 * 4).fill(200), width: 64, height: 48 });
  const buf = await enc.close();
  assert.equal(Number(probe(buf).streams[0].nb_read_frames), 2);
});

test('addSamples: wrong types are TypeErrors, bad values carry the C message', async () => {
  const { enc, audio } = opened();
  await assert.rejects(audio.addSamples(new Float64Array(100)), typeError(/^addSamples: data must be a Float32Array or an array of Float32Array \(one per channel\), got Float64Array$/));
  await assert.rejects(audio.addSamples([0.1, 0.2]), typeError(/^addSamples: data\[0\] must be a Float32Array, got number$/));
  await assert.rejects(audio.addSamples('samples'), typeError(/, got string$/));
  await assert.rejects(audio.addSamples(new Float32Array(2), { layout: 'stereo' }), typeError(/^layout must be 'planar' or 'interleaved', got 'stereo'$/));
  await assert.rejects(audio.addSamples([new Float32Array(2), new Float32Array(2)], { layout: 'interleaved' }), typeError(/is planar; layout 'interleaved' does not apply/));
  await assert.rejects(audio.addSamples(new Float32Array(4), 7), typeError(/^addSamples: options must be an object, got number$/));
  await assert.rejects(audio.addSamples(new Float32Array(3)), polyencError('POLYENC_ERR_ARGUMENT', /^addSamples: 3 values are not a whole number of samples for 2 channels$/));
  await assert.rejects(audio.addSamples([new Float32Array(4)]), polyencError('POLYENC_ERR_ARGUMENT', /^addSamples: Expected 2 channels, got 1$/));
  await assert.rejects(audio.addSamples([new Float32Array(4), new Float32Array(3)]), polyencError('POLYENC_ERR_ARGUMENT', /^addSamples: data\[1\] has 3 samples, data\[0\] has 4; every channel needs the same count$/));
  const bad = new Float32Array(20);
  bad[7] = NaN;
  await assert.rejects(audio.addSamples(bad, { layout: 'interleaved' }), polyencError('POLYENC_ERR_ARGUMENT', /^samples must be finite: data has nan at channel 1, sample 3/));
  await assert.rejects(audio.addSamples(new Float32Array([0, Infinity, 0, 0])), polyencError('POLYENC_ERR_ARGUMENT', /^samples must be finite: data has inf at channel 0, sample 1/));
  await audio.addSamples(tone(48000, 2, 4800)); // still usable
  await audio.addSamples([new Float32Array(0), new Float32Array(0)]);
  const audioOut = probe(await enc.close()).streams.filter((s) => s.codec_type === 'audio');
  assert.deepEqual(audioOut.map((s) => [s.codec_name, s.channels]), [['aac', 2]]);
});

test('options whose property getters throw: addFrames and addSamples reject with that error, never throw', async () => {
  const { enc, video, audio } = opened();
  const boom = new Error('getter threw');
  const proxy = new Proxy({}, { get() { throw boom; } });
  const getter = Object.defineProperty({}, 'layout', { enumerable: true, get() { throw boom; } });
  for (const options of [proxy, getter]) {
    let pending;
    assert.doesNotThrow(() => (pending = video.addFrames(rgbPattern(64, 48, 1), options)));
    await assert.rejects(pending, (e) => e === boom);
    assert.doesNotThrow(() => (pending = audio.addSamples(tone(48000, 2, 480), options)));
    await assert.rejects(pending, (e) => e === boom);
  }
  await video.addFrames(rgbPattern(64, 48, 1), { layout: 'rgb24' }); // still usable
  await audio.addSamples(tone(48000, 2, 4800));
  assert.deepEqual(probe(await enc.close()).streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
});

test('openStream: not a Writable is a TypeError; a Writable that fails gives POLYENC_ERR_IO with the cause', async () => {
  const enc = new Encoder();
  enc.addVideo({ width: 64, height: 48, frameRate: 30 });
  const expected = /^openStream: expected a WHATWG WritableStream or a Node Writable \(fs\.createWriteStream, an HTTP response, a socket, \.\.\.\), got /;
  assert.throws(() => enc.openStream({}, { format: 'mp4' }), typeError(new RegExp(`${expected.source}object$`)));
  assert.throws(() => enc.openStream(null, { format: 'mp4' }), typeError(/, got null$/));
  assert.throws(() => enc.openStream(new Writable({ write: (c, e, cb) => cb() })), typeError(/^openStream: options\.format is required/));
  const locked = new WritableStream();
  locked.getWriter();
  assert.throws(() => enc.openStream(locked, { format: 'mp4' }), typeError(/^openStream: the WritableStream is locked/));

  const failing = new Writable({
    highWaterMark: 1024,
    write(chunk, encoding, cb) {
      setImmediate(() => cb(new Error('disk full')));
    },
  });
  failing.on('error', () => {});
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
  assert.equal(err.code, 'POLYENC_ERR_IO', err.message);
  assert.match(String(err.cause && err.cause.message), /disk full/);
  await assert.rejects(enc2.close(), (e) => e.code === 'POLYENC_ERR_IO');
});

test('module functions, Encoder options and init options are checked the same way', async () => {
  assert.throws(() => polyenc.hasEncoder(5), typeError(/^hasEncoder: codec must be a string, got number$/));
  assert.equal(polyenc.hasEncoder('libx264\0'), false);
  assert.equal(polyenc.hasEncoder('no-such-codec'), false);
  assert.equal(polyenc.hasEncoder('libx264'), true);
  assert.equal(polyenc.hasEncoder('h264'), true);
  assert.match(polyenc.version(), /^\d+\.\d+\.\d+/);
  assert.equal(polyenc.cudaDeviceCount(), 0);
  assert.throws(() => new Encoder(5), typeError(/^Encoder: options must be an object, got number$/));
  assert.throws(() => new Encoder({ worker: true }), polyencError('POLYENC_ERR_UNSUPPORTED', /^Encoder\(\{ worker: true \}\) needs Web Workers \(a browser\)$/));
  const enc = new Encoder();
  assert.throws(() => enc.addVideo({ width: 64, height: 48, frameRate: 30, encoder: 'webcodecs' }),
    polyencError('POLYENC_ERR_UNSUPPORTED', /^addVideo\.encoder 'webcodecs': this environment has no WebCodecs VideoEncoder$/));
  await assert.rejects(polyenc.init(5), typeError(/^init: options must be an object, got number$/));
  await assert.rejects(polyenc.init({ x: 1 }), typeError(/^init: unknown option 'x' \(known: backend, variant/));
  await assert.rejects(polyenc.init({ backend: 'gpu' }), typeError(/^init: backend must be 'auto', 'native' or 'wasm', got 'gpu'$/));
  await assert.rejects(polyenc.init({ variant: 'xt' }), typeError(/^init: variant must be 'st', 'mt' or 'auto', got 'xt'$/));
  // a value that cannot be printed (a BigInt array, a Symbol) is named by its type (fuzz seed 1072297893)
  await assert.rejects(polyenc.init({ variant: 10n }), typeError(/^init: variant must be 'st', 'mt' or 'auto', got bigint$/));
  assert.throws(() => new Encoder().openMemory({ format: 'mp4', type: new BigInt64Array(1) }),
    typeError(/^openMemory: options\.type must be 'blob', 'buffer' or 'uint8array', got BigInt64Array$/));
  const audio = new Encoder().addAudio({ sampleRate: 8000, numChannels: 1 });
  await assert.rejects(audio.addSamples(new Float32Array(1), { layout: Symbol('planar') }),
    typeError(/^layout must be 'planar' or 'interleaved', got symbol$/));
  await assert.rejects(polyenc.init({ maximumMemory: -1 }), typeError(/^init: maximumMemory must be a positive integer, got number -1$/));
  await assert.rejects(polyenc.init({ backend: 'native', variant: 'mt' }),
    polyencError('POLYENC_ERR_ARGUMENT', /^init: variant 'mt' is a wasm build; the native backend has threads of its own$/));
  // none of these changed the backend
  assert.equal(polyenc.backendInfo().backend, BACKEND);
  assert.equal(new Encoder().backend, BACKEND);
});

test('the native binding called around the front door throws TypeErrors, never crashes', { skip: only('native') }, () => {
  const binding = createRequire(import.meta.url)(polyenc.backendInfo().addon);
  const { NativeEncoder } = binding;
  const wrongType = (method) => typeError(new RegExp(`^polyenc native binding: ${method}: argument \\w+ has the wrong type`));
  assert.throws(() => NativeEncoder(), typeError(/cannot be invoked without 'new'/));
  assert.throws(() => NativeEncoder.prototype.addVideo.call({}, { width: 1 }), TypeError);
  assert.throws(() => binding.hasEncoder(5), wrongType('hasEncoder'));
  const native = new NativeEncoder();
  assert.throws(() => native.addVideo(5), TypeError);
  assert.throws(() => native.addFrames(99, new Uint8Array(3), 0, 1), TypeError);
  assert.throws(() => native.addSamples(0, new Float32Array(3), 0, 3), TypeError);
  assert.throws(() => native.openStream('nope', 'mp4'), TypeError);
  assert.throws(() => native.openMemory(5), TypeError);
  // and the binding still works after all that
  const ok = new NativeEncoder();
  assert.equal(typeof ok.addVideo, 'function');
});
