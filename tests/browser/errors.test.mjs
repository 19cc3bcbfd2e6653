// The errors of the synchronous calls in Chromium (tests/browser/page.html, window.runSyncErrors): addVideo,
// addAudio, openMemory and openFile throw at once, in worker mode as in direct mode (the worker proxy checks
// each call on the page before it posts it), with the same error (class, code, status, message); and a
// refused call leaves the encoder usable. After close(), addFrames / addSamples reject (in worker mode too:
// not left pending once the worker is gone). With WebCodecs 'auto' (the choice waits for the first awaited
// call) the output is still checked when open*() is called.
import test from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, inPage, ffprobe } from './harness.mjs';

let env;
test.before(async () => (env = await openBrowser()));
test.after(() => env?.close());

const ARG = { name: 'Error', code: 'POLYENC_ERR_ARGUMENT', status: -1 };
const STATE = { name: 'Error', code: 'POLYENC_ERR_STATE', status: -2 };
const UNSUPPORTED = { name: 'Error', code: 'POLYENC_ERR_UNSUPPORTED', status: -3 };
const TYPE = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' };

// what each call of runSyncErrors must give: [the error's fields, its message] or a returned value
const EXPECTED = {
  width0: [ARG, /^width must be > 0, got 0$/],
  noOptions: [TYPE, /addVideo\(\) expects an options object, got undefined/],
  wrongType: [TYPE, /addVideo\.width must be a number, got string/],
  badEncoder: [TYPE, /'auto', 'webcodecs' or 'wasm', got 'gpu'/],
  badCodec: [UNSUPPORTED, /'no-such-codec'/],
  webcodecsMpeg4: [UNSUPPORTED, /addVideo\.encoder 'webcodecs'.*mpeg4/],
  rate0: [ARG, /sample_rate must be > 0, got 0/],
  channels9: [ARG, /9 channels/],
  noFormat: [TYPE, /options\.format is required/],
  unknownFormat: [UNSUPPORTED, /'nosuchformat'/],
  badType: [TYPE, /options\.type must be 'blob', 'buffer' or 'uint8array'/],
  openFile: [UNSUPPORTED, /no file system/],
  openTwice: [STATE, /already called/],
  lateStream: [STATE, /before open\(\)/],
  afterClose: [STATE, /closed/],
  badPresetOpen: [ARG, /preset 'warp' is not a preset of codec libx264/],
  autoUnknownFormat: [UNSUPPORTED, /'nosuchformat'/],
  autoLateStream: [STATE, /before open\(\)/],
  open: { returned: 'undefined' },
  autoOpen: { returned: 'undefined' },
  badPresetAdd: { returned: 'object' },
  addFrames: { returned: 'a promise' },
  addSamples: { returned: 'a promise' },
  indices: [0, 1],
  // promises: rejected at once after close(), not left pending (the worker is gone)
  framesAfterClose: { code: 'POLYENC_ERR_STATE', message: 'addFrames: the encoder was closed (close() was called)' },
  samplesAfterClose: { code: 'POLYENC_ERR_STATE', message: 'addSamples: the encoder was closed (close() was called)' },
};

test('addVideo / addAudio / open* errors are thrown at once, in worker mode the same as in direct mode', async () => {
  const r = await inPage(env, 'runSyncErrors');
  for (const mode of ['direct', 'worker']) {
    const got = r[mode];
    for (const [key, want] of Object.entries(EXPECTED)) {
      const what = `${mode} ${key}: ${JSON.stringify(got[key])}`;
      if (Array.isArray(want) && want[1] instanceof RegExp) {
        const { message, ...fields } = got[key];
        assert.deepEqual(fields, want[0], what);
        assert.match(message, want[1], what);
      } else {
        assert.deepEqual(got[key], want, what);
      }
    }
    // the encoders still encoded what they were given after the refused calls
    const { value: encoded } = got.encoded;
    assert.ok(encoded, `${mode}: close() failed: ${JSON.stringify(got.encoded)}`);
    assert.equal(encoded.plain, true, 'a Uint8Array');
    assert.equal(encoded.encoderName, 'wasm');
    const info = ffprobe(Buffer.from(encoded.b64, 'base64'));
    assert.deepEqual(info.streams.map((s) => [s.codec_name, Number(s.nb_read_frames)]).slice(0, 1), [['h264', 3]], mode);
    assert.equal(Number(info.streams[1].duration_ts), 4800, `${mode}: audio samples`);
    assert.equal(got.autoEncoded.value && got.autoEncoded.value.encoderName, 'webcodecs', JSON.stringify(got.autoEncoded));
    assert.equal(got.autoEncoded.value.type, 'video/mp4');
  }
  // the same outcome, call for call (the encoded files aside: x264's output is not byte-exact between runs)
  const strip = ({ encoded, autoEncoded, ...rest }) => rest;
  assert.deepEqual(strip(r.worker), strip(r.direct));
});
