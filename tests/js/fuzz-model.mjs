// The property shared by the fuzz tests of the JS front door (tests/js/fuzz.test.mjs, run on the native
// and on the wasm backend in Node; tests/browser/fuzz.test.mjs in Chromium): random sequences of calls of
// the whole public API, with random values of every type, in random order (calls while earlier promises
// are pending, after close, after errors). Allowed outcomes: a result, or a thrown / rejected Error with a
// string code (POLYENC_ERR_*, or ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for TypeError / RangeError, as
// js/src/errors.mjs documents). Never a crash, a hang, an unhandled rejection, or an error without a code.
//
// Sequences are plain JSON (the generators make data, the interpreter tests/js/fuzz-run.mjs makes values),
// so a counterexample prints and replays as is. `fc` is passed in: fast-check resolves from js/node_modules
// in Node, and the browser test hands its own.

const WRITABLE_KINDS = ['discard', 'slow', 'failAt', 'throwAt', 'destroyed', 'ended', 'errorLater', 'web', 'webFail', 'fake'];
const FORMATS = ['mp4', 'mov', 'matroska', 'mkv', 'webm', 'wav', 'ogg', 'mp3', 'flac', 'adts', 'avi', 'mpegts', 'mpeg',
  'nut', 'm4a', 'ipod', 'hls', 'dash', 'tee', 'image2', 'null', 'rtp', 'sap', 'gif', 'bogus', '', 'MP4', 'mp4\0x'];
const V_CODECS = ['h264', 'libx264', 'mpeg4', 'vp9', 'vp8', 'av1', 'hevc', 'mjpeg', 'png', 'rawvideo', 'gif', 'ffv1', 'aac', 'bogus', ''];
const A_CODECS = ['aac', 'opus', 'libopus', 'flac', 'mp3', 'pcm_s16le', 'vorbis', 'h264', 'bogus', ''];
const FRAME_LAYOUTS = ['rgb-planar', 'rgb24', 'rgba', 'bgra', 'yuv420p'];
const EXTS = ['mp4', 'mkv', 'webm', 'mov', 'wav', 'avi', 'ts', 'nut', 'txt', '', 'm3u8', 'png'];

export function fuzzModel(fc) {
  // ---- arbitrary JS values, as JSON descriptions ("v" below)
  const weirdNumber = fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0');
  const number = fc.oneof(
    fc.constantFrom(0, 1, -1, 2, 16, 0.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 31), 1e300, 5e-324),
    fc.integer({ min: -100, max: 100 }),
    fc.double({ noNaN: true }),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({ t: 'undefined' }),
      fc.constant({ t: 'null' }),
      number.map((n) => ({ t: 'num', n })),
      weirdNumber.map((n) => ({ t: 'special', n })),
      fc.boolean().map((b) => ({ t: 'bool', b })),
      fc.string({ maxLength: 8 }).map((s) => ({ t: 'str', s })),
      fc.constantFrom('bigint', 'symbol', 'fn', 'date', 'regexp', 'promise', 'throwingGetter', 'proxy', 'arraybuffer', 'dataview', 'detached', 'shared', 'resizable')
        .map((t) => ({ t })),
      fc.record({
        type: fc.constantFrom('Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Float32Array', 'Float64Array',
          'Int32Array', 'BigInt64Array', 'Buffer'),
        len: fc.oneof(fc.constantFrom(0, 1, 3, 768, 1024), fc.nat(4096)),
      }).map((r) => ({ t: 'typed', ...r })),
      fc.array(tie('v'), { maxLength: 3 }).map((items) => ({ t: 'array', items })),
      fc.dictionary(fc.constantFrom('width', 'height', 'frameRate', 'format', 'layout', 'sampleRate', 'numChannels', 'numFrames',
        'end', 'codec', 'options', 'data', 'x'), tie('v'), { maxKeys: 4 }).map((props) => ({ t: 'object', props })),
    ),
  })).v;

  // mostly the first (sane) values, sometimes the others (edge values)
  const pickOf = (sane, edge = []) => (edge.length
    ? fc.oneof({ weight: 15, arbitrary: fc.constantFrom(...sane) }, { weight: 1, arbitrary: fc.constantFrom(...edge) })
    : fc.constantFrom(...sane)).map((x) => ({ t: 'raw', x }));
  const optional = (arb) => fc.option(arb, { nil: undefined, freq: 2 });
  // an options object of good fields, or one with a field set to any value (a wrong type, a missing field)
  const config = (fields, required) => {
    const base = fc.record(fields, { requiredKeys: required });
    const keys = Object.keys(fields).concat('bogusKey');
    return fc.oneof(
      { weight: 10, arbitrary: base.map((r) => ({ t: 'config', r })) },
      { weight: 1, arbitrary: fc.tuple(base, fc.constantFrom(...keys), value).map(([r, k, v]) => ({ t: 'config', r: { ...r, [k]: v } })) },
      { weight: 1, arbitrary: fc.tuple(base, fc.constantFrom(...required)).map(([r, k]) => ({ t: 'config', r: { ...r, [k]: undefined } })) },
    );
  };
  const orValue = (arb) => fc.oneof({ weight: 8, arbitrary: arb }, { weight: 1, arbitrary: value });

  const options = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom({ tune: 'zerolatency' }, { g: 5 }, { movflags: '+faststart' }, {}).map((x) => ({ t: 'raw', x })) },
    fc.dictionary(fc.constantFrom('tune', 'movflags', 'x264-params', 'g', 'bogus', 'threads', 'crf', ''),
      fc.oneof(fc.constantFrom('zerolatency', '+faststart', 'keyint=1', '1', 'x'), fc.integer(), fc.boolean()), { maxKeys: 2 })
      .map((d) => ({ t: 'raw', x: d })),
    fc.constantFrom([['tune', 'zerolatency']], [['g']], [[1, 2]]).map((x) => ({ t: 'raw', x })),
    value,
  );

  // tags: good ones, ones the library or a muxer refuses, and any value
  const metadata = fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom('title', 'language', 'comment', 'creation_time', 'handler_name', 'foo', ''),
      fc.oneof(fc.constantFrom('eng', 'und', 'a title', '2024-05-01T12:00:00Z', 'english', 'x\0y', ''), fc.constant(null)),
      { maxKeys: 3 }).map((x) => ({ t: 'raw', x })) },
    { weight: 1, arbitrary: value },
  );
  // per-frame times: a few increasing seconds, on or off the frame grid, some bad
  const times = fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 0.1, 0.2, 1 / 30, 2 / 30, 0.0123, 5, 1e6) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 60, 1e300) }), { maxLength: 4 }); // NaN, Infinity: from `value`

  const videoOptions = orValue(config({
    width: pickOf([16, 32, 48], [2, 1, 0, -16, 17, 8192, 16384, 65536, 2 ** 31 - 1]),
    height: pickOf([16, 24, 32], [2, 1, 0, -16, 17, 8192, 16384, 65536, 2 ** 31 - 1]),
    frameRate: pickOf([10, 25, 30, 29.97], [0.001, 1e-9, 0, -1, 1000, 1e6, 1e300]),
    codec: optional(pickOf(['h264', 'libx264', 'mpeg4'], V_CODECS)),
    pixelFormat: optional(pickOf(['yuv420p', 'yuv444p'], ['rgb24', 'gray', 'yuva420p', 'nv12', 'bogus'])),
    crf: optional(pickOf([23, 30], [0, 51, 52, -1, 63, 0.5])),
    preset: optional(pickOf(['ultrafast', 'veryfast'], ['veryslow', 'placebo', 'bogus'])),
    bitRate: optional(pickOf([0, 100000], [1, -1, 2 ** 53])),
    gopSize: optional(pickOf([0, 12], [1, -1, 2 ** 31 - 1])),
    colorSpace: optional(pickOf(['bt601', 'bt709'], ['bt2020', 'bogus'])),
    colorRange: optional(pickOf(['tv', 'pc'], ['bogus'])),
    threads: optional(pickOf([0, 1, 2], [-1, 64, 100000])),
    device: optional(pickOf(['cpu'], ['cuda', 'cuda:7', 'bogus'])),
    encoder: optional(pickOf(['auto', 'wasm'], ['webcodecs', 'native', 'bogus'])),
    options: fc.option(options, { nil: undefined, freq: 6 }),
    rotation: optional(pickOf([0, 90, 270], [45, -90, 360, 0.5])),
    timeBase: optional(pickOf([[1, 1000], [1, 90000]], [[0, 0], [0, 1000], [1, 0], [-1, 30], [1], [1, 2 ** 31], [1.5, 30]])),
    metadata: optional(metadata),
  }, ['width', 'height', 'frameRate']));

  const audioOptions = orValue(config({
    sampleRate: pickOf([8000, 44100, 48000], [1, 0, -1, 7, 384000, 1e6, 2 ** 31 - 1, 44100.5]),
    numChannels: pickOf([1, 2], [6, 8, 0, 9, -1, 64, 2 ** 31 - 1]),
    codec: optional(pickOf(['aac', 'opus', 'flac'], A_CODECS)),
    bitRate: optional(pickOf([0, 64000], [1, -1, 2 ** 53])),
    outSampleRate: optional(pickOf([0, 48000], [16000, 1, -1, 2 ** 31 - 1])),
    outNumChannels: optional(pickOf([0, 1, 2], [9, -1])),
    options: fc.option(options, { nil: undefined, freq: 6 }),
    startTime: optional(fc.oneof(pickOf([0, 0.5, 1], [-1, 1e9, 1e300]), value)),
    metadata: optional(metadata),
  }, ['sampleRate', 'numChannels']));

  const formatOptions = orValue(config({
    format: pickOf(['mp4', 'matroska', 'mkv', 'mov', 'webm', 'wav', 'mpegts'], FORMATS),
    end: optional(pickOf([true, false])),
    type: optional(pickOf(['buffer', 'uint8array', 'blob'], ['Blob', 'bogus'])),
  }, ['format']));

  const frames = fc.oneof(
    { weight: 6, arbitrary: fc.record({
      t: fc.constant('frames'),
      n: fc.constantFrom(0, 1, 1, 2, 3),
      layout: fc.option(fc.constantFrom(...FRAME_LAYOUTS), { nil: undefined }),
      extra: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, -1),
      clamped: fc.boolean(),
      offset: fc.constantFrom(0, 0, 1), // a view that does not start at its buffer's start
    }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('imageData'), dw: fc.constantFrom(0, 0, 1) }) },
    { weight: 2, arbitrary: value },
  );
  const frameOptions = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('match'), numFrames: fc.option(fc.constantFrom(0, 1, 5), { nil: undefined, freq: 4 }) }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.record({
      layout: optional(pickOf(FRAME_LAYOUTS, ['RGB24', 'bogus'])),
      numFrames: optional(pickOf([0, 1, 2], [1000, -1, 0.5, 2 ** 31, 2 ** 53])),
      timestamps: optional(fc.oneof({ weight: 4, arbitrary: times.map((x) => ({ t: 'raw', x })) }, { weight: 1, arbitrary: value })),
      keyFrames: optional(fc.oneof({ weight: 4, arbitrary: fc.array(fc.boolean(), { maxLength: 4 }).map((x) => ({ t: 'raw', x })) },
        { weight: 1, arbitrary: value })),
      timestamp: optional(fc.oneof(pickOf([0, 0.5, 2]), value)),
      keyFrame: optional(fc.oneof(pickOf([true, false]), value)),
    }, { requiredKeys: [] }).map((r) => ({ t: 'config', r })) },
    { weight: 1, arbitrary: value },
  );

  const samples = fc.oneof(
    { weight: 6, arbitrary: fc.record({
      t: fc.constant('samples'),
      n: fc.constantFrom(0, 1, 100, 1024, 3000),
      perChannel: fc.boolean(),
      extra: fc.constantFrom(0, 0, 0, 1),
      fill: fc.constantFrom(0, 0.25, 1, -1, 'NaN', 'Infinity', 1e30),
    }) },
    { weight: 2, arbitrary: value },
  );
  const sampleOptions = fc.oneof(
    fc.constant(undefined),
    fc.record({ layout: optional(pickOf(['planar', 'interleaved'], ['bogus'])) }, { requiredKeys: [] }).map((r) => ({ t: 'config', r })),
    value,
  );

  const pathArb = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...EXTS).map((ext) => ({ t: 'tmpPath', ext })) },
    { weight: 1, arbitrary: fc.constantFrom('/nonexistent-dir/x.mp4', '/proc/polyenc.mp4', 'DIR', 'URL', 'URLHTTP', '').map((p) => ({ t: 'specialPath', p })) },
    { weight: 1, arbitrary: value.filter((v) => v.t !== 'str') }, // no random strings: they would be paths in the working directory
  );
  const writable = fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('writable'), kind: fc.constantFrom(...WRITABLE_KINDS), at: fc.nat(6) }) },
    { weight: 1, arbitrary: value },
  );

  const pick = fc.nat(7);
  const wait = fc.boolean(); // await the promise now, or leave it pending
  const command = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('addVideo'), a: videoOptions }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('addAudio'), a: audioOptions }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('openMemory'), a: formatOptions }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('openFile'), path: pathArb, a: fc.option(formatOptions, { nil: undefined }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('openStream'), w: writable, a: formatOptions }) },
    { weight: 8, arbitrary: fc.record({ op: fc.constant('addFrames'), s: pick, d: frames, a: frameOptions, wait }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('addSamples'), s: pick, d: samples, a: sampleOptions, wait }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('close'), wait }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('newEncoder'), a: fc.option(value, { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('settle') }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('gc') }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('module'), fn: fc.constantFrom('version', 'hasEncoder', 'cudaDeviceCount', 'backendInfo', 'init'), a: value }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('props'), s: pick }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('setMetadata'), a: metadata }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('stats') }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('abort'), reason: fc.constantFrom(undefined, 'stop'), wait }) },
  );

  // Most sequences first set the encoder up (valid streams, a valid output) and then use it, so that the
  // deep paths (encoding, flushing, writing, failing writers) are reached; the rest is any order.
  const raw = (list) => fc.constantFrom(...list).map((x) => ({ t: 'raw', x }));
  const saneVideo = fc.record({
    width: raw([16, 32, 48]), height: raw([16, 24, 32]), frameRate: raw([10, 25, 30]),
    codec: fc.option(raw(['h264', 'mpeg4']), { nil: undefined }),
    preset: fc.option(raw(['ultrafast']), { nil: undefined }),
    gopSize: fc.option(raw([1, 5, 12]), { nil: undefined }),
  }, { requiredKeys: ['width', 'height', 'frameRate'] }).map((r) => ({ t: 'config', r }));
  const saneAudio = fc.record({
    sampleRate: raw([8000, 44100, 48000]), numChannels: raw([1, 2]),
    codec: fc.option(raw(['aac', 'opus', 'mp3']), { nil: undefined }),
    outSampleRate: fc.option(raw([48000]), { nil: undefined }),
  }, { requiredKeys: ['sampleRate', 'numChannels'] }).map((r) => ({ t: 'config', r }));
  const saneFormat = fc.record({ format: raw(['mp4', 'matroska', 'mov', 'mpegts', 'nut']) }).map((r) => ({ t: 'config', r }));
  const saneSetup = fc.tuple(
    fc.array(fc.oneof(
      fc.record({ op: fc.constant('addVideo'), a: saneVideo }),
      fc.record({ op: fc.constant('addAudio'), a: saneAudio }),
    ), { minLength: 1, maxLength: 2 }),
    fc.oneof(
      fc.record({ op: fc.constant('openMemory'), a: saneFormat }),
      fc.record({ op: fc.constant('openStream'), w: writable, a: saneFormat }),
      fc.record({ op: fc.constant('openFile'), path: fc.constantFrom('mp4', 'mkv', 'mov').map((ext) => ({ t: 'tmpPath', ext })) }),
    ),
  ).map(([streams, open]) => [...streams, open]);
  const setup = fc.tuple(
    fc.array(fc.oneof(
      fc.record({ op: fc.constant('addVideo'), a: videoOptions }),
      fc.record({ op: fc.constant('addAudio'), a: audioOptions }),
    ), { minLength: 1, maxLength: 2 }),
    fc.oneof(
      fc.record({ op: fc.constant('openMemory'), a: formatOptions }),
      fc.record({ op: fc.constant('openStream'), w: writable, a: formatOptions }),
      fc.record({ op: fc.constant('openFile'), path: pathArb, a: fc.option(formatOptions, { nil: undefined }) }),
    ),
  ).map(([streams, open]) => [...streams, open]);
  const sequence = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(saneSetup, fc.array(command, { maxLength: 10 })).map(([a, b]) => [...a, ...b]) },
    { weight: 2, arbitrary: fc.tuple(setup, fc.array(command, { maxLength: 10 })).map(([a, b]) => [...a, ...b]) },
    { weight: 1, arbitrary: fc.array(command, { minLength: 1, maxLength: 14 }) },
  );

  return { sequence, WRITABLE_KINDS };
}

export default fuzzModel;
