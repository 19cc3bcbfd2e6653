// Per-frame timestamps (seconds), key frames, rotation, tags, stats, progress and abort of the browser
// entry in headless Chromium, through the wasm encoders and WebCodecs' VideoEncoder, directly and in
// worker mode. The page's side is tests/browser/timestamps-page.mjs (imported into page.html); the files
// it returns are checked here with ffprobe. WebCodecs cases are skipped, with the reason, where the
// headless browser's VideoEncoder lacks the codec.
//   node --test --test-concurrency=1 tests/browser/timestamps.test.mjs
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openBrowser, openPage, ffprobe, outDir } from './harness.mjs';

let env;
let wc; // what the browser's VideoEncoder takes: { videoEncoder, h264, vp9, workerVideoEncoder }
test.before(async () => {
  env = await openBrowser();
  const p = await page();
  try {
    wc = await p.run('support');
  } finally {
    await p.close();
  }
});
test.after(() => env?.close());

// page.html with this file's page functions (window['ts.<name>']); run(name, params) calls one
async function page() {
  const p = await openPage(env);
  await p.page.evaluate(async () => {
    const m = await import('/tests/browser/timestamps-page.mjs');
    for (const [k, fn] of Object.entries(m)) window[`ts.${k}`] = fn;
  });
  return { ...p, run: (name, params) => p.call(`ts.${name}`, params) };
}

// runs body(run) with a fresh page; no page error may be left in its log
async function withPage(body) {
  const p = await page();
  try {
    await body(p.run);
    assert.deepEqual(p.logs.filter((l) => /^(pageerror|error)/.test(l)), [], 'no page error');
  } finally {
    await p.close();
  }
}

// the reason a WebCodecs case cannot run here, or null
function wcSkip(format, worker = false) {
  if (!wc.videoEncoder) return 'this headless Chromium has no VideoEncoder';
  if (worker && !wc.workerVideoEncoder) return 'no VideoEncoder in a Web Worker here';
  const codec = format === 'webm' ? 'vp9' : 'h264';
  return wc[codec] ? null : `this headless Chromium's VideoEncoder does not support ${codec}`;
}

function save(name, b64) {
  const bytes = Buffer.from(b64, 'base64');
  fs.writeFileSync(path.join(outDir, `ts-${name}`), bytes);
  return bytes;
}

// the video's packets in presentation order: { t: pts_time, key }, and ffprobe's streams / format
function videoPackets(bytes) {
  const info = ffprobe(bytes, ['-show_entries', 'packet=stream_index,pts_time,flags']);
  const v = info.streams.find((s) => s.codec_type === 'video');
  const packets = info.packets.filter((p) => p.stream_index === v.index)
    .map((p) => ({ t: Number(p.pts_time), key: p.flags.startsWith('K') })).sort((a, b) => a.t - b.t);
  return { info, v, packets };
}

function checkTimes(packets, expected, tol, what) {
  const got = packets.map((p) => p.t);
  assert.equal(got.length, expected.length, `${what}: ${got.length} frames in the file, ${expected.length} given: ${got}`);
  expected.forEach((t, i) => assert.ok(Math.abs(got[i] - t) <= tol, `${what}: frame ${i} at ${got[i]} s, given ${t} s (all: ${got})`));
}

const keyIndices = (packets) => packets.flatMap((p, i) => (p.key ? [i] : []));
const ARG = 'POLYENC_ERR_ARGUMENT';

test('1. variable frame rate: timestamps (seconds) on a 1/90000 time base, wasm and WebCodecs, mp4 and webm', async (t) => {
  const FIRST = [0, 0.04, 0.05, 0.123456, 0.1245];
  const SECOND = [0.2, 0.35, 0.3501, 0.5, 0.77, 1.0, 1.25];
  const plain = 2; // then at the nominal rate (30 fps) from the last timestamp
  await withPage(async (run) => {
    // from 0, and from 12.34567 s (a camera's clock: the first frame's time is not 0)
    for (const offset of [0, 12.34567]) {
      for (const [encoder, format] of [['wasm', 'mp4'], ['wasm', 'webm'], ['webcodecs', 'mp4'], ['webcodecs', 'webm']]) {
        const what = `${encoder} ${format}${offset ? `, from ${offset} s` : ''}`;
        await t.test(what, async (st) => {
          const skip = encoder === 'webcodecs' && wcSkip(format);
          if (skip) return st.skip(skip);
          const first = FIRST.map((x) => x + offset), second = SECOND.map((x) => x + offset);
          const last = second[second.length - 1];
          const expected = [...first, ...second, last + 1 / 30, last + 2 / 30];
          const r = await run('vfr', { encoder, format, first, second, plain });
          assert.equal(r.encoderName, encoder);
          const bytes = save(`vfr-${encoder}${offset ? '-offset' : ''}.${format}`, r.bytes);
          const { info, v, packets } = videoPackets(bytes);
          assert.equal(v.codec_name, format === 'webm' ? 'vp9' : 'h264');
          assert.equal(Number(v.nb_read_frames), expected.length);
          checkTimes(packets, expected, format === 'webm' ? 1e-3 : 1e-4, what);
          // the last frame lasts one frame at the nominal rate, as every frame the encoders are given: the
          // file ends, and stats.seconds (the end of the latest packet) is, 1/30 s after the last timestamp
          const end = expected[expected.length - 1] + 1 / 30;
          assert.equal(r.stats.frames, expected.length);
          assert.ok(Math.abs(r.stats.seconds - end) <= 2e-3, `${what}: stats.seconds ${r.stats.seconds}, the last frame ends at ${end}`);
          assert.ok(Math.abs(Number(info.format.duration) - end) <= 2e-3, `${what}: the file lasts ${info.format.duration} s, the last frame ends at ${end}`);
        });
      }
    }
  });
});

test('2. one picture per call: canvas / ImageData with { timestamp, keyFrame }, VideoFrames with their own timestamps; direct and worker mode', async (t) => {
  const expected = [0, 0.05, 0.1, 0.2, 0.3, 0.412345, 0.5, 0.55, 0.7, 0.812];
  const forced = [0, 2, 3, 8]; // the first frame, and keyFrame: true
  const places = [0, 1, 2, 5, 6, 10, 11]; // VideoFrames at k / 30 s on the default time base, with gaps
  await withPage(async (run) => {
    for (const worker of [false, true]) {
      for (const encoder of ['wasm', 'webcodecs']) {
        const mode = worker ? 'worker' : 'direct';
        await t.test(`${encoder}, ${mode}`, async (st) => {
          const skip = encoder === 'webcodecs' && wcSkip('mp4', worker);
          if (skip) return st.skip(skip);
          const r = await run('pictures', { encoder, worker });
          assert.equal(r.encoderName, encoder);
          const { packets } = videoPackets(save(`pictures-${encoder}-${mode}.mp4`, r.bytes));
          checkTimes(packets, expected, 1e-4, `${encoder} ${mode}`);
          assert.deepEqual(keyIndices(packets), forced, `${encoder} ${mode}: key frames`);

          const g = await run('gridFrames', { encoder, worker, places });
          const { packets: gp } = videoPackets(save(`grid-${encoder}-${mode}.mp4`, g.bytes));
          checkTimes(gp, places.map((k) => k / 30), 1e-4, `${encoder} ${mode}, default time base`);
        });
      }
    }
  });
});

test('3. forced key frames through WebCodecs (keyFrames arrays, keyFrame on a canvas and a VideoFrame; gopSize 1000)', async (t) => {
  await withPage(async (run) => {
    for (const [format, worker] of [['mp4', false], ['webm', false], ['mp4', true]]) {
      const what = `${format}${worker ? ', worker mode' : ''}`;
      await t.test(what, async (st) => {
        const skip = wcSkip(format, worker);
        if (skip) return st.skip(skip);
        const r = await run('keyFrames', { encoder: 'webcodecs', format, worker });
        assert.equal(r.encoderName, 'webcodecs');
        const { packets } = videoPackets(save(`keys-webcodecs${worker ? '-worker' : ''}.${format}`, r.bytes));
        assert.equal(packets.length, r.n);
        const keys = keyIndices(packets);
        for (const i of r.forced) assert.ok(keys.includes(i), `${what}: frame ${i} is not a key frame (key frames: ${keys})`);
        // the encoder's own choice may add one, not many (gopSize 1000)
        assert.ok(keys.length <= r.forced.length + 1, `${what}: key frames ${keys}, forced ${r.forced}`);
      });
    }
  });
});

test('4. setMetadata({ title }), addVideo({ rotation: 90, metadata: { language } }) in mp4: the tags and the display matrix', async (t) => {
  await withPage(async (run) => {
    for (const [encoder, worker] of [['wasm', false], ['webcodecs', false], ['webcodecs', true]]) {
      const what = `${encoder}${worker ? ', worker mode' : ''}`;
      await t.test(what, async (st) => {
        const skip = encoder === 'webcodecs' && wcSkip('mp4', worker);
        if (skip) return st.skip(skip);
        const r = await run('tags', { encoder, worker });
        assert.equal(r.encoderName, encoder);
        const info = ffprobe(save(`tags-${encoder}${worker ? '-worker' : ''}.mp4`, r.bytes));
        assert.equal(info.format.tags?.title, 'Timestamps – a test ✓', JSON.stringify(info.format.tags));
        assert.equal(info.format.tags?.artist, 'polyenc');
        const v = info.streams.find((s) => s.codec_type === 'video');
        assert.equal(v.tags?.language, 'eng', JSON.stringify(v.tags));
        assert.equal(v.tags?.handler_name, 'Polyenc Video');
        const dm = (v.side_data_list || []).find((d) => d.side_data_type === 'Display Matrix');
        assert.ok(dm, `${what}: no display matrix: ${JSON.stringify(v.side_data_list)}`);
        assert.equal(dm.rotation, -90, 'ffprobe 5.1 prints the counter-clockwise angle');
        assert.deepEqual([v.width, v.height, Number(v.nb_read_frames)], [64, 48, 5], 'the frames are stored as given');
      });
    }
  });
});

test('5. enc.stats (bytes after close = the Blob\'s size) and onProgress (at most every 100 ms), direct and worker mode', async (t) => {
  const ZERO = { frames: 0, samples: 0, packets: 0, bytes: 0, seconds: 0 };
  await withPage(async (run) => {
    for (const [encoder, worker, setter] of [['wasm', false, false], ['wasm', true, false], ['webcodecs', false, true], ['webcodecs', true, true]]) {
      const what = `${encoder}, ${worker ? 'worker' : 'direct'} mode${setter ? ', enc.onprogress = fn' : ''}`;
      await t.test(what, async (st) => {
        const skip = encoder === 'webcodecs' && wcSkip('mp4', worker);
        if (skip) return st.skip(skip);
        const r = await run('stats', { encoder, worker, setter });
        assert.equal(r.encoderName, encoder);
        const bytes = save(`stats-${encoder}-${worker ? 'worker' : 'direct'}.mp4`, r.bytes);
        assert.deepEqual(r.before, ZERO, 'before open');
        assert.deepEqual(Object.keys(r.after).sort(), Object.keys(ZERO).sort());
        assert.equal(r.after.bytes, r.size, `${what}: stats.bytes ${r.after.bytes}, the Blob ${r.size} bytes`);
        assert.equal(r.size, bytes.length);
        assert.equal(r.after.frames, r.frames);
        assert.equal(r.after.samples, r.samples);
        const info = ffprobe(bytes, ['-show_entries', 'packet=stream_index']);
        assert.equal(r.after.packets, info.packets.length, `${what}: stats.packets vs the file's packets`);
        assert.ok(Math.abs(r.after.seconds - r.frames / 30) < 0.05, `${what}: stats.seconds ${r.after.seconds}`);
        if (encoder === 'wasm' || worker) assert.ok(r.beforeClose.frames >= (encoder === 'wasm' ? r.frames : 1), JSON.stringify(r.beforeClose));
        assert.ok(r.beforeClose.bytes > 0 && r.beforeClose.bytes <= r.after.bytes, JSON.stringify(r.beforeClose));

        // progress: fired while feeding, never twice within 100 ms, with stats objects that only grow
        const at = r.calls.map((c) => c.at);
        assert.ok(r.calls.length >= 3, `${what}: ${r.calls.length} progress calls in ${r.feedMs.toFixed(0)} ms of feeding`);
        assert.ok(r.calls.length <= Math.floor(r.feedMs / 100) + 2, `${what}: ${r.calls.length} progress calls in ${r.feedMs.toFixed(0)} ms`);
        for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 99, `${what}: progress calls ${(at[i] - at[i - 1]).toFixed(1)} ms apart`);
        let last = ZERO;
        for (const { stats: s } of r.calls) {
          assert.deepEqual(Object.keys(s).sort(), Object.keys(ZERO).sort());
          assert.ok(s.frames >= last.frames && s.bytes >= last.bytes && s.frames <= r.frames, JSON.stringify(r.calls.map((c) => c.stats)));
          last = s;
        }
        assert.ok(last.frames > 0, `${what}: the progress reports saw no frame`);
      });
    }
  });
});

test('6. abort mid-encode: pending calls reject with AbortError, later calls POLYENC_ERR_STATE, the wasm heap returns to its level', async (t) => {
  const RUNS = [
    { encoder: 'wasm', worker: false, output: 'memory', how: 'abort' },
    { encoder: 'wasm', worker: false, output: 'stream', how: 'signal' },
    { encoder: 'webcodecs', worker: false, output: 'memory', how: 'signal' },
    { encoder: 'webcodecs', worker: false, output: 'stream', how: 'abort' },
    { encoder: 'wasm', worker: true, output: 'memory', how: 'abort' },
    { encoder: 'webcodecs', worker: true, output: 'memory', how: 'signal' },
  ];
  await withPage(async (run) => {
    for (const params of RUNS) {
      const { encoder, worker, output, how } = params;
      const what = `${encoder}, ${worker ? 'worker' : 'direct'} mode, ${output} output, ${how === 'signal' ? 'AbortSignal' : 'enc.abort()'}`;
      await t.test(what, async (st) => {
        const skip = encoder === 'webcodecs' && wcSkip('mp4', worker);
        if (skip) return st.skip(skip);
        const r = await run('abort', params);
        assert.equal(r.encoderName, encoder);
        assert.equal(r.abortValue, 'undefined');
        assert.equal(r.sameAbort, true, 'abort() twice: the same promise');
        r.pending.forEach((p, i) => assert.equal(p.name, 'AbortError', `${what}: pending call ${i}: ${JSON.stringify(p)}`));
        assert.equal(r.pending[0].code, 'ABORT_ERR');
        assert.equal(r.closing.name, 'AbortError', `close() pending at the abort: ${JSON.stringify(r.closing)}`);
        assert.equal(r.laterClose.name, 'AbortError', `close() after the abort: ${JSON.stringify(r.laterClose)}`);
        assert.equal(r.cause, 'the reason', `the AbortError's cause: ${JSON.stringify(r.cause)}`);
        assert.equal(r.later.code, 'POLYENC_ERR_STATE', `addFrames after the abort: ${JSON.stringify(r.later)}`);
        assert.match(r.later.message, /aborted/);
        assert.equal(r.laterSetMetadata.code, 'POLYENC_ERR_STATE', JSON.stringify(r.laterSetMetadata));
        assert.ok(r.statsAfter.frames >= (encoder === 'wasm' ? 20 : 0), `stats after the abort: ${JSON.stringify(r.statsAfter)}`);
        if (worker) assert.ok(r.abortMs < 2500, `abort took ${r.abortMs} ms`);
        else {
          const grew = r.heapMiddle - r.heapBefore, left = r.heapAfter - r.heapBefore;
          assert.ok(grew > (encoder === 'wasm' ? 256 * 1024 : 0), `${what}: the encoder held ${grew} bytes of the heap mid-encode`);
          assert.ok(Math.abs(left) <= 8 * 1024, `${what}: heap in use ${r.heapBefore} before the encoder, ${r.heapMiddle} mid-encode, ${r.heapAfter} after the abort (${left} left)`);
        }
        if (output === 'stream') {
          assert.equal(r.sink.aborted?.name, 'AbortError', `the WritableStream was not aborted: ${JSON.stringify(r.sink)}`);
          assert.equal(r.sink.closed, false);
          assert.equal(r.writesLater, r.sink.writesAtAbort, 'no write after the abort');
        }
      });
    }
  });
});

test('7. bad timestamps, key frames and counts: clear errors, the stream stays usable and the file valid', async (t) => {
  const TYPE = (re) => (e) => (assert.equal(e.isTypeError, true, JSON.stringify(e)), assert.match(e.message, re));
  const ARGE = (...res) => (e) => {
    assert.equal(e.code, ARG, JSON.stringify(e));
    for (const re of res) assert.match(e.message, re);
  };
  const OK = (e) => assert.deepEqual(e, { ok: true });
  const increase = ARGE(/increase strictly/, /nothing of this call was encoded/);
  const EXPECT = {
    nan: ARGE(/timestamps\[1\]/, /NaN/),
    infinity: ARGE(/timestamps\[0\]/, /Infinity/),
    nanPicture: ARGE(/timestamp/, /NaN/),
    negative: ARGE(/\[0\]/, />= 0/),
    fewerTimestamps: ARGE(/2 timestamps for 3 frames/),
    moreTimestamps: ARGE(/2 timestamps for 1 frame/),
    fewerKeyFrames: ARGE(/1 keyFrames for 3 frames/),
    timestampForMany: ARGE(/for one frame/),
    stringTimestamps: TYPE(/timestamps must be an array/),
    stringTimestamp: TYPE(/timestamp must be a number/),
    stringKeyFrame: TYPE(/keyFrames\[0\] must be a boolean/),
    both: TYPE(/not both/),
    valid1: OK,
    equalInCall: increase,
    backwards: increase,
    sameAsLast: increase,
    valid2: OK,
    decreasingAfterValid: increase,
    valid3: OK,
    valid4: OK,
    offGrid: ARGE(/timeBase: \[1, 90000\]/),
    onGrid: OK,
  };
  await withPage(async (run) => {
    for (const [encoder, worker] of [['wasm', false], ['webcodecs', false], ['wasm', true], ['webcodecs', true]]) {
      const what = `${encoder}, ${worker ? 'worker' : 'direct'} mode`;
      await t.test(what, async (st) => {
        const skip = encoder === 'webcodecs' && wcSkip('mp4', worker);
        if (skip) return st.skip(skip);
        const r = await run('badInput', { encoder, worker });
        assert.equal(r.encoderName, encoder);
        for (const [k, check] of Object.entries(EXPECT)) {
          try {
            check(r.r[k]);
          } catch (e) {
            e.message = `${what}, ${k}: ${e.message}`;
            throw e;
          }
        }
        const { packets } = videoPackets(save(`bad-${encoder}-${worker ? 'worker' : 'direct'}.mp4`, r.bytes));
        checkTimes(packets, r.r.expected, 1e-4, `${what}: the valid frames only`);
        assert.deepEqual(keyIndices(packets), [0, 5], `${what}: key frames`);
        const { packets: gp } = videoPackets(save(`bad-grid-${encoder}-${worker ? 'worker' : 'direct'}.mp4`, r.gridBytes));
        checkTimes(gp, r.r.expectedGrid, 1e-4, `${what}, default time base`);
      });
    }
  });
});
